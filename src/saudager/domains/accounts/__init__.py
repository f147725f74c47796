"""Accounts: who may sign in, which shops each user sees, and with what role."""
