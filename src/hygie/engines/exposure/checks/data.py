"""Check module data (being written)."""
