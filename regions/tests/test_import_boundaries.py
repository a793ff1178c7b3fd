"""Attaching polygons to regions from GeoJSON, with real-world faults (R8.1)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from regions.importers import ImportRefused, import_boundaries, import_divisions
from regions.models import Region


@pytest.fixture(autouse=True)
def _english():
    """These messages are written in English (docs/i18n.md): read them in English here; a
    Chinese user gets them translated."""
    with translation.override("en"):
        yield


DEMO = Path(__file__).resolve().parents[2] / "demo" / "data" / "jiangmen"
COUNTIES = DEMO / "jiangmen-counties.geojson"

pytestmark = pytest.mark.django_db


@pytest.fixture
def jiangmen():
    import_divisions(DEMO, city="4407")


def with_geometry() -> int:
    return Region.objects.filter(geometry_wkb__isnull=False).count()


def write(tmp_path: Path, data) -> Path:
    path = tmp_path / "b.geojson"
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def feature(code, geometry, **props):
    return {"type": "Feature", "id": code, "properties": props, "geometry": geometry}


SQUARE = {"type": "Polygon", "coordinates": [[[113, 22], [113.1, 22], [113.1, 22.1], [113, 22]]]}


def test_real_outlines_are_refused_without_repair_with_reason_and_location(jiangmen, capsys):
    """Five of the seven real county outlines self-intersect: each is reported (code, name,
    GEOS reason, location) and nothing is stored."""
    with pytest.raises(CommandError, match="5 invalid geometries"):
        call_command("import_boundaries", str(COUNTIES))
    err = capsys.readouterr().err
    assert "440784 鹤山市: Self-intersection at 112.936523,22.639648" in err
    assert "440705 新会区: Ring Self-intersection at" in err
    assert with_geometry() == 0


def test_repair_makes_them_valid_and_reports_area_before_and_after(jiangmen, capsys):
    call_command("import_boundaries", str(COUNTIES), "--repair")
    out = capsys.readouterr().out
    assert "stored 7 boundaries (5 repaired)" in out
    line = next(x for x in out.splitlines() if x.startswith("repaired 440784 鹤山市"))
    assert "Self-intersection at 112.936523,22.639648" in line
    assert "area 1082.754 km² → 1082.792 km²" in line
    heshan = Region.objects.get(code="440784")
    assert heshan.geometry.is_valid
    assert heshan.area_km2 == pytest.approx(1082.79, abs=0.01)
    assert with_geometry() == 7


def test_progress_is_shown(jiangmen, capsys):
    import_boundaries(
        COUNTIES, repair=True, progress=lambda i, n, label: print(f"[{i}/{n}] {label}")
    )
    assert "[7/7] 440785 恩平市" in capsys.readouterr().out


def test_code_may_come_from_properties(jiangmen, tmp_path):
    data = {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": {"code": "440704"}, "geometry": SQUARE}],
    }
    import_boundaries(write(tmp_path, data))
    assert Region.objects.get(code="440704").area_km2 == pytest.approx(57.16, abs=0.01)
    assert with_geometry() == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "the file is empty"),
        ("{not json", "not valid JSON (line 1, column 2"),
        ('{"type": "FeatureCollection", "features": []}', "has no features"),
        ('{"type": "Point", "coordinates": [1, 2]}', "expected a GeoJSON FeatureCollection"),
    ],
)
def test_empty_or_broken_files_are_clear_errors(jiangmen, tmp_path, content, message):
    with pytest.raises(ImportRefused, match=re.escape(message)):
        import_boundaries(write(tmp_path, content))
    assert with_geometry() == 0


def test_unknown_codes_and_non_polygons_store_nothing(jiangmen, tmp_path):
    data = {
        "type": "FeatureCollection",
        "features": [
            feature("440704", SQUARE),  # fine on its own
            feature("449999", SQUARE),
            feature("440703", {"type": "LineString", "coordinates": [[113, 22], [113.1, 22.1]]}),
            feature("440705", {"type": "Polygon", "coordinates": [[[113, 22], [113.1]]]}),
        ],
    }
    with pytest.raises(ImportRefused) as refused:
        import_boundaries(write(tmp_path, data))
    problems = "\n".join(refused.value.problems)
    assert "unknown region codes: 449999" in problems
    assert "must be a Polygon or MultiPolygon, not LineString" in problems
    assert "malformed GeoJSON geometry" in problems
    assert with_geometry() == 0


def test_missing_file_is_one_line(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_boundaries", str(tmp_path / "nope.geojson"))
