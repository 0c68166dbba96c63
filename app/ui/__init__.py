"""The investigator's desktop (PySide6). The engine in ``app.engine`` never imports this."""
