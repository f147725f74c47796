"""Business domains: pure types and logic, with ports for the IO they need."""
