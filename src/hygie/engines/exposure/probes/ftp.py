"""Probe module ftp (being written)."""
