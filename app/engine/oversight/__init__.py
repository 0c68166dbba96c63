"""Oversight of ALPR use: who data may go to, written permissions, breaches, audits and reports."""
