"""Probe module smb (being written)."""
