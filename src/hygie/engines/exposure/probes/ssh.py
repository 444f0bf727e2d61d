"""Probe module ssh (being written)."""
