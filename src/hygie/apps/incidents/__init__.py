"""Incident response and crisis management: cases, crisis log, regulatory clocks, crisis cell, crisis kit."""
