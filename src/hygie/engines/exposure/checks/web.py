"""Check module web (being written)."""
