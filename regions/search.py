"""Place search for the maps: type a name (or a code), fly to the place (issue 10, "maps people
can read").

Villages, townships, counties and current grids, by name (contains, case-insensitive) or by
code (prefix); the closest matches first: the whole name, then names that start with it,
then the rest; among those, larger places first (a township before its villages, a village
before its grids). The caller scopes the querysets (staff: their jurisdiction; the public
pages: all current grids and regions, public by design, R8.4). Results carry public data
only: kind, code, name, where it lies, its bounding box.

Other apps add places through :func:`register` (the registry's addresses, when it exists): a
provider gets the query, the user (None on the public pages) and the limit, and returns
:class:`Place` rows it has scoped itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from regions.models import Grid, Level, Region

MAX_QUERY = 50
LIMIT = 10
_CANDIDATES = 50  # rows read per kind before ranking
# larger places first among equally close names: the township, then its villages, then grids
_ORDER = {Level.COUNTY: 1, Level.TOWNSHIP: 2, Level.VILLAGE: 3}
GRID_ORDER = 4
_ANCESTOR_LENGTHS = (6, 9, 12)  # county, township, village: "where it lies"


@dataclass(frozen=True)
class Place:
    kind: str  # "grid", "village", "township", "county" (or a provider's own)
    kind_label: str
    code: str
    name: str
    context: str  # the places it lies in, "蓬江区 / 白沙街道"
    bbox: tuple[float, float, float, float] | None  # min lng, min lat, max lng, max lat
    rank: int = 0

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("rank")
        data["bbox"] = list(self.bbox) if self.bbox else None
        return data


Provider = Callable[[str, Any, int], list[Place]]
PROVIDERS: list[Provider] = []


def register(provider: Provider) -> Provider:
    """Add a source of places (usable as a decorator)."""
    if provider not in PROVIDERS:
        PROVIDERS.append(provider)
    return provider


def normalise(query: str) -> str:
    return " ".join((query or "").split())[:MAX_QUERY]


def _match(query: str) -> Q:
    q = Q(name__icontains=query)
    if query.isascii() and query.isdigit():
        q |= Q(code__startswith=query)
    return q


def _rank(name: str, query: str, order: int) -> int:
    lowered, wanted = name.lower(), query.lower()
    closeness = 0 if lowered == wanted else 1 if lowered.startswith(wanted) else 2
    return closeness * 10 + order


def _bbox(row: Any) -> tuple[float, float, float, float] | None:
    values = (row.min_lng, row.min_lat, row.max_lng, row.max_lat)
    return None if None in values else values  # type: ignore[return-value]


def _contexts(codes: set[str]) -> dict[str, str]:
    wanted = {code[:n] for code in codes for n in _ANCESTOR_LENGTHS if len(code) > n}
    names = dict(Region.objects.filter(code__in=wanted).values_list("code", "name"))
    return {
        code: " / ".join(
            names[code[:n]] for n in _ANCESTOR_LENGTHS if len(code) > n and code[:n] in names
        )
        for code in codes
    }


def search(
    query: str,
    *,
    regions: QuerySet[Region],
    grids: QuerySet[Grid],
    user: Any = None,
    limit: int = LIMIT,
) -> list[Place]:
    """The best ``limit`` places matching ``query`` among ``regions`` and ``grids`` (already
    scoped by the caller), and the registered providers' places."""
    query = normalise(query)
    if not query:
        return []
    fields = ("code", "name", "level", "min_lng", "min_lat", "max_lng", "max_lat")
    region_rows = list(
        regions.filter(_match(query), level__in=[Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE])
        .only(*fields)
        .order_by("code")[:_CANDIDATES]
    )
    grid_rows = list(
        grids.filter(_match(query)).only(*fields[:2], *fields[3:]).order_by("code")[:_CANDIDATES]
    )
    contexts = _contexts({r.code for r in region_rows} | {g.code for g in grid_rows})
    labels = dict(Level.choices)
    found = [
        Place(
            kind=r.level,
            kind_label=str(labels.get(r.level, r.level)),
            code=r.code,
            name=r.name,
            context=contexts.get(r.code, ""),
            bbox=_bbox(r),
            rank=_rank(r.name, query, _ORDER.get(r.level, 9)),
        )
        for r in region_rows
    ]
    found += [
        Place(
            kind="grid",
            kind_label=_("网格"),
            code=g.code,
            name=g.name,
            context=contexts.get(g.code, ""),
            bbox=_bbox(g),
            rank=_rank(g.name, query, GRID_ORDER),
        )
        for g in grid_rows
    ]
    for provider in PROVIDERS:
        found += provider(query, user, limit)
    found.sort(key=lambda p: (p.rank, p.code))
    return found[:limit]
