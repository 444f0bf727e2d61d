"""Continuity and recovery: a recovery model, validated, and its recovery simulated against a scenario."""
