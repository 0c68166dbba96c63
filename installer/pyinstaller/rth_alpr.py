# PyInstaller runtime hook of the bundle: arms the start-up probe (app/ui/screenshot_hook.py)
# when ALPR_SCREENSHOT or ALPR_LOGIN_PROBE is set; it loads nothing of Qt itself.
import os

if os.environ.get("ALPR_SCREENSHOT") or os.environ.get("ALPR_LOGIN_PROBE"):
    from app.ui import screenshot_hook
    screenshot_hook.arm_on_import()
