"""Where tests put the pictures they draw: docs/screenshots/ only when `make screenshots` asks
(it names the folder in SL_SCREENSHOTS), otherwise a temporary folder, so `make test` leaves the
tree as it found it (tests/e2e/browser.mjs does the same for the browser's screenshots)."""
import os
import tempfile
from pathlib import Path


def folder() -> Path:
    path = Path(os.environ.get("SL_SCREENSHOTS")
                or Path(tempfile.gettempdir()) / "servicelane-screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path
