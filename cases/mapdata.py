"""Map layers of the agency console: grid polygons with open-case counts, and case points.

A county holds a thousand grids or more, drawn with every vertex of their surveyed borders.
For display they are simplified (``shapely.simplify``, ~10 m) and rounded to five decimals
(~1 m), once per jurisdiction and grid generation (``regions.index`` bumps the generation on
every committed grid change), and cached as ready-made JSON text. Counts are not cached: one
GROUP BY per request.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import numpy as np
import shapely
from django.core.cache import cache
from django.db.models import Count, QuerySet

from cases.models import Case
from gridgov.access import scoping
from regions import index as grid_index
from regions.models import Grid

SIMPLIFY_TOLERANCE = 1e-4  # degrees, about 10 m: invisible at the zoom a whole county needs
PRECISION = 1e-5  # about 1 m
CACHE_SECONDS = 24 * 3600
MAX_POINTS = 5000  # markers sent at once; beyond that the list and filters narrow it down


def _cache_key(prefixes: tuple[str, ...], generation: str) -> str:
    scope = ",".join(prefixes) if prefixes else "*"
    digest = hashlib.sha1(scope.encode()).hexdigest()[:16]
    return f"cases:console-grids:{generation}:{digest}"


def _grids(prefixes: tuple[str, ...] | None) -> QuerySet[Grid]:
    # Grids are public (R8.4) and carry no scope rule; the console shows those of the user's
    # jurisdiction only (None: the unrestricted superuser).
    grids = Grid.objects.current().filter(geometry_wkb__isnull=False)
    if prefixes is not None:
        grids = grids.filter(scoping.prefix_q(["code"], prefixes))
    return grids


def build_grid_features(prefixes: tuple[str, ...] | None) -> str:
    """The grids as a JSON array of GeoJSON features (text), simplified for display."""
    rows = list(_grids(prefixes).order_by("code").values_list("code", "name", "geometry_wkb"))
    if not rows:
        return "[]"
    geoms = shapely.from_wkb(np.array([bytes(r[2]) for r in rows], dtype=object))
    simple = shapely.simplify(geoms, SIMPLIFY_TOLERANCE, preserve_topology=True)
    simple = shapely.set_precision(simple, PRECISION, mode="pointwise")
    texts = shapely.to_geojson(simple)
    parts = [
        '{"type":"Feature","properties":'
        + json.dumps({"code": code, "name": name}, ensure_ascii=False)
        + ',"geometry":'
        + text
        + "}"
        for (code, name, _wkb), text in zip(rows, texts, strict=True)
    ]
    return "[" + ",".join(parts) + "]"


def grid_features(prefixes: tuple[str, ...] | None) -> str:
    """:func:`build_grid_features`, cached per jurisdiction and grid generation."""
    key = _cache_key(prefixes or (), grid_index.current_generation())
    if prefixes is None:
        key += ":all"
    text = cache.get(key)
    if text is None:
        text = build_grid_features(prefixes)
        cache.set(key, text, CACHE_SECONDS)
    return text


def open_counts(cases: QuerySet[Case]) -> dict[str, int]:
    """Cases per grid code (one GROUP BY)."""
    return dict(cases.values_list("grid_code").annotate(n=Count("pk")).order_by())


def grid_layer(prefixes: tuple[str, ...] | None, cases: QuerySet[Case]) -> str:
    """``{"type": "FeatureCollection", "counts": {...}, "features": [...]}`` as text."""
    counts = json.dumps(open_counts(cases), separators=(",", ":"))
    return (
        '{"type":"FeatureCollection","counts":'
        + counts
        + ',"features":'
        + grid_features(prefixes)
        + "}"
    )


def case_points(cases: QuerySet[Case]) -> dict[str, Any]:
    """Markers for the map: compact rows, newest first, at most :data:`MAX_POINTS`."""
    rows = list(
        cases.order_by("-created_at", "-pk").values_list(
            "pk", "lng", "lat", "state", "deadline_status", "tracking_code", "urgency"
        )[: MAX_POINTS + 1]
    )
    truncated = len(rows) > MAX_POINTS
    return {
        "fields": ["id", "lng", "lat", "state", "deadline", "code", "urgency"],
        "cases": [
            [pk, round(lng, 6), round(lat, 6), state, deadline, code, urgency]
            for pk, lng, lat, state, deadline, code, urgency in rows[:MAX_POINTS]
        ],
        "truncated": truncated,
        "counts": open_counts(cases),
    }
