"""The gate: may this matter enter the grid here? (R9.1, R9.2, R23.2, R23.3)

Intake (cases) and instructions (fieldwork) call :func:`admit` before anything enters the grid,
and :func:`may_assign_to_grid_workers` before anyone gives grid workers work:

- a place (a point, a grid code or a county code) → its county → the county's list in force
  (the latest published version) → the entry with the matter's code, or :class:`NotAdmitted`
  with the reason (unknown matter, no list, not on the list, removed in version N, point
  outside every grid …);
- only agencies assign listed matters to grid workers, never a department directly (R23.2),
  and a matter not on the list cannot be pushed onto grid workers at all (R23.3).

The :class:`Admission` names the entry row and the version: a case stores both, so it keeps
the terms it was admitted under when a later version changes or removes the entry (R9.1).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from django.db.models import signals
from django.utils.translation import gettext as _

from gridgov.access import roles as R
from gridgov.access import scoping
from gridgov.errors import DomainError, Forbidden
from gridgov.generations import Generation
from gridgov.model_signals import on_save_or_delete
from matters.models import AdmissionEntry, AdmissionListVersion, MatterItem
from regions import geometry as geo
from regions import index as grid_index
from regions.models import Grid, Level, Region

# Who assigns matters to grid workers (R23.1, R23.2): the agencies, not the departments.
ASSIGNING_ROLES = frozenset({R.Role.SYSADMIN, R.Role.AGENCY_ADMIN, R.Role.DISPATCHER})


@dataclass(frozen=True)
class Admission:
    """A matter admitted in a place: the entry of the version in force there."""

    entry: AdmissionEntry  # the row in the version in force
    version: AdmissionListVersion
    county_code: str
    grid_code: str | None


class NotAdmitted(DomainError):
    """The matter may not enter the grid here; ``reason`` says why in one word.

    Reasons: ``unknown_matter``, ``no_place``, ``unknown_county``, ``unknown_grid``,
    ``outside_grids``, ``grid_not_in_county``, ``no_list``, ``not_on_list``, ``removed``.
    """

    def __init__(self, message: str, *, reason: str, **extra: Any) -> None:
        super().__init__(
            message, code="not_admitted", field="matter", extra={"reason": reason, **extra}
        )
        self.reason = reason


def _county(code: str) -> Region:
    county = Region.objects.filter(code=code, level=Level.COUNTY).first()
    if county is None:
        raise NotAdmitted(
            _("区划代码 %(code)s 不是已知的县(市、区)") % {"code": code},
            reason="unknown_county",
        )
    return county


def _place(
    county_code: str | None,
    grid_code: str | None,
    lng: float | None,
    lat: float | None,
    coord: str,
) -> tuple[str, str | None]:
    """(county code, grid code) of the place given by a point, a grid or a county."""
    county_code = str(county_code).strip() if county_code else None
    grid_code = str(grid_code).strip() if grid_code else None
    if lng is not None or lat is not None:
        lng, lat = geo.parse_lng_lat(lng, lat)
        located = grid_index.locate(lng, lat, coord)
        if located is None:
            raise NotAdmitted(
                _("位置 %(lng).6f,%(lat).6f 不在任何综合网格内") % {"lng": lng, "lat": lat},
                reason="outside_grids",
            )
        if grid_code and grid_code != located.code:
            raise NotAdmitted(
                _("位置在网格 %(found)s 内,与所填网格 %(given)s 不符")
                % {"found": located.code, "given": grid_code},
                reason="grid_mismatch",
            )
        grid_code = located.code
    elif grid_code and not Grid.objects.current().filter(code=grid_code).exists():
        raise NotAdmitted(
            _("网格 %(code)s 不存在或已撤销") % {"code": grid_code}, reason="unknown_grid"
        )
    if grid_code:
        if county_code and not grid_code.startswith(county_code):
            raise NotAdmitted(
                _("网格 %(grid)s 不在 %(county)s 内") % {"grid": grid_code, "county": county_code},
                reason="grid_not_in_county",
            )
        return grid_code[:6], grid_code
    if county_code:
        return county_code, None
    raise NotAdmitted(_("请提供位置、网格编码或县(市、区)代码"), reason="no_place")


def admit(
    matter_code: str,
    *,
    county_code: str | None = None,
    grid_code: str | None = None,
    lng: float | None = None,
    lat: float | None = None,
    coord: str = "wgs84",
) -> Admission:
    """The entry under which ``matter_code`` may enter the grid at this place, or NotAdmitted.

    The place is a point (``lng``/``lat`` in ``coord``: wgs84, cgcs2000 or gcj02), a current
    grid, or a county; when several are given they must agree.
    """
    county_code, grid_code = _place(county_code, grid_code, lng, lat, coord)
    code = str(matter_code or "").strip().upper()
    if not code:
        raise NotAdmitted(_("请指定网格事项"), reason="unknown_matter")
    in_force = _in_force(county_code)
    if in_force is not None and (entry := in_force.entries.get(code)) is not None:
        return Admission(
            entry=entry, version=in_force.version, county_code=county_code, grid_code=grid_code
        )
    # Not admitted (or no list): the queries below find the exact reason.
    county = _county(county_code)
    item = MatterItem.objects.filter(city__code=county.code[:4], code=code).first()
    if item is None:
        raise NotAdmitted(
            _("准入分类目录中没有编码为 %(code)s 的事项") % {"code": code},
            reason="unknown_matter",
        )
    version = (
        AdmissionListVersion.objects.in_force()
        .filter(admission_list__county=county)
        .select_related("admission_list__county")
        .first()
    )
    if version is None:
        raise NotAdmitted(
            _("%(county)s尚未发布网格事项准入清单") % {"county": county.name}, reason="no_list"
        )
    entry = (
        version.entries.select_related("item__category", "lead_department")
        .filter(item=item)
        .first()
    )
    if entry is None:
        raise _not_on_list(item, county, version)
    return Admission(entry=entry, version=version, county_code=county.code, grid_code=grid_code)


# --- the lists in force, cached per process ---------------------------------------------------
# Intake asks the gate on every report; lists change a few times a year. Each process keeps,
# per county, the version in force and its entries (with item, lead and co-departments), and
# drops everything when the gate generation in the shared cache (Redis in production) changes:
# any save or delete of a catalogue item or category, a list, a version, an entry, its
# co-departments or a department changes it. The generation is a random token, so a cleared
# cache never revives an old list. Refusals are not cached: they take the query path.

GENERATION = Generation("matters:gate-generation")
_lock = threading.Lock()
_lists: dict[str, _InForce | None] = {}
_lists_generation: str | None = None


@dataclass(frozen=True)
class _InForce:
    version: AdmissionListVersion
    entries: dict[str, AdmissionEntry]  # by matter (item) code; shared: read only


def current_generation() -> str:
    return GENERATION.current()


def invalidate() -> None:
    """Tell every process that lists changed: now, and again when the change commits."""
    GENERATION.bump_now_and_on_commit()


def _load_in_force(county_code: str) -> _InForce | None:
    version = (
        AdmissionListVersion.objects.in_force()
        .filter(
            admission_list__county__code=county_code, admission_list__county__level=Level.COUNTY
        )
        .select_related("admission_list__county")
        .first()
    )
    if version is None:
        return None
    entries = version.entries.select_related("item__category", "lead_department").prefetch_related(
        "co_departments"
    )
    return _InForce(version=version, entries={e.item.code: e for e in entries})


def _in_force(county_code: str) -> _InForce | None:
    global _lists_generation
    generation = current_generation()
    if generation != _lists_generation:
        with _lock:
            if generation != _lists_generation:
                _lists.clear()
                _lists_generation = generation
    if county_code in _lists:
        return _lists[county_code]
    loaded = _load_in_force(county_code)
    with _lock:
        if _lists_generation == generation:  # not replaced by a newer one meanwhile
            _lists[county_code] = loaded
    return loaded


def _lists_changed(sender: Any, **kwargs: Any) -> None:
    invalidate()


on_save_or_delete(
    _lists_changed,
    [
        "matters.MatterCategory",
        "matters.MatterItem",
        "matters.AdmissionList",
        "matters.AdmissionListVersion",
        "matters.AdmissionEntry",
        "people.Department",
    ],
    "gate",
)
signals.m2m_changed.connect(
    _lists_changed, sender=AdmissionEntry.co_departments.through, dispatch_uid="gate:co"
)


def _not_on_list(item: MatterItem, county: Region, version: AdmissionListVersion) -> NotAdmitted:
    # Say when the matter left the list (动态退出): users then know it is not a data error.
    was_on = (
        AdmissionListVersion.objects.published()
        .filter(admission_list__county=county, number__lt=version.number, entries__item=item)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    params = {
        "code": item.code,
        "name": item.name,
        "county": county.name,
        "n": version.number,
    }
    if was_on is not None:
        removed_in = (
            AdmissionListVersion.objects.published()
            .filter(admission_list__county=county, number__gt=was_on)
            .order_by("number")
            .first()
        )
        params["removed"] = removed_in.number if removed_in else version.number
        return NotAdmitted(
            _(
                "事项 %(code)s %(name)s 已于%(county)s准入清单第 %(removed)s 版移出,"
                "不再作为网格事项受理"
            )
            % params,
            reason="removed",
            version=version.number,
        )
    return NotAdmitted(
        _("事项 %(code)s %(name)s 不在%(county)s网格事项准入清单(第 %(n)d 版)内") % params,
        reason="not_on_list",
        version=version.number,
    )


def may_assign_to_grid_workers(actor: Any, matter_code: str, grid_code: str) -> Admission:
    """May ``actor`` give grid workers of ``grid_code`` work on this matter? (R23.2, R23.3)

    - Forbidden (``department_cannot_assign``) when a department user tries: listed matters are
      assigned only through the agency (R23.2);
    - Forbidden when the actor is no agency administrator or dispatcher over the grid;
    - NotAdmitted when the matter is not on the county's list in force: a department's own
      statutory duty cannot be pushed onto grid workers that way (R23.3).

    Returns the admission (entry and version) the assignment runs under.
    """
    # has_role() passes the system and the superuser (they act for an agency).
    if not scoping.is_system(actor) and not scoping.has_role(
        actor, ASSIGNING_ROLES, region_code=grid_code
    ):
        if scoping.has_role(actor, R.DEPARTMENT_ROLES):
            raise Forbidden(
                _(
                    "联动部门不得直接向网格员交办事项:纳入清单的网格事项由网格化机构"
                    "统一交办(条例第二十三条)"
                ),
                code="department_cannot_assign",
            )
        scoping.require(actor, ASSIGNING_ROLES, region_code=grid_code, what=_("向网格员交办事项"))
    try:
        return admit(matter_code, grid_code=grid_code)
    except NotAdmitted as exc:
        if exc.reason in {"not_on_list", "removed", "unknown_matter", "no_list"}:
            raise NotAdmitted(
                _("%(why)s。未列入准入清单的事项不得交由网格员办理(条例第二十三条)")
                % {"why": exc.message},
                reason=exc.reason,
                **{k: v for k, v in exc.extra.items() if k != "reason"},
            ) from exc
        raise
