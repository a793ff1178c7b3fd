"""What every map of the site draws under its shapes (issue 10, "maps people can read").

Three cases, one setting each (README, Configuration):

- ``GRIDGOV_TILE_URL``: the deployment's own tile server (raster ``{z}/{x}/{y}`` tiles);
- ``GRIDGOV_BASEMAP_PMTILES``: a PMTiles archive (vector MVT or raster PNG/JPEG/WebP) served
  by this site in byte ranges (:func:`basemap_archive`) and drawn by protomaps-leaflet or
  pmtiles' raster layer; the demo builds one from its regions (``regions.basemap``) at the
  default path ``var/basemap/basemap.pmtiles``;
- neither: the shapes alone, on a plain background.

The pages get the choice as JSON (``{{ GRIDGOV_MAPS|json_script:"gridgov-maps" }}`` in
base.html), read by ``gridgov/static/gridgov/basemap.js``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import condition, require_safe
from pmtiles.reader import MmapSource, Reader
from pmtiles.tile import TileType

from gridgov import ranged

RASTER = {TileType.PNG: "png", TileType.JPEG: "jpeg", TileType.WEBP: "webp", TileType.AVIF: "avif"}


def archive_path() -> Path | None:
    value = settings.GRIDGOV.get("BASEMAP_PMTILES", "")
    return Path(value) if value else None


@lru_cache(maxsize=4)
def _archive_header(path: str, mtime_ns: int, size: int) -> dict[str, Any] | None:
    """The archive's header, read once per version of the file (None: not a PMTiles v3)."""
    try:
        with open(path, "rb") as f:
            header = Reader(MmapSource(f)).header()
    except Exception:  # a truncated or foreign file: no base map rather than a broken page
        return None
    return dict(header)


def archive_info() -> dict[str, Any] | None:
    """The configured archive as the pages need it, or None when there is none."""
    path = archive_path()
    if path is None:
        return None
    try:
        stat = path.stat()
    except OSError:
        return None
    header = _archive_header(str(path), stat.st_mtime_ns, stat.st_size)
    if header is None:
        return None
    tile_type = header.get("tile_type")
    if tile_type == TileType.MVT:
        kind = "vector"
    elif tile_type in RASTER:
        kind = "raster"
    else:
        return None
    return {
        "kind": "pmtiles",
        # the version in the URL: a rebuilt archive is a new URL, never a mix of two files
        "url": reverse("basemap-archive") + "?v=" + ranged.etag_of(stat).strip('"'),
        "tiles": kind,
        "minzoom": header.get("min_zoom", 0),
        "maxzoom": header.get("max_zoom", 14),
        "attribution": settings.GRIDGOV.get("BASEMAP_ATTRIBUTION", ""),
    }


def basemap() -> dict[str, Any]:
    tile_url = settings.GRIDGOV["TILE_URL"]
    if tile_url:
        return {
            "kind": "tiles",
            "url": tile_url,
            "attribution": settings.GRIDGOV["TILE_ATTRIBUTION"],
        }
    return archive_info() or {"kind": "none"}


def page_config() -> dict[str, Any]:
    """The maps' settings for a page (the JSON base.html writes): the base map, and the words
    of the place search (map-search.js)."""
    return {
        "basemap": basemap(),
        "search": {
            "placeholder": _("搜索村(社区)、镇街、网格"),
            "label": _("在地图上搜索地点"),
            "none": _("没有找到这个地点"),
        },
    }


def _archive_stat(request: HttpRequest) -> Any:
    path = archive_path()
    try:
        return path.stat() if path else None
    except OSError:
        return None


def _etag(request: HttpRequest) -> str | None:
    stat = _archive_stat(request)
    return ranged.etag_of(stat) if stat else None


def _last_modified(request: HttpRequest) -> datetime | None:
    stat = _archive_stat(request)
    return datetime.fromtimestamp(int(stat.st_mtime), tz=UTC) if stat else None


@require_safe
@condition(etag_func=_etag, last_modified_func=_last_modified)
def basemap_archive(request: HttpRequest) -> HttpResponse:
    """The configured PMTiles archive, in byte ranges: public, like the region outlines it
    draws (R8.4); 404 when no archive is configured or built."""
    path = archive_path()
    if path is None:
        raise Http404("no base map archive")
    return ranged.ranged_file_response(
        request, path, "application/vnd.pmtiles", cache_control="public, max-age=3600"
    )
