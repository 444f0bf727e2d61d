"""Check module remote (being written)."""
