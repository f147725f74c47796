"""The ``saudager`` command line (Typer + Rich): thin, calling the services only."""
