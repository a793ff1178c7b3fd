"""The phone app is installable: a manifest with the app's own icons, and a service worker at
``/m/sw.js`` (scope ``/m/``) that pre-caches the app shell in a versioned cache."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.staticfiles import finders
from PIL import Image, ImageChops, ImageStat

from fieldwork import icons, pwa

pytestmark = pytest.mark.django_db


def test_manifest_names_the_app_in_chinese_with_png_icons(client):
    response = client.get("/m/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["name"] == "智慧网格·网格员工作台" and manifest["short_name"] == "网格员"
    assert (manifest["start_url"], manifest["scope"], manifest["display"]) == (
        "/m/",
        "/m/",
        "standalone",
    )
    purposes = {icon["purpose"] for icon in manifest["icons"]}
    assert purposes == {"any", "maskable"}
    for icon in manifest["icons"]:
        path = finders.find(icon["src"].removeprefix("/static/"))
        assert path, icon["src"]
        with Image.open(path) as image:
            assert image.format == "PNG"
            assert f"{image.width}x{image.height}" == icon["sizes"]


def test_committed_icons_are_the_ones_the_script_draws():
    """The icons are ours (drawn by fieldwork/icons.py), not a third-party set."""
    for name, (size, maskable) in icons.SIZES.items():
        drawn = icons.draw(size, maskable=maskable)
        with Image.open(icons.ICON_DIR / name) as committed:
            assert committed.size == drawn.size == (size, size)
            difference = ImageChops.difference(committed.convert("RGBA"), drawn)
            assert max(ImageStat.Stat(difference).mean) < 2  # the same picture


def test_service_worker_is_served_for_the_app_scope_and_never_cached_by_http(client):
    response = client.get("/m/sw.js")
    body = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Cache-Control"] == "no-cache"
    assert response["Service-Worker-Allowed"] == "/m/"
    assert f'const VERSION = "{pwa.version()}";' in body
    assert 'const SCOPE = "/m/";' in body
    assert 'const PAGES = ["/m/", "/m/report/", "/m/registry/"];' in body


def test_service_worker_precaches_every_shell_asset_and_each_exists(client):
    body = client.get("/m/sw.js").content.decode()
    assets = json.loads(re.search(r"const ASSETS = (\[.*?\]);", body).group(1))
    assert "/static/fieldwork/app.js" in assets and "/static/vendor/leaflet/leaflet.js" in assets
    assert any("htmx" in a for a in assets)
    for url in assets:
        assert finders.find(url.removeprefix("/static/")), f"{url} is not a static file"


def test_the_shell_pages_load_only_precached_static_files(client, world):
    """A page served offline needs its scripts and styles from the cache: every static file
    the shell pages reference is in the pre-cache list."""
    client.force_login(world.worker)
    precached = {f"/static/{p}" for p in pwa.shell_static()}
    for url in ("/m/", "/m/report/"):
        page = client.get(url).content.decode()
        used = set(re.findall(r'(?:src|href)="(/static/[^"]+)"', page))
        assert used and used <= precached, used - precached


def test_cache_version_changes_when_a_shell_file_changes(tmp_path, settings, monkeypatch):
    """A new deployment of the shell installs a new worker (old caches are dropped)."""
    before = pwa.version()
    original = finders.find

    def changed(path, *args, **kwargs):
        if path == "fieldwork/app.js":
            copy = tmp_path / "app.js"
            copy.write_text("// changed\n")
            return str(copy)
        return original(path, *args, **kwargs)

    monkeypatch.setattr(finders, "find", changed)
    pwa._version.cache_clear()
    try:
        assert pwa.version() != before
    finally:
        pwa._version.cache_clear()
