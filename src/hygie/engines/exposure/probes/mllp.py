"""Probe module mllp (being written)."""
