"""Probe module banner (being written)."""
