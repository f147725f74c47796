"""Sales analytics: true profit per product, ABC/XYZ, tops, why profit changed, the Жұма plan."""
