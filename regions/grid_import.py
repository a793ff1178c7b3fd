"""Loading a county's first division of grids from a file (R8.1 网格划分, R8.2 filed).

A county that drew its grids elsewhere (a surveying firm, a GIS desk) brings them as GeoJSON
or as a Shapefile (read with pyshp: ``.shp`` with its ``.dbf``/``.shx``, or all of them in one
``.zip``). Each feature is one grid:

- ``village``: the 12-digit code of its village/community, or ``code``: the 15-digit grid code
  (village code + 001, 002, … — given, the codes of a village must run from 001 without gaps);
- ``name`` (optional: 羊桥社区第3网格 by default), ``households``, ``population`` (optional).

Everything is checked before anything is stored, as for ``import_boundaries``: readable file,
polygons in longitude/latitude (a Shapefile's ``.prj`` in another coordinate system is
reprojected with pyproj), valid geometries (GEOS's reason and place; ``repair`` makes them
valid and tells the area before and after), known villages of one county without grids yet,
no grid outside its village and no overlaps. Then ``regions.services.divide_region`` files the
division in one transaction, and the coverage report of the county tells what is left (gaps,
sizes). Refusals are one :class:`ImportRefused` listing every problem.
"""

from __future__ import annotations

import contextlib
import struct
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyproj
import shapefile
import shapely
from django.utils.translation import gettext

from gridgov.errors import DomainError
from regions import coverage, services
from regions import geometry as geo
from regions.importers import (
    MAX_REPORTED_ROWS,
    BoundaryChange,
    ImportRefused,
    check_geometry,
    feature_code,
    load_features,
)
from regions.models import GridChange, Level, Region

GEOJSON_SUFFIXES = {".geojson", ".json"}
SHAPEFILE_SUFFIXES = {".shp", ".zip"}
MAX_COUNT = 2_147_483_647  # households and population are PositiveIntegerFields


@dataclass
class GridImportReport:
    change: GridChange
    county: Region
    grids: int
    villages: int
    repaired: list[BoundaryChange] = field(default_factory=list)
    coverage: coverage.CoverageReport | None = None

    def lines(self) -> Iterator[str]:
        """The report as the command prints it and the upload page shows it."""
        for c in self.repaired:
            before, after = c.area_before_m2, c.area_after_m2
            yield (
                f"repaired {c.code} {c.name}: {c.problem}; area {before / 1e6:.3f} km² → "
                f"{after / 1e6:.3f} km² (Δ {after - before:+,.1f} m²)"
            )
        yield (
            f"stored {self.grids} grids in {self.villages} villages of {self.county.code} "
            f"{self.county.name} (change #{self.change.pk}, "
            f"filed with {self.change.filed_with.code})"
        )
        if self.coverage is not None:
            for problem in self.coverage.problems:
                yield problem.line()
            yield (
                f"coverage of {self.county.code}: {len(self.coverage.errors)} problems, "
                f"{len(self.coverage.warnings)} warnings"
            )


@dataclass
class _Row:
    number: int
    village: str
    sequence: int | None
    spec: services.GridSpec
    label: str


# --- reading ---------------------------------------------------------------------------------


def _sidecar(path: Path, suffix: str) -> str | None:
    """The text of a Shapefile's ``.cpg`` or ``.prj``, beside it or in its zip archive."""
    if path.suffix.lower() == ".zip":
        with zipfile.ZipFile(path) as archive:
            names = [n for n in archive.namelist() if n.lower().endswith(suffix)]
            return archive.read(names[0]).decode("utf-8", "ignore") if names else None
    sidecar = path.with_suffix(suffix)
    return sidecar.read_text(encoding="utf-8", errors="ignore") if sidecar.exists() else None


def _shapefile_encoding(path: Path, given: str | None) -> str:
    """The DBF's text encoding: as given, else the ``.cpg`` (Chinese GIS tools often write
    GBK and say so there), else UTF-8."""
    if given:
        return given
    name = (_sidecar(path, ".cpg") or "").strip().lower()
    return {"936": "gbk", "cp936": "gbk", "65001": "utf-8"}.get(name, name or "utf-8")


def _to_lng_lat(prj: str | None) -> Any:
    """A function reprojecting GeoJSON coordinates to lng/lat, or None when they are."""
    if not prj or not prj.strip():
        return None
    try:
        crs = pyproj.CRS.from_wkt(prj)
    except pyproj.exceptions.CRSError as exc:
        raise ImportRefused(
            f"the .prj file is not a coordinate system pyproj reads: {exc}"
        ) from None
    if crs.is_geographic:
        return None
    transformer = pyproj.Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    return lambda geom: shapely.transform(geom, transformer.transform, interleaved=False)


def _read_shapefile(path: Path, encoding: str | None) -> tuple[list[dict[str, Any]], Any]:
    if not path.exists():
        raise ImportRefused(f"{path}: no such file")
    if path.suffix.lower() == ".zip" and not zipfile.is_zipfile(path):
        raise ImportRefused(f"{path}: not a zip archive")
    try:
        reader = shapefile.Reader(str(path), encoding=_shapefile_encoding(path, encoding))
    except (shapefile.ShapefileException, OSError, ValueError, struct.error) as exc:
        raise ImportRefused(f"{path}: not a readable Shapefile: {exc}") from None
    features = []
    with contextlib.closing(reader):
        if reader.shapeType not in (shapefile.POLYGON, shapefile.POLYGONZ, shapefile.POLYGONM):
            raise ImportRefused(
                f"{path}: the Shapefile holds {reader.shapeTypeName} shapes, not polygons"
            )
        try:
            for item in reader.iterShapeRecords():
                shape = item.shape
                geometry = None if shape.shapeType == shapefile.NULL else shape.__geo_interface__
                features.append(
                    {"type": "Feature", "properties": item.record.as_dict(), "geometry": geometry}
                )
        except (shapefile.ShapefileException, ValueError, struct.error, IndexError) as exc:
            where = f"record {len(features) + 1}"
            raise ImportRefused(f"{path}: {where} cannot be read: {exc}") from None
    if not features:
        raise ImportRefused(f"{path}: the Shapefile has no records")
    return features, _to_lng_lat(_sidecar(path, ".prj"))


def read_features(path: Path, *, encoding: str | None = None) -> tuple[list[dict[str, Any]], Any]:
    """GeoJSON features from a GeoJSON file or a Shapefile, and the reprojection (or None)."""
    suffix = path.suffix.lower()
    if suffix in GEOJSON_SUFFIXES:
        return load_features(path), None
    if suffix in SHAPEFILE_SUFFIXES:
        return _read_shapefile(path, encoding)
    raise ImportRefused(
        f"{path}: give a GeoJSON file (.geojson, .json) or a Shapefile (.shp, or .zip holding "
        ".shp, .shx and .dbf)"
    )


# --- checking --------------------------------------------------------------------------------


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _count(value: Any, name: str) -> int | None:
    """A whole number ≥ 0 from JSON or a DBF (numbers come as int, float or text)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a whole number ≥ 0, not {value!r}")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str):
        text = value.strip()
        if not (text.isascii() and text.isdigit()):
            raise ValueError(f"{name} must be a whole number ≥ 0, not {text[:20]!r}")
        value = int(text[:12]) if len(text) <= 12 else MAX_COUNT + 1
    if not isinstance(value, int) or value < 0 or value > MAX_COUNT:
        raise ValueError(f"{name} must be a whole number from 0 to {MAX_COUNT}, not {value!r}")
    return value


def _parse(
    features: list[dict[str, Any]], reproject: Any, repair: bool
) -> tuple[list[_Row], list[BoundaryChange], list[str]]:
    rows: list[_Row] = []
    repaired: list[BoundaryChange] = []
    problems: list[str] = []
    for number, feature in enumerate(features, start=1):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            problems.append(f"feature {number}: not a GeoJSON Feature")
            continue
        props = feature.get("properties") or {}
        if not isinstance(props, dict):
            problems.append(f"feature {number}: properties must be an object")
            continue
        code = _text(props.get("code")) or (feature_code(feature) if feature.get("id") else "")
        village = _text(props.get("village"))
        sequence = None
        if code:
            if not (code.isascii() and code.isdigit() and len(code) == 15):
                problems.append(f"feature {number}: code {code[:20]!r} is not a 15-digit grid code")
                continue
            if village and village != code[:12]:
                problems.append(f"feature {number}: code {code} is not in village {village[:20]}")
                continue
            village, sequence = code[:12], int(code[12:])
            if sequence == 0:
                problems.append(f"feature {number}: grid code {code} ends in 000")
                continue
        if not (village.isascii() and village.isdigit() and len(village) == 12):
            problems.append(
                f"feature {number}: give village (a 12-digit code) or code (15 digits)"
                + (f", not {village[:20]!r}" if village else "")
            )
            continue
        label = code or f"feature {number} in {village}"
        name = _text(props.get("name"))
        if len(name) > 100:
            problems.append(f"{label}: name is longer than 100 characters")
            continue
        try:
            households = _count(props.get("households"), "households")
            population = _count(props.get("population"), "population")
        except ValueError as exc:
            problems.append(f"{label}: {exc}")
            continue
        if feature.get("geometry") is None:
            problems.append(f"{label}: has no geometry")
            continue
        try:
            what = gettext("geometry of %(code)s") % {"code": label}
            geom = geo.from_geojson(feature["geometry"])
            if reproject is not None and not geom.is_empty:
                geom = reproject(geom)
            geom = geo.require_polygonal(geom, what=what)  # lng/lat from here on
        except DomainError as exc:
            problems.append(f"{label}: {exc.message}")
            continue
        checked, change, refusal = check_geometry(label, name, geom, repair=repair)
        if checked is None:
            problems.append(f"{refusal} (use --repair to make it valid)")
            continue
        if change.problem:
            repaired.append(change)
        rows.append(
            _Row(
                number,
                village,
                sequence,
                services.GridSpec(checked, name, households, population),
                label,
            )
        )
    return rows, repaired, problems


def _villages(rows: list[_Row], problems: list[str]) -> tuple[Region | None, dict[str, Region]]:
    codes = sorted({r.village for r in rows})
    villages = {v.code: v for v in Region.objects.filter(code__in=codes, level=Level.VILLAGE)}
    unknown = [c for c in codes if c not in villages]
    if unknown:
        problems.append(f"unknown villages: {', '.join(unknown[:20])}")
    counties = sorted({c[:6] for c in codes})
    if len(counties) > 1:
        problems.append(
            f"the grids lie in {len(counties)} counties ({', '.join(counties[:10])}): "
            "load one county's division per file"
        )
        return None, villages
    county = (
        Region.objects.filter(code=counties[0], level=Level.COUNTY).first() if counties else None
    )
    if counties and county is None:
        problems.append(f"county {counties[0]} is not loaded (run import_divisions first)")
    return county, villages


def _grouped(rows: list[_Row], problems: list[str]) -> dict[str, list[services.GridSpec]]:
    """Each village's grids in code order; given codes must be 001, 002, … without gaps."""
    by_village: dict[str, list[_Row]] = {}
    for row in rows:
        by_village.setdefault(row.village, []).append(row)
    grouped = {}
    for village, own in sorted(by_village.items()):
        given = [r for r in own if r.sequence is not None]
        if given:
            if len(given) != len(own):
                problems.append(f"village {village}: give a code for every grid or for none")
                continue
            own = sorted(own, key=lambda r: r.sequence or 0)
            expected = list(range(1, len(own) + 1))
            if [r.sequence for r in own] != expected:
                found = ", ".join(f"{r.sequence:03d}" for r in own[:10])
                problems.append(
                    f"village {village}: grid codes must run 001…{len(own):03d}, found {found}"
                )
                continue
        grouped[village] = [r.spec for r in own]
    return grouped


def _coverage_problems(villages: dict[str, Region], grouped: dict[str, list[Any]]) -> list[str]:
    """Grids outside their village or overlapping each other refuse the file (R8.1); gaps
    are left for the coverage report."""
    tolerance = coverage.default_tolerance()
    problems = []
    for code, specs in grouped.items():
        village = villages[code]
        units = [coverage.Unit(f"{code}{i:03d}", s.geometry) for i, s in enumerate(specs, start=1)]
        parent = coverage.Unit(code, village.geometry)
        for problem in coverage.check_children(parent, units, tolerance_m2=tolerance):
            if problem.kind in {"outside", "overlap"}:
                problems.append(problem.line())
    return problems


def _refuse(path: Path, problems: list[str]) -> ImportRefused:
    shown = problems[:MAX_REPORTED_ROWS]
    if len(problems) > len(shown):
        shown.append(f"… and {len(problems) - len(shown)} more problems")
    return ImportRefused(f"{path.name}: {len(problems)} problems; nothing was stored", shown)


def import_grids(
    path: str | Path,
    *,
    actor: Any = None,
    repair: bool = False,
    reason: str = "",
    encoding: str | None = None,
    region_code: str | None = None,
) -> GridImportReport:
    """Load a county's first division from GeoJSON or a Shapefile (see the module docstring);
    the actor must be allowed to draw the grids (R8.1). With ``region_code`` (the upload page
    of a county, township or village), grids elsewhere are refused and the division is filed
    for that region; otherwise for the county."""
    path = Path(path)
    features, reproject = read_features(path, encoding=encoding)
    rows, repaired, problems = _parse(features, reproject, repair)
    county, villages = _villages(rows, problems) if rows else (None, {})
    if region_code:
        outside = sorted({r.village for r in rows if not r.village.startswith(region_code)})
        if outside:
            problems.append(
                f"villages outside {region_code}: {', '.join(outside[:10])}"
                + (f" … (+{len(outside) - 10})" if len(outside) > 10 else "")
            )
    filed_for = region_code or (county.code if county is not None else "")
    if filed_for:
        services.require_drawer(actor, filed_for)
    grouped = _grouped(rows, problems)
    if not problems:
        problems.extend(_coverage_problems(villages, grouped))
    if problems or county is None:
        raise _refuse(path, problems or [f"{path.name}: no grids"])
    reason = reason.strip() or f"初次划分(导入 {path.name})"
    try:
        change = services.divide_region(actor, filed_for, grouped, reason=reason, check=False)
    except DomainError as exc:
        raise ImportRefused(f"{path.name}: {exc.message}; nothing was stored") from None
    return GridImportReport(
        change=change,
        county=county,
        grids=sum(len(specs) for specs in grouped.values()),
        villages=len(grouped),
        repaired=repaired,
        coverage=coverage.check_region(county.code),
    )
