"""Imports: orders, lines, reviews, returns and products from the seller's CSV and XLSX files.

For sellers without an API token, or with purchase costs kept in Excel. The formats are
documented in ``docs/import-formats.md``; ``types`` names the kinds and their columns, ``logic``
turns raw rows into domain objects or problems, ``service`` writes a clean import at once.
"""
