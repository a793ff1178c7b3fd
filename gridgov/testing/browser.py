"""Real-browser tests: Playwright driving Debian's Chromium (never a downloaded browser).

Tests marked ``@pytest.mark.browser`` get a ``page`` fixture from ``gridgov/tests``' conftest.
Without /usr/bin/chromium they are skipped with one line, unless ``GRIDGOV_REQUIRE_BROWSER=1``
(set by ``.ci/run``), where a missing browser fails the run.
"""

from __future__ import annotations

import os
import time
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


def wait_until(page: Any, expression: str, timeout_ms: float = 15_000, arg: Any = None) -> Any:
    """Wait until ``expression`` (JavaScript, or a function of ``arg``) is truthy on the page,
    and return its value. Playwright's ``wait_for_function`` polls by compiling the expression
    with ``new Function`` inside the page, which the Content-Security-Policy refuses (no
    'unsafe-eval', R22.1); ``page.evaluate`` goes through the DevTools protocol instead."""
    deadline = time.monotonic() + timeout_ms / 1000
    while True:
        value = page.evaluate(expression, arg)
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"not true after {timeout_ms:.0f} ms: {expression}")
        page.wait_for_timeout(100)


def tap_on_map(page: Any, map_id: str, lng: float, lat: float) -> None:
    """Tap the point (lng, lat) on a map of ``GridgovPointPicker`` (``point-picker.js``), as a
    finger would. The map's script runs after the page shows, so this waits for the picker."""
    picker = f"document.getElementById({map_id!r}).gridgovPicker"
    wait_until(page, picker)
    spot = page.evaluate(
        f"([lat, lng]) => {picker}.map.latLngToContainerPoint([lat, lng])", [lat, lng]
    )
    page.locator(f"#{map_id}").tap(position={"x": spot["x"], "y": spot["y"]})


# Every Content-Security-Policy violation of a context's pages, whatever page it happens on
# (a function the init script calls survives navigations; the browser reports the violation
# to the page as a ``securitypolicyviolation`` event).
_CSP_WATCH = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__gridgovCspViolation({
    page: location.pathname + location.search,
    directive: event.effectiveDirective || event.violatedDirective,
    blocked: event.blockedURI,
    source: event.sourceFile,
    line: event.lineNumber,
    sample: event.sample,
  });
}, true);
"""


def watch_csp(context: Any) -> list[dict[str, Any]]:
    """Record every CSP violation of ``context``'s pages into the list returned (R22.1)."""
    seen: list[dict[str, Any]] = []

    def record(violation: dict[str, Any]) -> None:
        seen.append(violation)

    context.expose_function("__gridgovCspViolation", record)
    context.add_init_script(_CSP_WATCH)
    return seen


# A map's Leaflet object: the point picker's, the grid editor's, or ``el.gridgovMap``.
_MAP_OF = """(el) => el.gridgovMap || (el.gridgovPicker && el.gridgovPicker.map)
  || (window.gridEditor && window.gridEditor.map)"""


def open_map_labels(page: Any, map_id: str) -> list[str]:
    """Open every tooltip and popup bound on the map ``#map_id`` (as hovering and clicking each
    shape would) and return their texts as the page shows them."""
    wait_until(page, f"!!({_MAP_OF})(document.getElementById({map_id!r}))")
    return page.evaluate(
        f"""(id) => {{
            const map = ({_MAP_OF})(document.getElementById(id));
            const texts = [];
            map.eachLayer((layer) => {{
                if (layer.getTooltip && layer.getTooltip()) {{
                    layer.openTooltip();
                    texts.push(layer.getTooltip().getElement().textContent);
                }}
                if (layer.getPopup && layer.getPopup()) {{
                    layer.openPopup();
                    texts.push(layer.getPopup().getElement().textContent);
                }}
            }});
            return texts;
        }}""",
        map_id,
    )
