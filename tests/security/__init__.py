"""Attacks on the workstation's trust promises, one test per attack (issue 11)."""
