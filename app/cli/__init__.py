"""The command-line program ``alpr``."""
