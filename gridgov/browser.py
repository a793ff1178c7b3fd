"""Real-browser tests: Playwright driving Debian's Chromium (never a downloaded browser).

Tests marked ``@pytest.mark.browser`` get a ``page`` fixture from ``gridgov/tests``' conftest.
Without /usr/bin/chromium they are skipped with one line, unless ``GRIDGOV_REQUIRE_BROWSER=1``
(set by ``.ci/run``), where a missing browser fails the run.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

CHROMIUM = Path(os.environ.get("GRIDGOV_CHROMIUM", "/usr/bin/chromium"))
# Flags for a closed network: no background traffic, no first-run, no sandbox as root.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1366, "height": 900}
WALL = {"width": 1920, "height": 1080}


def browser_available() -> bool:
    return CHROMIUM.exists()


def browser_required() -> bool:
    return os.environ.get("GRIDGOV_REQUIRE_BROWSER") == "1"


def tap_on_map(page: Any, map_id: str, lng: float, lat: float) -> None:
    """Tap the point (lng, lat) on a map of ``GridgovPointPicker`` (``point-picker.js``), as a
    finger would. The map's script runs after the page shows, so this waits for the picker."""
    picker = f"document.getElementById({map_id!r}).gridgovPicker"
    page.wait_for_function(picker)
    spot = page.evaluate(
        f"([lat, lng]) => {picker}.map.latLngToContainerPoint([lat, lng])", [lat, lng]
    )
    page.locator(f"#{map_id}").tap(position={"x": spot["x"], "y": spot["y"]})
