"""The browser-facing security policy (issue 10; R22.1): the Content-Security-Policy on every
page, HTTPS and HSTS in production with a clean ``check --deploy``, and no template or script
that writes server data as HTML or carries inline script."""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from gridgov import security

ROOT = Path(settings.BASE_DIR)
APPS = ("gridgov", "audit", "regions", "workdays", "people", "matters", "cases", "fieldwork")


def directives(header: str) -> dict[str, list[str]]:
    parts = (p.strip().split() for p in header.split(";") if p.strip())
    return {p[0]: p[1:] for p in parts}


def test_r22_1_every_page_carries_a_policy_without_inline_script(client):
    response = client.get("/accounts/login/")
    policy = directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval'
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["worker-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:", "blob:"]
    assert policy["connect-src"] == ["'self'"]


def test_r22_1_only_the_api_documentation_relaxes_styles(client):
    for path in ("/api/docs/", "/api/redoc/"):
        policy = directives(client.get(path)["Content-Security-Policy"])
        assert policy["script-src"] == ["'self'"], path
        assert "'unsafe-inline'" in policy["style-src"], path
    swagger = client.get("/api/docs/").content.decode()
    assert re.search(r"<script>", swagger) is None  # its start-up script is a file
    assert "fonts.googleapis.com" not in client.get("/api/redoc/").content.decode()


@pytest.mark.parametrize(
    ("template", "origin"),
    [
        ("https://tiles.gov.example/{z}/{x}/{y}.png", "https://tiles.gov.example"),
        ("http://{s}.tiles.local:8080/osm/{z}/{x}/{y}.png", "http://*.tiles.local:8080"),
        ("/tiles/{z}/{x}/{y}.png", None),
        ("", None),
    ],
)
def test_r22_1_the_tile_server_is_the_only_foreign_origin_allowed(template, origin):
    assert security.origin_of(template) == origin
    policy = security.content_security_policy([origin] if origin else [])
    expected = ["'self'", origin] if origin else ["'self'"]
    assert policy["connect-src"] == expected
    assert policy["img-src"] == ["'self'", "data:", "blob:", *expected[1:]]


@pytest.mark.parametrize("template", ["ftp://tiles/{z}/{x}/{y}", "https://{z}.tiles/{x}/{y}"])
def test_r22_1_a_tile_url_the_policy_cannot_express_is_refused(template):
    with pytest.raises(ImproperlyConfigured):
        security.origin_of(template)


def test_r22_1_the_proxy_ssl_header_is_read_from_a_setting():
    assert security.proxy_ssl_header("X-Forwarded-Proto: https") == (
        "HTTP_X_FORWARDED_PROTO",
        "https",
    )
    assert security.proxy_ssl_header("") is None
    for bad in ("X-Forwarded-Proto", "X Forwarded: https", ": https", "X-Ｆ: https"):
        with pytest.raises(ImproperlyConfigured):
            security.proxy_ssl_header(bad)


def production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """A production-like environment: strong keys, a real host name, Redis, behind a proxy."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GRIDGOV_", "DJANGO_"))}
    env.pop("DATABASE_URL", None)
    env.update(
        GRIDGOV_ENV="production",
        GRIDGOV_SECRET_KEY=secrets.token_urlsafe(50),
        GRIDGOV_DATA_KEY=secrets.token_hex(32),
        GRIDGOV_ALLOWED_HOSTS="grid.jiangmen.example",
        GRIDGOV_PROXY_SSL_HEADER="X-Forwarded-Proto: https",
        GRIDGOV_VAR_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        REDIS_URL=os.environ.get("GRIDGOV_TEST_REDIS_URL", "redis://127.0.0.1:6379/15"),
        **extra,
    )
    return env


def test_r22_1_check_deploy_is_clean_in_production(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client
c = Client(SERVER_NAME="grid.jiangmen.example")
plain = c.get("/accounts/login/")
proxied = c.get("/healthz", HTTP_X_FORWARDED_PROTO="https")
health = c.get("/healthz")
print(json.dumps({
    "plain": [plain.status_code, plain.get("Location", "")],
    "hsts": proxied.get("Strict-Transport-Security", ""),
    "health": health.status_code,
    "csp": proxied.get("Content-Security-Policy", ""),
    "csp_ro": proxied.get("Content-Security-Policy-Report-Only", ""),
}))
"""


def probe(tmp_path: Path, **extra: str) -> dict:
    env = production_env(tmp_path, DJANGO_SETTINGS_MODULE="gridgov.settings", **extra)
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_r22_1_production_redirects_to_https_and_sends_hsts(tmp_path):
    answer = probe(tmp_path)
    assert answer["plain"] == [301, "https://grid.jiangmen.example/accounts/login/"]
    assert answer["hsts"] == "max-age=31536000; includeSubDomains"
    assert answer["health"] == 200  # load balancers probe over plain http
    assert "script-src 'self'" in answer["csp"] and answer["csp_ro"] == ""


def test_r22_1_the_policy_can_be_tried_in_report_only_mode(tmp_path):
    answer = probe(tmp_path, GRIDGOV_CSP_REPORT_ONLY="1", GRIDGOV_CSP_REPORT_URI="/csp-report")
    assert answer["csp"] == ""
    assert "script-src 'self'" in answer["csp_ro"] and "report-uri /csp-report" in answer["csp_ro"]


# --- the source: no inline script, no server data as HTML ---------------------------------
def templates() -> list[Path]:
    return [p for app in APPS for p in (ROOT / app).rglob("templates/**/*.html")]


def scripts() -> list[Path]:
    return [p for app in APPS for p in (ROOT / app).rglob("static/**/*.js")]


def test_r22_1_templates_carry_no_inline_script_or_style():
    """Event-handler attributes, <script> bodies, <style> blocks, style="" attributes and
    hx-on (inline script for htmx) are refused by the policy: none in any template."""
    found = []
    for path in templates():
        text = path.read_text()
        for pattern in (
            r"\son[a-z]+\s*=",
            r"<script(?![^>]*\bsrc=)[^>]*>",
            r"<style",
            r"\sstyle\s*=",
            r"hx-on",
            r"javascript:",
        ):
            found += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in re.finditer(pattern, text)]
    assert found == []


def test_r22_1_scripts_write_server_data_as_text():
    """Leaflet reads a string tooltip or popup as HTML: every one gets a GridgovText element
    (or a function returning one). innerHTML is only ever cleared or given fixed markup;
    insertAdjacentHTML and document.write are not used. (The one outerHTML, in reveal.js,
    swaps in the server's own rendered fragment, escaped by Django, as htmx does.)"""
    found = []
    for path in scripts():
        text = path.read_text()
        name = path.relative_to(ROOT)
        for m in re.finditer(r"\.bind(?:Tooltip|Popup)\(\s*([^)]{0,40})", text):
            if not m.group(1).startswith(("GridgovText.", "function")):
                found.append(f"{name}: {m.group(0)}")
        for m in re.finditer(r"\.innerHTML\s*=\s*([^;]*);", text):
            if not re.fullmatch(r'"[^"+]*"|\'[^\'+]*\'', m.group(1).strip()):
                found.append(f"{name}: {m.group(0)}")
        for pattern in (r"insertAdjacentHTML", r"document\.write", r"\.html\s*\("):
            found += [f"{name}: {m.group(0)}" for m in re.finditer(pattern, text)]
    assert found == []
