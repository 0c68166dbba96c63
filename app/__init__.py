"""ALPR investigator workstation."""
