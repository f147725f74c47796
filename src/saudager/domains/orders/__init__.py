"""Orders: orders, their lines, reviews and returns, and how they are kept in sync with Kaspi."""
