"""Check module services (being written)."""
