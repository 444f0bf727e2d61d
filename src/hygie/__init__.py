"""Hygie: cyber-resilience platform for health establishments."""
