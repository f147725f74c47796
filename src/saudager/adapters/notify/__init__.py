"""Notifiers: ways of telling a seller about a quality alert (Telegram, e-mail, the log)."""
