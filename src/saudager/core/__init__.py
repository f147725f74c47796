"""Pure building blocks shared by every domain: money, time windows, errors, masking."""
