"""The web app: a FastAPI factory serving the JSON API and server-rendered pages."""
