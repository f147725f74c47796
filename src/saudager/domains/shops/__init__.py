"""Shops: one seller's Kaspi shop, its zone and how it is synced."""
