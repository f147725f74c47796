"""Kaspi Shop API: our client, the mapping of its payloads, and the simulator."""
