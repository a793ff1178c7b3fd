"""The phone app as an installable web app: its manifest and its service worker.

The service worker is served from ``/m/sw.js`` so that its scope is ``/m/`` (a worker controls
the pages at or below its own URL). It pre-caches the app shell (the tasks, report and
basic-information pages and the static files they load) into a cache named after a version: a
hash of the worker's code and of those files, so any change to them installs a new worker that
drops the old caches.
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import get_template, render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django_htmx.jinja import htmx_script

SHELL_PAGES = ("fieldwork:home", "fieldwork:report", "fieldwork:registry")
# Static files the shell pages load (besides htmx, found from its template tag below).
SHELL_STATIC = (
    "gridgov/site.css",
    "gridgov/site.js",
    "gridgov/text.js",
    "gridgov/point-picker.js",
    "gridgov/basemap.js",
    "gridgov/map-search.js",
    "vendor/protomaps-leaflet/protomaps-leaflet.js",
    "vendor/pmtiles/pmtiles.js",
    "gridgov/photos.js",
    "vendor/leaflet/leaflet.css",
    "vendor/leaflet/leaflet.js",
    "vendor/leaflet/images/marker-icon.png",
    "vendor/leaflet/images/marker-icon-2x.png",
    "vendor/leaflet/images/marker-shadow.png",
    "fieldwork/app.css",
    "fieldwork/outbox.js",
    "fieldwork/app.js",
    "fieldwork/icons/icon-192.png",
)
ICONS = (
    ("fieldwork/icons/icon-192.png", "192x192", "any"),
    ("fieldwork/icons/icon-512.png", "512x512", "any"),
    ("fieldwork/icons/maskable-512.png", "512x512", "maskable"),
)
THEME_COLOR = "#0b5cad"


def _htmx_paths() -> list[str]:
    """The static paths ``{% htmx_script %}`` loads (whatever version django-htmx ships)."""
    prefix = static("")
    return [src.removeprefix(prefix) for src in re.findall(r'src="([^"]+)"', str(htmx_script()))]


def shell_static() -> list[str]:
    return [*SHELL_STATIC, *_htmx_paths()]


def version() -> str:
    """A hash of the worker's template and every pre-cached static file (computed once per
    process; on every request while developing, where files change under a running server)."""
    if settings.DEBUG:
        return _version.__wrapped__()
    return _version()


@lru_cache(maxsize=1)
def _version() -> str:
    digest = hashlib.sha256()
    template = get_template("fieldwork/sw.js")
    digest.update(Path(template.origin.name).read_bytes())
    for path in shell_static():
        found = finders.find(path)
        digest.update(path.encode())
        if found:
            digest.update(Path(found).read_bytes())
    return digest.hexdigest()[:12]


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    body = render_to_string(
        "fieldwork/sw.js",
        {
            "version": version(),
            "scope": reverse("fieldwork:home"),
            "pages": json.dumps([reverse(name) for name in SHELL_PAGES]),
            "assets": json.dumps([static(path) for path in shell_static()]),
            "static_prefix": static(""),
        },
    )
    response = HttpResponse(body, content_type="application/javascript; charset=utf-8")
    # The browser must see a new worker as soon as one is deployed.
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = reverse("fieldwork:home")
    return response


@require_GET
def manifest(request: HttpRequest) -> JsonResponse:
    scope = reverse("fieldwork:home")
    response = JsonResponse(
        {
            "name": _("智慧网格·网格员工作台"),
            "short_name": _("网格员"),
            "description": _("网格员巡查上报、核实、核查,离线也能先保存后发送。"),
            "lang": "zh-CN",
            "start_url": scope,
            "scope": scope,
            "id": scope,
            "display": "standalone",
            "orientation": "portrait",
            "background_color": "#f6f8fa",
            "theme_color": THEME_COLOR,
            "icons": [
                {"src": static(path), "sizes": sizes, "type": "image/png", "purpose": purpose}
                for path, sizes, purpose in ICONS
            ],
        },
        json_dumps_params={"ensure_ascii": False},
        content_type="application/manifest+json",
    )
    response["Cache-Control"] = "no-cache"
    return response
