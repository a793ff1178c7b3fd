"""The browser-facing security policy (R22.1): Content-Security-Policy and HTTPS settings.

Kept out of settings.py so the policy reads as one piece and its helpers can be tested. The
policy forbids every inline script (event-handler attributes and ``<script>`` bodies), every
``eval``, every inline ``<style>`` and ``style=""`` attribute, plugins, framing and foreign
bases. Scripts set styles through the CSSOM (``element.style.x = …``), which CSP allows: that
is how Leaflet and ECharts position their layers. Server data that a script writes into the
page is text (``gridgov/static/gridgov/text.js``); the policy is the second wall should a
place be missed.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

SELF = "'self'"
NONE = "'none'"


def origin_of(url_template: str) -> str | None:
    """The CSP source of a tile URL template, e.g. ``https://{s}.tiles.gov.cn/{z}/{x}/{y}.png``
    → ``https://*.tiles.gov.cn``; None for a same-origin (relative) or blank URL."""
    url = (url_template or "").strip()
    if not url:
        return None
    parts = urlsplit(url.replace("{s}", "x-subdomain"))
    if not parts.scheme or not parts.netloc:
        return None  # relative: served by this site
    if parts.scheme not in {"http", "https"}:
        raise ImproperlyConfigured(f"a tile URL must be http(s), not {url_template!r}")
    host = parts.netloc.replace("x-subdomain", "*")
    if "{" in host:
        raise ImproperlyConfigured(f"a tile URL's host may hold only {{s}}: {url_template!r}")
    return f"{parts.scheme}://{host}"


def content_security_policy(
    extra_origins: Iterable[str] = (), report_uri: str = ""
) -> dict[str, list[str]]:
    """The directives for django-csp (``{"DIRECTIVES": …}``): same-origin everything, plus the
    configured tile server(s) for images and fetches (raster tiles are images; vector and
    PMTiles tiles are fetched)."""
    extra = [o for o in dict.fromkeys(extra_origins) if o]
    directives = {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "blob:", *extra],
        "font-src": [SELF],
        "connect-src": [SELF, *extra],
        # the phone app's service worker (/m/sw.js) is a same-origin script
        "worker-src": [SELF],
        "manifest-src": [SELF],
        "media-src": [SELF],
        "object-src": [NONE],
        "frame-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
    if report_uri:
        directives["report-uri"] = [report_uri]
    return directives


# The API documentation pages (drf-spectacular's Swagger UI and Redoc, served from the sidecar
# package, offline) come with an inline <style>, and Swagger UI's and Redoc's bundles set
# style attributes and (Redoc) start a worker from a blob. Only those two pages get this.
API_DOCS_POLICY_UPDATE = {
    "style-src": ["'unsafe-inline'"],
    "worker-src": ["blob:"],
}


def proxy_ssl_header(value: str) -> tuple[str, str] | None:
    """``"X-Forwarded-Proto: https"`` → Django's ``("HTTP_X_FORWARDED_PROTO", "https")``:
    the header a TLS-terminating proxy in front of the site sets (and strips from clients)."""
    value = (value or "").strip()
    if not value:
        return None
    name, sep, expected = value.partition(":")
    name, expected = name.strip(), expected.strip()
    if (
        not sep
        or not name
        or not expected
        or not (name.replace("-", "").isascii() and name.replace("-", "").isalnum())
    ):
        raise ImproperlyConfigured(
            f"GRIDGOV_PROXY_SSL_HEADER must look like 'X-Forwarded-Proto: https', not {value!r}"
        )
    return "HTTP_" + name.upper().replace("-", "_"), expected
