"""Seamless coverage checks (R8.1 无缝覆盖, 规模适度)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from gridgov.testing.regions import box, halves, make_grid, make_tree
from regions.coverage import check_region
from regions.importers import import_boundaries, import_divisions


@pytest.fixture(autouse=True)
def _english():
    """These messages are written in English (docs/i18n.md): read them in English here; a
    Chinese user gets them translated."""
    with translation.override("en"):
        yield


DEMO = Path(__file__).resolve().parents[2] / "demo" / "data" / "jiangmen"

pytestmark = pytest.mark.django_db


def kinds(report) -> list[tuple[str, tuple[str, ...]]]:
    return [(p.kind, p.codes) for p in report.errors]


def test_real_jiangmen_outlines_show_the_slivers_between_neighbouring_counties(capsys):
    """R8.1: run on the real (repaired) county outlines, the check finds the overlap between
    蓬江区 and 鹤山市 and the enclosed sliver gap, with areas and locations, and exits 1."""
    import_divisions(DEMO, city="4407")
    import_boundaries(DEMO / "jiangmen-counties.geojson", repair=True)
    with pytest.raises(CommandError, match="2 coverage problems found"):
        call_command("check_coverage", "--region", "4407")
    out = capsys.readouterr().out
    overlap = next(line for line in out.splitlines() if "overlap" in line)
    assert "440703,440784" in overlap
    assert "area=32,5" in overlap and " m²" in overlap and "at 112.9" in overlap
    gap = next(line for line in out.splitlines() if " gap " in line)
    assert "4407,440784" in gap and "area=5,4" in gap


def test_exact_tiling_passes():
    tree = make_tree()
    halves(tree)
    report = check_region("4407")
    assert report.ok, [p.line() for p in report.problems]
    assert report.units_checked == 2 + 1 + 1 + 4  # villages, township, county, grids


def test_grid_outside_its_village_overlap_and_gap_are_found_with_points():
    tree = make_tree()
    v1, v2 = tree["v1"], tree["v2"]
    make_grid(v1, 1, box(0, 0, 0.6, 1))  # overlaps the next one by 0.1 km²
    make_grid(v1, 2, box(0.5, 0, 1, 1))
    make_grid(v2, 1, box(1, 0, 1.5, 0.8))  # leaves a gap in the north
    make_grid(v2, 2, box(1.5, 0, 2.2, 1))  # reaches 0.2 km into nowhere
    report = check_region("440703")
    found = kinds(report)
    assert ("overlap", ("440703002101001", "440703002101002")) in found
    assert ("gap", ("440703002102", "440703002102001", "440703002102002")) in found
    assert ("outside", ("440703002102002", "440703002102")) in found
    overlap = next(p for p in report.errors if p.kind == "overlap")
    assert overlap.area_m2 == pytest.approx(0.1 * 1.0 * 1.03e6 * 1.11, rel=0.05)
    lng, lat = overlap.point
    assert box(0.5, 0, 0.6, 1).contains(__import__("shapely").Point(lng, lat))


def test_tolerance_hides_floating_point_noise_but_not_real_slivers():
    tree = make_tree()
    v1, v2 = tree["v1"], tree["v2"]
    make_grid(v1, 1, box(0, 0, 0.5, 1))
    make_grid(v1, 2, box(0.50005, 0, 1, 1))  # a 5 cm wide, 1 km long sliver: ~57 m²
    make_grid(v2, 1, box(1, 0, 2, 1))
    assert not check_region("4407", tolerance_m2=100).errors
    gaps = check_region("4407", tolerance_m2=1).errors
    assert [p.kind for p in gaps] == ["gap"] and 40 < gaps[0].area_m2 < 80


def test_households_outside_the_bounds_are_warnings_not_errors(settings, capsys):
    """R8.1 规模适度: configurable bounds per village type, reported, not fatal."""
    settings.GRIDGOV = {
        **settings.GRIDGOV,
        "GRID_HOUSEHOLDS": {"urban": (300, 500), "rural": (100, 300)},
    }
    tree = make_tree()
    make_grid(tree["v1"], 1, box(0, 0, 1, 1), households=900)
    make_grid(tree["v2"], 1, box(1, 0, 2, 1), households=400)
    call_command("check_coverage", "--region", "4407")  # exits 0
    out = capsys.readouterr().out
    assert "WARNING size        440703002101001  900 households, outside 300–500" in out
    assert "0 problems, 1 warnings" in out


def test_command_arguments(capsys):
    with pytest.raises(CommandError, match="no region with code 9999"):
        call_command("check_coverage", "--region", "9999")
    tree = make_tree()
    with pytest.raises(CommandError, match="must not be negative"):
        call_command("check_coverage", "--tolerance", "-1")
    # a village with a polygon and no grids is a gap as big as the village
    with pytest.raises(CommandError, match="2 coverage problems"):
        call_command("check_coverage")  # every top-level region
    assert "gap         440703002101  area=1,138,596.0 m²" in capsys.readouterr().out
    halves(tree)
    call_command("check_coverage")
    assert "44: " in capsys.readouterr().out


def test_generated_demo_county_covers_exactly():
    """The demo's generated townships, villages and grids tile the real county outline."""
    from demo.regions import load

    summary = load(counties_wanted=["440704"])
    assert "grids" in summary
    report = check_region("440704")
    assert report.ok, [p.line() for p in report.errors[:5]]
    assert report.units_checked > 50
