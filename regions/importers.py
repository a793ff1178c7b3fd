"""Loading the official division codes and boundary polygons (R4, R8).

Both importers check everything first and write in one transaction at the end, so a bad row or
a bad feature leaves the database exactly as it was.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext

from audit import services as audit
from gridgov.errors import DomainError
from gridgov.jsoninput import JSONInputError, loads_bounded
from regions import geometry as geo
from regions.actions import RegionAction
from regions.models import CODE_LENGTHS, Level, Region, village_kind_for

# file name, level, the column holding the parent's code
DIVISION_FILES: list[tuple[str, str, str | None]] = [
    ("provinces.csv", Level.PROVINCE, None),
    ("cities.csv", Level.CITY, "provinceCode"),
    ("areas.csv", Level.COUNTY, "cityCode"),
    ("streets.csv", Level.TOWNSHIP, "areaCode"),
    ("villages.csv", Level.VILLAGE, "streetCode"),
]
MAX_REPORTED_ROWS = 50


class ImportRefused(DomainError):
    """An import that stored nothing; ``problems`` lists every reason, one line each."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message, code="import_refused")
        self.problems = problems or []


@dataclass
class DivisionRow:
    code: str
    name: str
    level: str
    parent_code: str | None
    where: str


@dataclass
class DivisionReport:
    created: dict[str, int] = field(default_factory=dict)
    renamed: list[tuple[str, str, str]] = field(default_factory=list)
    unchanged: int = 0

    @property
    def total_created(self) -> int:
        return sum(self.created.values())


def _read_division_rows(directory: Path, city: str | None) -> tuple[list[DivisionRow], list[str]]:
    rows: list[DivisionRow] = []
    problems: list[str] = []
    found_any = False
    for filename, level, parent_column in DIVISION_FILES:
        path = directory / filename
        if not path.exists():
            continue
        found_any = True
        length = CODE_LENGTHS[level]
        try:
            handle = path.open(encoding="utf-8-sig", newline="")
        except OSError as exc:
            problems.append(f"{path}: cannot read: {exc.strerror}")
            continue
        with handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            required = ["code", "name"] + ([parent_column] if parent_column else [])
            if header is None or any(col not in header for col in required):
                problems.append(
                    f"{path}:1: header must name the columns {', '.join(required)}"
                    f" (found {', '.join(header or []) or 'nothing'})"
                )
                continue
            col = {name: header.index(name) for name in required}
            for line_no, values in enumerate(reader, start=2):
                if not values or all(not v.strip() for v in values):
                    continue
                where = f"{path}:{line_no}"
                if len(values) < len(header):
                    problems.append(f"{where}: expected {len(header)} columns, got {len(values)}")
                    continue
                code = values[col["code"]].strip()
                name = values[col["name"]].strip()
                parent = values[col[parent_column]].strip() if parent_column else None
                if not (code.isdigit() and len(code) == length and code.isascii()):
                    problems.append(f"{where}: code {code!r} is not a {length}-digit {level} code")
                    continue
                if not name:
                    problems.append(f"{where}: name is empty for code {code}")
                    continue
                if len(name) > 100:
                    problems.append(f"{where}: name is longer than 100 characters")
                    continue
                if parent_column and parent != code[: len(parent or "")]:
                    problems.append(
                        f"{where}: {parent_column} {parent!r} is not the prefix of code {code}"
                    )
                    continue
                if city and not (code.startswith(city) or city.startswith(code)):
                    continue
                rows.append(DivisionRow(code, name, level, parent, where))
    if not found_any:
        raise ImportRefused(
            f"{directory}: none of {', '.join(f for f, _l, _p in DIVISION_FILES)} found"
        )
    return rows, problems


def import_divisions(
    directory: str | Path, *, city: str | None = None, actor: Any = None
) -> DivisionReport:
    """Create or update regions from statistical division CSVs (idempotent; renames update)."""
    directory = Path(directory)
    if not directory.is_dir():
        raise ImportRefused(f"{directory}: not a directory")
    if city is not None and not (city.isdigit() and len(city) == CODE_LENGTHS[Level.CITY]):
        raise ImportRefused(f"--city must be a 4-digit city code, not {city!r}")
    rows, problems = _read_division_rows(directory, city)

    seen: dict[str, DivisionRow] = {}
    for row in rows:
        if row.code in seen:
            problems.append(
                f"{row.where}: code {row.code} already appears at {seen[row.code].where}"
            )
        else:
            seen[row.code] = row
    existing = {r.code: r for r in Region.objects.only("id", "code", "name", "level", "kind")}
    for row in rows:
        if row.parent_code and row.parent_code not in seen and row.parent_code not in existing:
            problems.append(f"{row.where}: parent {row.parent_code} of {row.code} is unknown")
    if city and not rows:
        problems.append(f"no rows for city {city} in {directory}")
    if problems:
        shown = problems[:MAX_REPORTED_ROWS]
        more = len(problems) - len(shown)
        if more:
            shown.append(f"… and {more} more problems")
        raise ImportRefused(f"{len(problems)} malformed rows; nothing was imported", shown)

    report = DivisionReport()
    with transaction.atomic():
        for level in CODE_LENGTHS:
            level_rows = [r for r in rows if r.level == level]
            if not level_rows:
                continue
            parent_ids = {
                r.code: r.pk
                for r in Region.objects.filter(
                    code__in={r.parent_code for r in level_rows if r.parent_code}
                ).only("id", "code")
            }
            to_create: list[Region] = []
            to_update: list[Region] = []
            for row in level_rows:
                kind = village_kind_for(row.name) if level == Level.VILLAGE else ""
                current = existing.get(row.code)
                if current is None:
                    to_create.append(
                        Region(
                            code=row.code,
                            name=row.name,
                            level=level,
                            parent_id=parent_ids.get(row.parent_code) if row.parent_code else None,
                            kind=kind,
                        )
                    )
                elif current.name != row.name or current.kind != kind:
                    if current.name != row.name:
                        report.renamed.append((row.code, current.name, row.name))
                    current.name = row.name
                    current.kind = kind
                    to_update.append(current)
                else:
                    report.unchanged += 1
            Region.objects.bulk_create(to_create, batch_size=2000)
            Region.objects.bulk_update(to_update, ["name", "kind"], batch_size=2000)
            report.created[level] = len(to_create)
        if report.total_created or report.renamed:
            audit.record(
                actor,
                RegionAction.IMPORT_DIVISIONS,
                object_type="regions.region",
                object_repr=str(directory.name),
                region_code=city or "",
                after={
                    "created": report.created,
                    "renamed": [list(r) for r in report.renamed[:500]],
                    "unchanged": report.unchanged,
                },
            )
    return report


# --- Boundaries ---------------------------------------------------------------------------


@dataclass
class BoundaryChange:
    code: str
    name: str
    problem: str = ""
    area_before_m2: float = 0.0
    area_after_m2: float = 0.0


@dataclass
class BoundaryReport:
    stored: list[BoundaryChange] = field(default_factory=list)
    repaired: list[BoundaryChange] = field(default_factory=list)


def feature_code(feature: dict[str, Any]) -> str | None:
    props = feature.get("properties") or {}
    for raw in (feature.get("id"), props.get("code") if isinstance(props, dict) else None):
        if raw is not None and str(raw).strip():
            return str(raw).strip()
    return None


def load_features(path: Path) -> list[dict[str, Any]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ImportRefused(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportRefused(f"{path}: cannot read: {exc}") from None
    if not text.strip():
        raise ImportRefused(f"{path}: the file is empty")
    try:
        # GeoJSON nests 6 levels at most (a FeatureCollection of MultiPolygons); deeper is
        # an attack on the recursive decoder, not a map
        data = loads_bounded(text)
    except JSONInputError as exc:
        if (error := exc.decode_error) is not None:
            raise ImportRefused(
                f"{path}: not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})"
            ) from None
        raise ImportRefused(f"{path}: not valid JSON ({exc})") from None
    if isinstance(data, dict) and data.get("type") == "FeatureCollection":
        features = data.get("features")
        if not isinstance(features, list):
            raise ImportRefused(f"{path}: FeatureCollection has no features list")
    elif isinstance(data, dict) and data.get("type") == "Feature":
        features = [data]
    else:
        raise ImportRefused(f"{path}: expected a GeoJSON FeatureCollection or Feature")
    if not features:
        raise ImportRefused(f"{path}: the FeatureCollection has no features")
    return features


def check_geometry(
    code: str, name: str, geom: Any, *, repair: bool
) -> tuple[Any, BoundaryChange, str | None]:
    """A polygon checked for validity (GEOS's reason and place), repaired with ``repair``:
    (the geometry to store or None, what happened to its area, the refusal line or None).
    Shared by the importers of boundaries and of grids."""
    change = BoundaryChange(code, name)
    why = geo.invalidity(geom)
    change.area_before_m2 = geo.geodesic_area_m2(geom)
    if why is None:
        change.area_after_m2 = change.area_before_m2
        return geom, change, None
    change.problem = str(why)
    if not repair:
        return None, change, f"{code} {name}: {why}"
    fixed = geo.repair(geom)
    if fixed is None:
        return None, change, f"{code} {name}: {why}; nothing areal is left after repair"
    change.area_after_m2 = geo.geodesic_area_m2(fixed)
    return fixed, change, None


def import_boundaries(
    path: str | Path,
    *,
    repair: bool = False,
    actor: Any = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> BoundaryReport:
    """Attach polygons to regions by feature ``id`` or ``properties.code`` (R8.1).

    Without ``repair``, any invalid geometry refuses the whole file with GEOS's reason and
    location; with it, geometries are made valid (polygonal parts kept) and the report tells
    the area before and after.
    """
    path = Path(path)
    features = load_features(path)
    problems: list[str] = []
    parsed: list[tuple[str, Any, dict[str, Any]]] = []
    for number, feature in enumerate(features, start=1):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            problems.append(f"feature {number}: not a GeoJSON Feature")
            continue
        code = feature_code(feature)
        if code is None:
            problems.append(f"feature {number}: no id or properties.code")
            continue
        geometry = feature.get("geometry")
        if geometry is None:
            problems.append(f"feature {number} ({code}): has no geometry")
            continue
        try:
            what = gettext("geometry of %(code)s") % {"code": code}
            geom = geo.require_polygonal(geo.from_geojson(geometry), what=what)
        except DomainError as exc:
            problems.append(f"feature {number} ({code}): {exc.message}")
            continue
        parsed.append((code, geom, feature))
    codes = [code for code, _g, _f in parsed]
    regions = {r.code: r for r in Region.objects.filter(code__in=codes)}
    unknown = [code for code in codes if code not in regions]
    if unknown:
        problems.append(f"unknown region codes: {', '.join(sorted(set(unknown)))}")
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    if duplicates:
        problems.append(f"codes given more than once: {', '.join(duplicates)}")
    if problems:
        raise ImportRefused(f"{path}: {len(problems)} problems; nothing was stored", problems)

    report = BoundaryReport()
    invalid: list[str] = []
    total = len(parsed)
    prepared: list[tuple[Region, Any]] = []
    for i, (code, geom, _feature) in enumerate(parsed, start=1):
        region = regions[code]
        if progress:
            progress(i, total, f"{code} {region.name}")
        checked, change, refusal = check_geometry(code, region.name, geom, repair=repair)
        if checked is None:
            invalid.append(refusal or code)
            continue
        if change.problem:
            report.repaired.append(change)
        prepared.append((region, checked))
        report.stored.append(change)
    if invalid:
        raise ImportRefused(
            f"{path}: {len(invalid)} invalid geometries (use --repair to make them valid); "
            "nothing was stored",
            invalid,
        )
    with transaction.atomic():
        for region, geom in prepared:
            region.set_geometry(geom)
            region.save(
                update_fields=[
                    "geometry_wkb",
                    "min_lng",
                    "min_lat",
                    "max_lng",
                    "max_lat",
                    "area_m2",
                    "updated_at",
                ]
            )
        audit.record(
            actor,
            RegionAction.IMPORT_BOUNDARIES,
            object_type="regions.region",
            object_repr=path.name,
            after={
                "stored": [c.code for c in report.stored],
                "repaired": [
                    {
                        "code": c.code,
                        "problem": c.problem,
                        "area_before_m2": round(c.area_before_m2),
                        "area_after_m2": round(c.area_after_m2),
                    }
                    for c in report.repaired
                ],
            },
        )
    return report


def iter_problem_lines(exc: ImportRefused) -> Iterable[str]:
    yield exc.message
    yield from (f"  {p}" for p in exc.problems)
