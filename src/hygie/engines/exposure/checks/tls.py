"""Check module tls (being written)."""
