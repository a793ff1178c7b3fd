"""The terms an admission entry sets (R9.2, R24.2, R24.3): the lead and co-departments, the
dispatch and handling time limits and the amber warning share; validating them and writing them
onto an entry. Used by the lists, the change requests and the Excel import.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from gridgov.errors import DomainError
from gridgov.parsing import Scalar, parse_id, parse_int
from gridgov.text import clean_text
from matters.models import (
    AdmissionEntry,
    AdmissionListVersion,
    LimitUnit,
    MatterItem,
)
from people.models import Department
from people.services.common import DepartmentRef
from regions.models import Region

# Time limits a list may set; beyond these the value is almost surely a typo (days for hours).
DISPATCH_LIMIT_MAX = {LimitUnit.WORKHOURS: 80, LimitUnit.WORKDAYS: 10}


HANDLING_LIMIT_MAX = {LimitUnit.WORKHOURS: 400, LimitUnit.WORKDAYS: 120}


DEFAULT_AMBER_PERCENT = 80


# An entry's time limits and amber threshold (R24.2, R24.3, R27.1); a change request proposes
# the same.
LIMIT_TERMS = [
    "dispatch_limit_amount",
    "dispatch_limit_unit",
    "handling_limit_amount",
    "handling_limit_unit",
    "amber_threshold_percent",
]


ENTRY_TERMS = ["lead_department", *LIMIT_TERMS, "notes"]


UNIT_ALIASES = {
    "workhours": LimitUnit.WORKHOURS,
    "workhour": LimitUnit.WORKHOURS,
    "hours": LimitUnit.WORKHOURS,
    "h": LimitUnit.WORKHOURS,
    "工作小时": LimitUnit.WORKHOURS,
    "工作时": LimitUnit.WORKHOURS,
    "小时": LimitUnit.WORKHOURS,
    "workdays": LimitUnit.WORKDAYS,
    "workday": LimitUnit.WORKDAYS,
    "days": LimitUnit.WORKDAYS,
    "d": LimitUnit.WORKDAYS,
    "工作日": LimitUnit.WORKDAYS,
    "个工作日": LimitUnit.WORKDAYS,
}


def parse_unit(value: Scalar, field: str) -> str:
    """A time-limit unit from its code or Chinese label ("工作日", "workhours" …)."""
    text = str(value or "").strip().lower()
    unit = UNIT_ALIASES.get(text)
    if unit is None:
        raise DomainError(
            _("时限单位 %(value)s 无效,应为“工作小时”或“工作日”") % {"value": value or "-"},
            field=field,
            code="bad_unit",
        )
    return str(unit)


def parse_amount(value: Scalar, field: str) -> int:
    """A time limit's amount: a positive integer (R9.2)."""
    if isinstance(value, bool):
        raise DomainError(_("时限须为正整数"), field=field, code="bad_limit")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    # ASCII digits only ("²" passed isdigit and crashed int(), "３" was read as 3)
    amount = parse_int(value, negative=True) if isinstance(value, int | str) else None
    if amount is None:
        raise DomainError(
            _("时限 %(value)s 不是正整数") % {"value": value if value not in (None, "") else "-"},
            field=field,
            code="bad_limit",
        )
    if amount < 1:
        raise DomainError(_("时限须为正整数"), field=field, code="bad_limit")
    return amount


def check_limit(amount: Scalar, unit: Scalar, kind: str) -> tuple[int, str]:
    """Validate a dispatch or handling limit (``kind``); errors name the amount's field."""
    unit = parse_unit(unit, f"{kind}_limit_unit")
    amount = parse_amount(amount, f"{kind}_limit_amount")
    cap = (DISPATCH_LIMIT_MAX if kind == "dispatch" else HANDLING_LIMIT_MAX)[LimitUnit(unit)]
    if amount > cap:
        raise DomainError(
            _("%(what)s不能超过 %(cap)d %(unit)s")
            % {
                "what": _("派遣时限") if kind == "dispatch" else _("办理时限"),
                "cap": cap,
                "unit": LimitUnit(unit).label,
            },
            field=f"{kind}_limit_amount",
            code="bad_limit",
        )
    return amount, unit


def parse_amber(value: Scalar, field: str = "amber_threshold_percent") -> int:
    """The amber warning share in percent, 1–99; empty means the default (R9.2, R27.1)."""
    if value in (None, ""):
        return DEFAULT_AMBER_PERCENT
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip().rstrip("%") if isinstance(value, int | str) else "-"
    percent = parse_int(text, negative=True)
    if percent is None:
        raise DomainError(
            _("黄灯预警比例 %(value)s 不是整数") % {"value": value}, field=field, code="bad_amber"
        )
    if not 1 <= percent <= 99:
        raise DomainError(_("黄灯预警比例须在 1–99 之间"), field=field, code="bad_amber")
    return percent


def county_department(value: DepartmentRef, county: Region, field: str) -> Department:
    """An active county-level department of ``county`` (a Department, its id or its name)."""
    department: Department | None
    if isinstance(value, Department):
        department = value
    elif value in (None, ""):
        raise DomainError(_("请指定部门"), field=field, code="required")
    elif (pk := parse_id(value)) is not None:
        department = Department.objects.select_related("region").filter(pk=pk).first()
    else:
        department = Department.objects.filter(
            region=county, name=str(value).strip()
        ).first() or _department_by_kind(county, str(value).strip())
    if department is None or department.region_id != county.pk:
        raise DomainError(
            _("部门 %(value)s 不是%(county)s的联动部门")
            % {"value": getattr(department, "name", value), "county": county.name},
            field=field,
            code="unknown_department",
        )
    if not department.is_active:
        raise DomainError(
            _("部门 %(name)s 已停用") % {"name": department.name},
            field=field,
            code="inactive_department",
        )
    return department


def _department_by_kind(county: Region, name: str) -> Department | None:
    """The county's only department of a kind named ``name`` ("公安" → 蓬江区公安分局)."""
    found = list(Department.objects.filter(region=county, kind__name=name, is_active=True)[:2])
    return found[0] if len(found) == 1 else None


def clean_co_departments(
    values: Iterable[DepartmentRef] | None, county: Region, lead: Department | None
) -> list[Department]:
    """The co-departments of an entry: county departments, none twice, not the lead (R9.2)."""
    out: list[Department] = []
    for value in values or ():
        department = county_department(value, county, "co_departments")
        if lead is not None and department.pk == lead.pk:
            raise DomainError(
                _("协办部门不能与牵头部门相同(%(name)s)") % {"name": department.name},
                field="co_departments",
                code="duplicate_department",
            )
        if department not in out:
            out.append(department)
    return out


@dataclass(frozen=True)
class EntryTerms:
    """Validated terms of an entry: department and time limits (R9.2, R24.2, R24.3)."""

    lead_department: Department
    co_departments: list[Department]
    dispatch_limit_amount: int
    dispatch_limit_unit: str
    handling_limit_amount: int
    handling_limit_unit: str
    amber_threshold_percent: int
    notes: str


def clean_terms(
    county: Region,
    *,
    lead_department: DepartmentRef,
    co_departments: Iterable[DepartmentRef] | None = (),
    dispatch_limit_amount: Scalar,
    dispatch_limit_unit: Scalar,
    handling_limit_amount: Scalar,
    handling_limit_unit: Scalar,
    amber_threshold_percent: Scalar = None,
    notes: str | None = "",
) -> EntryTerms:
    """Validate the terms of an entry of ``county``'s list (R9.2); a field error names the first
    bad one."""
    lead = county_department(lead_department, county, "lead_department")
    dispatch = check_limit(dispatch_limit_amount, dispatch_limit_unit, "dispatch")
    handling = check_limit(handling_limit_amount, handling_limit_unit, "handling")
    return EntryTerms(
        lead_department=lead,
        co_departments=clean_co_departments(co_departments, county, lead),
        dispatch_limit_amount=dispatch[0],
        dispatch_limit_unit=dispatch[1],
        handling_limit_amount=handling[0],
        handling_limit_unit=handling[1],
        amber_threshold_percent=parse_amber(amber_threshold_percent),
        notes=clean_text(notes, "notes", max_length=2000),
    )


def create_entry(
    version: AdmissionListVersion, item: MatterItem, terms: EntryTerms
) -> AdmissionEntry:
    """Admit ``item`` into ``version`` on ``terms`` (R9.2); the caller writes the audit record."""
    entry = AdmissionEntry.objects.create(
        version=version,
        item=item,
        lead_department=terms.lead_department,
        dispatch_limit_amount=terms.dispatch_limit_amount,
        dispatch_limit_unit=terms.dispatch_limit_unit,
        handling_limit_amount=terms.handling_limit_amount,
        handling_limit_unit=terms.handling_limit_unit,
        amber_threshold_percent=terms.amber_threshold_percent,
        notes=terms.notes,
    )
    if terms.co_departments:
        entry.co_departments.set(terms.co_departments)
    return entry


def apply_terms(entry: AdmissionEntry, terms: EntryTerms) -> None:
    """Write ``terms`` onto ``entry`` (R9.2); the caller writes the audit record."""
    for name in ENTRY_TERMS:
        setattr(entry, name, getattr(terms, name))
    entry.save()
    entry.co_departments.set(terms.co_departments)
