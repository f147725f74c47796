"""Adapters: the outside world (Kaspi, databases, files, messaging) behind the domains\x27 ports."""
