"""Probe module http (being written)."""
