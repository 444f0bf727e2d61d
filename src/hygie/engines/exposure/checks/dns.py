"""Check module dns (being written)."""
