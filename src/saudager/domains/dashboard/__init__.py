"""The shop's overview: the quality indicators and their trend, orders at risk, sales against
the period before, and the next Kaspi Жұма — one object for the pages and the JSON API."""
