"""Saudager: a self-hosted cockpit for sellers on Kaspi.kz."""

__version__ = "0.1.0"
