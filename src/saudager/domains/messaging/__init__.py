"""Buyer messaging over WhatsApp: flows, templates, windows, consent, caps, triage, the outbox."""
