"""Probe module dicom (being written)."""
