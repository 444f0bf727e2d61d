"""Probe module databases (being written)."""
