"""The workstation's engine: every rule lives here, and nothing here imports Qt."""
