"""Catalog: the shop's products (offers) and their purchase costs over time."""
