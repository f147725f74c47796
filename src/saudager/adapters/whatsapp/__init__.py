"""WhatsApp providers for buyer messaging: the Cloud API client, its webhook parser, a local
fake Cloud API server for the demo and the tests, and a console provider.

Shapes follow ``shared/reference/whatsapp.md``; the port is
``saudager.domains.messaging.provider``.
"""
