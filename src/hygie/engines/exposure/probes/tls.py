"""Probe module tls (being written)."""
