"""Oversight of ALPR use: the audit cycle, and what the agency publishes and certifies about it."""
