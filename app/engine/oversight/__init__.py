"""Oversight: the records that let others check how ALPR data was used and kept."""
