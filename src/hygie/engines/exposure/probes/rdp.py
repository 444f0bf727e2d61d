"""Probe module rdp (being written)."""
