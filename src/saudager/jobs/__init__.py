"""Background jobs on Huey: SQLite storage embedded, Redis at scale — a setting, not a rewrite."""
