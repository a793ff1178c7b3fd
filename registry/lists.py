"""The registry's console lists (R11.1, R22.1): what each one holds, how its filters apply,
its order and its export columns. The page (``registry.views_lists``) and its export use
the same :class:`ListSpec`, so the download holds the rows the page lists, masked.

Every list starts from ``scope_queryset`` (the jurisdiction and, for tags, the visibility
table); personal numbers appear only in their masked form (a bulk export never reveals).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from audit.exporting import Column
from people.models import GridWorker
from registry import due, inspections
from registry.filters import Filters, narrowed
from registry.models import (
    House,
    HouseUse,
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    Place,
    PlaceKind,
    RentalStatus,
    Resident,
    ResidentKind,
    ResidentStatus,
    RiskLevel,
    SpecialGroupTag,
    Thing,
    ThingKind,
    ThingState,
)
from registry.stats import DUE_WITHIN
from registry.visibility import SpecialGroupKind


@dataclass(frozen=True)
class ListSpec:
    key: str  # the URL names: registry:<key> and registry:<key>-export
    model: type[Model]
    title: Any
    base: Callable[[QuerySet], QuerySet]  # select_related … of the scoped queryset
    narrow: Callable[[QuerySet, Filters, Any], QuerySet]  # the filters (user for lookups)
    order: tuple[str, ...]
    columns: list[Column]
    filters: tuple[str, ...]  # which filter inputs the page shows
    kinds: Any = None  # the kind choices of the "kind" filter
    statuses: Any = None  # the choices of the "status" filter
    extra: dict[str, Any] = field(default_factory=dict)


def _display(name: str) -> Callable[[Any], Any]:
    return lambda row: getattr(row, f"get_{name}_display")()


def _address_text(address: Any) -> str:
    return address.full_text if address is not None else ""


def _house_text(resident: Resident) -> str:
    return resident.house.address.full_text if resident.house_id else ""


# --- residents ---


def _residents(queryset: QuerySet, f: Filters, user: Any) -> QuerySet:
    queryset = narrowed(
        queryset.filter(merged_into__isnull=True),
        f.area,
        (f.kind, ResidentKind, "kind"),
        (f.status, ResidentStatus, "status"),
    )
    if f.q and not f.is_number_search:
        queryset = queryset.filter(name__icontains=f.q)
    return queryset


RESIDENT_COLUMNS: list[Column] = [
    (_("编号"), lambda r: r.pk),
    (_("姓名"), lambda r: r.name),
    (_("人口类别"), _display("kind")),
    (_("性别"), _display("gender")),
    (_("出生日期"), lambda r: r.birth_date),
    (_("证件类型"), _display("id_type")),
    (_("证件号码"), lambda r: r.id_number_masked),
    (_("联系电话"), lambda r: r.phone_masked),
    (_("居住地址"), _house_text),
    (_("与房屋关系"), _display("house_relation")),
    (_("网格编码"), lambda r: r.grid_code),
    (_("所属村(社区)代码"), lambda r: r.region_code),
    (_("状态"), _display("status")),
]

# --- houses ---


def _houses(queryset: QuerySet, f: Filters, user: Any) -> QuerySet:
    queryset = narrowed(
        queryset,
        f.area,
        (f.use, HouseUse, "use"),
        (f.status, RentalStatus, "rental_status"),
        prefix="address__",
    )
    if f.q:
        queryset = queryset.filter(address__full_text__icontains=f.q)
    return queryset


HOUSE_COLUMNS: list[Column] = [
    (_("编号"), lambda h: h.pk),
    (_("地址编码"), lambda h: h.address.code),
    (_("地址"), lambda h: h.address.full_text),
    (_("用途"), _display("use")),
    (_("出租状态"), _display("rental_status")),
    (_("产权人"), lambda h: h.owner.name if h.owner_id else h.owner_name),
    (_("建筑面积(平方米)"), lambda h: h.area_m2),
    (_("网格编码"), lambda h: h.address.grid_code),
]

# --- organisations ---


def _organisations(queryset: QuerySet, f: Filters, user: Any) -> QuerySet:
    queryset = narrowed(
        queryset,
        f.area,
        (f.kind, OrganisationKind, "kind"),
        (f.status, OrganisationStatus, "status"),
    )
    if f.q:
        queryset = queryset.filter(Q(name__icontains=f.q) | Q(credit_code=f.q.upper()))
    return queryset


ORGANISATION_COLUMNS: list[Column] = [
    (_("编号"), lambda o: o.pk),
    (_("名称"), lambda o: o.name),
    (_("类别"), _display("kind")),
    (_("统一社会信用代码"), lambda o: o.credit_code),
    (_("地址"), lambda o: _address_text(o.address)),
    (_("联系人"), lambda o: o.contact_name),
    (_("联系人手机"), lambda o: o.contact_phone_masked),
    (_("状态"), _display("status")),
    (_("网格编码"), lambda o: o.grid_code),
]

# --- places ---


def _places(queryset: QuerySet, f: Filters, user: Any) -> QuerySet:
    queryset = narrowed(
        queryset, f.area, (f.kind, PlaceKind, "kind"), (f.risk, RiskLevel, "risk_level")
    )
    if f.q:
        queryset = queryset.filter(name__icontains=f.q)
    return queryset


PLACE_COLUMNS: list[Column] = [
    (_("编号"), lambda p: p.pk),
    (_("名称"), lambda p: p.name),
    (_("类别"), _display("kind")),
    (_("风险等级"), _display("risk_level")),
    (_("巡查周期(天)"), lambda p: p.inspection_days),
    (_("最近巡查日期"), lambda p: p.last_inspected_on),
    (_("下次巡查日期"), lambda p: inspections.next_inspection(p) or _("待巡查")),
    (_("地址"), lambda p: _address_text(p.address)),
    (_("网格编码"), lambda p: p.grid_code),
]


def _inspections(queryset: QuerySet, f: Filters, user: Any) -> QuerySet:
    places = _places(queryset, f, user)
    return inspections.due(places, within=0 if f.overdue else DUE_WITHIN, overdue_only=f.overdue)


# --- things ---


def _things(queryset: QuerySet, f: Filters, user: Any) -> QuerySet:
    queryset = narrowed(
        queryset, f.area, (f.kind, ThingKind, "kind"), (f.state, ThingState, "state")
    )
    if f.q:
        queryset = queryset.filter(Q(name__icontains=f.q) | Q(code=f.q))
    return queryset


THING_COLUMNS: list[Column] = [
    (_("编号"), lambda t: t.pk),
    (_("类别"), _display("kind")),
    (_("部件编号"), lambda t: t.code),
    (_("名称"), lambda t: t.name),
    (_("状态"), _display("state")),
    (_("主管单位"), lambda t: t.owner_department),
    (_("经度"), lambda t: t.lng),
    (_("纬度"), lambda t: t.lat),
    (_("网格编码"), lambda t: t.grid_code),
]

# --- special groups and due visits ---


def _groups(queryset: QuerySet, f: Filters, user: Any) -> QuerySet:
    queryset = narrowed(due.open_tags(queryset), f.area, (f.kind, SpecialGroupKind, "kind"))
    if f.q and not f.is_number_search:
        queryset = queryset.filter(resident__name__icontains=f.q)
    return queryset


def _due_visits(queryset: QuerySet, f: Filters, user: Any) -> QuerySet:
    from gridgov.access import scoping

    queryset = _groups(queryset, f, user)
    if f.worker is not None:
        worker = scoping.scope_queryset(user, GridWorker.objects.filter(pk=f.worker)).first()
        queryset = due.of_worker(queryset, worker) if worker else queryset.none()
    return due.due(queryset, within=0 if f.overdue else DUE_WITHIN, overdue_only=f.overdue)


TAG_COLUMNS: list[Column] = [
    (_("编号"), lambda t: t.pk),
    (_("姓名"), lambda t: t.resident.name),
    (_("证件号码"), lambda t: t.resident.id_number_masked),
    (_("类别"), _display("kind")),
    (_("起始日期"), lambda t: t.started_on),
    (_("责任部门类别"), lambda t: t.department_kind),
    (_("关注程度"), _display("care_level")),
    (_("走访周期(天)"), lambda t: t.visit_days),
    (_("最近走访日期"), lambda t: t.last_visited_on),
    (_("下次走访日期"), lambda t: t.next_visit_on),
    (_("网格编码"), lambda t: t.grid_code),
]


def _related(*names: str) -> Callable[[QuerySet], QuerySet]:
    return lambda queryset: queryset.select_related(*names)


SPECS: dict[str, ListSpec] = {
    spec.key: spec
    for spec in [
        ListSpec(
            "residents", Resident, _("实有人口"), _related("house__address"), _residents,
            ("name", "pk"), RESIDENT_COLUMNS, ("q", "area", "kind", "status"),
            kinds=ResidentKind.choices, statuses=ResidentStatus.choices,
        ),
        ListSpec(
            "houses", House, _("实有房屋"), _related("address", "owner"), _houses,
            ("address__code", "pk"), HOUSE_COLUMNS, ("q", "area", "use", "status"),
            statuses=RentalStatus.choices, extra={"uses": HouseUse.choices},
        ),
        ListSpec(
            "organisations", Organisation, _("组织"), _related("address"), _organisations,
            ("name", "pk"), ORGANISATION_COLUMNS, ("q", "area", "kind", "status"),
            kinds=OrganisationKind.choices, statuses=OrganisationStatus.choices,
        ),
        ListSpec(
            "places", Place, _("重点场所"), _related("address"), _places,
            ("name", "pk"), PLACE_COLUMNS, ("q", "area", "kind", "risk"),
            kinds=PlaceKind.choices, extra={"risks": RiskLevel.choices},
        ),
        ListSpec(
            "inspections", Place, _("待巡查场所"), _related("address"), _inspections,
            ("pk",), PLACE_COLUMNS, ("q", "area", "kind", "risk", "overdue"),
            kinds=PlaceKind.choices, extra={"risks": RiskLevel.choices},
        ),
        ListSpec(
            "things", Thing, _("部件"), lambda q: q, _things,
            ("pk",), THING_COLUMNS, ("q", "area", "kind", "state"),
            kinds=ThingKind.choices, extra={"states": ThingState.choices},
        ),
        ListSpec(
            "groups", SpecialGroupTag, _("特殊人群与困难群体"), _related("resident"), _groups,
            ("kind", "pk"), TAG_COLUMNS, ("q", "area", "kind"), kinds=SpecialGroupKind.choices,
        ),
        ListSpec(
            "due-visits", SpecialGroupTag, _("待走访"), _related("resident"), _due_visits,
            ("next_visit_on", "pk"), TAG_COLUMNS, ("q", "area", "kind", "worker", "overdue"),
            kinds=SpecialGroupKind.choices,
        ),
    ]
}  # fmt: skip
