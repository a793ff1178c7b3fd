"""Every change to the catalogue, the admission lists and the change requests (R9.1–R9.3).

Who may take which step (R9.2, R9.3; the regulation's 第九条):

============================  =====================================================
step                          who
============================  =====================================================
catalogue: categories, items  the city agency's administrator (市网格化机构)
compile / edit a draft list,  the county agency's administrator (县网格化机构), at
publish it, file it with the  the county itself: a city or township administrator
city, review change requests  cannot act for the county
acknowledge a filing          the city agency's administrator of the county's city
request a change              the head of a county-level department of the county
                              (联动部门负责人) or a township agency administrator
                              (乡镇网格化机构) inside the county
============================  =====================================================

A system administrator whose jurisdiction covers the place may take any step (break-glass, still
audited). Dispatchers and supervisors read lists and requests but decide nothing on them: the
list is a normative document of the county agency, so approving a change is the
administrator's decision, not a dispatching one.

Each service runs in one transaction, refuses bad input with a ``DomainError`` naming the field
and writes one audit record. A version is frozen once published: every service that edits
entries refuses a non-draft version. ``actor`` is a user, or a string / None for the system.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import services as audit
from gridgov.access import roles as R
from gridgov.access import scoping
from gridgov.errors import DomainError, Forbidden, NotFound
from gridgov.parsing import parse_id, parse_int
from matters.models import (
    ITEM_CODE_PATTERN,
    LIST_MANAGERS,
    AdmissionEntry,
    AdmissionList,
    AdmissionListVersion,
    ChangeKind,
    ChangeRequest,
    ChangeStatus,
    LimitUnit,
    MatterCategory,
    MatterItem,
    VersionStatus,
)
from people.models import AgencyLevel, Department, GridAgency
from regions.models import Level, Region

# Time limits a list may set; beyond these the value is almost surely a typo (days for hours).
DISPATCH_LIMIT_MAX = {LimitUnit.WORKHOURS: 80, LimitUnit.WORKDAYS: 10}
HANDLING_LIMIT_MAX = {LimitUnit.WORKHOURS: 400, LimitUnit.WORKDAYS: 120}
DEFAULT_AMBER_PERCENT = 80
REASON_MIN = 4

CATEGORY_FIELDS = ["city", "code", "name", "description", "sort_order", "is_active"]
ITEM_FIELDS = [
    "city",
    "category",
    "code",
    "name",
    "description",
    "keywords",
    "settle_on_spot_allowed",
    "sort_order",
    "is_active",
]
ENTRY_TERMS = [
    "lead_department",
    "dispatch_limit_amount",
    "dispatch_limit_unit",
    "handling_limit_amount",
    "handling_limit_unit",
    "amber_threshold_percent",
    "notes",
]
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


# --- helpers ------------------------------------------------------------------------------


def _actor_user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _text(value: Any, field: str, *, required: bool = False, max_length: int = 200) -> str:
    text = str(value if value is not None else "").strip()
    if required and not text:
        raise DomainError(_("此项不能为空"), field=field, code="required")
    if len(text) > max_length:
        raise DomainError(
            _("不能超过 %(n)d 个字符") % {"n": max_length}, field=field, code="too_long"
        )
    return text


def _reason(value: Any, field: str = "reason") -> str:
    text = _text(value, field, max_length=2000)
    if len(text) < REASON_MIN:
        raise DomainError(
            _("请写明理由(至少 %(n)d 个字)") % {"n": REASON_MIN}, field=field, code="required"
        )
    return text


def _region(code: Any, level: str, field: str) -> Region:
    code = str(code or "").strip()
    if not code:
        raise DomainError(_("请指定区域"), field=field, code="required")
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise DomainError(
            _("区划代码 %(code)s 不存在") % {"code": code}, field=field, code="unknown_region"
        )
    if region.level != level:
        raise DomainError(
            _("%(name)s(%(code)s)不是%(level)s")
            % {"name": region.name, "code": code, "level": Level(level).label},
            field=field,
            code="wrong_level",
        )
    return region


def _code(value: Any, field: str = "code") -> str:
    code = str(value or "").strip().upper()
    if not code:
        raise DomainError(_("请填写编码"), field=field, code="required")
    if not re.match(ITEM_CODE_PATTERN, code):
        raise DomainError(
            _("编码 %(code)s 格式不对:只能由大写字母、数字和连字符组成,最长 16 位")
            % {"code": code},
            field=field,
            code="bad_code",
        )
    return code


def parse_unit(value: Any, field: str) -> str:
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


def parse_amount(value: Any, field: str) -> int:
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


def check_limit(amount: Any, unit: Any, kind: str) -> tuple[int, str]:
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


def parse_amber(value: Any, field: str = "amber_threshold_percent") -> int:
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


def _county_department(value: Any, county: Region, field: str) -> Department:
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


def _co_departments(values: Iterable[Any] | None, county: Region, lead: Department | None):
    out: list[Department] = []
    for value in values or ():
        department = _county_department(value, county, "co_departments")
        if lead is not None and department.pk == lead.pk:
            raise DomainError(
                _("协办部门不能与牵头部门相同(%(name)s)") % {"name": department.name},
                field="co_departments",
                code="duplicate_department",
            )
        if department not in out:
            out.append(department)
    return out


def catalogue_item(city_code: str, value: Any, field: str = "item") -> MatterItem:
    if isinstance(value, MatterItem):
        item = value
        if item.city.code != city_code:
            raise DomainError(_("该事项不属于本市目录"), field=field, code="unknown_item")
        return item
    code = _code(value, field)
    item = (
        MatterItem.objects.select_related("category", "city")
        .filter(city__code=city_code, code=code)
        .first()
    )
    if item is None:
        raise DomainError(
            _("准入分类目录中没有编码为 %(code)s 的事项") % {"code": code},
            field=field,
            code="unknown_item",
        )
    return item


def _snapshot_entry(entry: AdmissionEntry) -> dict[str, Any]:
    out = audit.snapshot(entry, ["item", *ENTRY_TERMS])
    out["code"] = entry.item.code
    out["co_departments"] = sorted(entry.co_departments.values_list("pk", flat=True))
    return out


def _integrity(exc: IntegrityError, messages: dict[str, tuple[str, str]]) -> DomainError:
    text = str(exc)
    for constraint, (field_name, message) in messages.items():
        if constraint in text:
            return DomainError(message, field=field_name, code="conflict")
    return DomainError(_("与已有数据冲突:%(detail)s") % {"detail": text[:200]}, code="conflict")


# --- who may act -------------------------------------------------------------------------


def _refuse(what: str, who: str) -> Forbidden:
    return Forbidden(_("无权%(what)s:须由%(who)s办理") % {"what": what, "who": who})


def require_city_admin(actor: Any, city_code: str, *, what: str) -> scoping.Grant | None:
    """The city agency administrator (or a system administrator covering the city)."""
    if scoping.is_system(actor) or scoping.is_unrestricted(actor):
        return None
    for grant in scoping.grants_for(actor, LIST_MANAGERS):
        if grant.role == R.Role.SYSADMIN and grant.covers(city_code):
            return grant
        if grant.role == R.Role.AGENCY_ADMIN and grant.code == city_code:
            return grant
    raise _refuse(what, _("市网格化机构管理员"))


def require_county_admin(actor: Any, county: Region, *, what: str) -> scoping.Grant | None:
    """The county agency administrator of exactly this county (or a covering sysadmin)."""
    if scoping.is_system(actor) or scoping.is_unrestricted(actor):
        return None
    for grant in scoping.grants_for(actor, LIST_MANAGERS):
        if grant.role == R.Role.SYSADMIN and grant.covers(county.code):
            return grant
        if grant.role == R.Role.AGENCY_ADMIN and grant.code == county.code:
            return grant
    raise _refuse(what, _("%(county)s网格化机构管理员") % {"county": county.name})


@dataclass(frozen=True)
class Requester:
    """Who a change request comes from (R9.3): a county department or a township agency."""

    department: Department | None
    agency: GridAgency | None
    grant: scoping.Grant | None


def requester_for(
    actor: Any, county: Region, *, department: Any = None, agency: Any = None
) -> Requester:
    """Decide on whose behalf ``actor`` requests a change to ``county``'s list, or Forbidden.

    The system (demo, commands) names the department or agency; a person acts for the
    department they head (``DEPT_HEAD``) or the township agency they administer.
    """
    department_id = getattr(department, "pk", department) or None
    agency_id = getattr(agency, "pk", agency) or None
    if scoping.is_system(actor) or scoping.is_unrestricted(actor):
        if department_id:
            dept = _county_department(department_id, county, "department")
            return Requester(dept, None, None)
        if agency_id:
            found = GridAgency.objects.select_related("region").filter(pk=agency_id).first()
            if found is None or not _is_township_agency_of(found, county):
                raise DomainError(
                    _("申请机构须为%(county)s的乡镇(街道)网格化机构") % {"county": county.name},
                    field="agency",
                    code="unknown_agency",
                )
            return Requester(None, found, None)
        raise DomainError(_("请指定申请部门或申请机构"), field="department", code="required")
    for grant in scoping.grants_for(actor, R.Role.DEPT_HEAD):
        if grant.code != county.code or grant.department_id is None:
            continue
        if department_id and grant.department_id != int(department_id):
            continue
        dept = Department.objects.select_related("region").get(pk=grant.department_id)
        if dept.level == AgencyLevel.COUNTY and dept.is_active:
            return Requester(dept, None, grant)
    for grant in scoping.grants_for(actor, R.Role.AGENCY_ADMIN):
        if len(grant.code) != 9 or not grant.code.startswith(county.code):
            continue
        found = GridAgency.objects.filter(region__code=grant.code, is_active=True).first()
        if found is not None and (not agency_id or found.pk == int(agency_id)):
            return Requester(None, found, grant)
    raise _refuse(
        _("提出%(county)s准入清单调整申请") % {"county": county.name},
        _("本县(市、区)联动部门负责人或乡镇(街道)网格化机构管理员"),
    )


def _is_township_agency_of(agency: GridAgency, county: Region) -> bool:
    return (
        agency.level == AgencyLevel.TOWNSHIP
        and agency.is_active
        and agency.region.code.startswith(county.code)
    )


# --- catalogue (R9.2) --------------------------------------------------------------------


@transaction.atomic
def create_category(
    actor: Any,
    *,
    city_code: str,
    code: str,
    name: str,
    description: str = "",
    sort_order: int = 100,
) -> MatterCategory:
    """A category of the city's classification catalogue (准入分类目录, R9.2)."""
    city = _region(city_code, Level.CITY, "city")
    grant = require_city_admin(actor, city.code, what=_("维护准入分类目录"))
    code = _code(code)
    name = _text(name, "name", required=True, max_length=60)
    if MatterCategory.objects.filter(city=city, code=code).exists():
        raise DomainError(
            _("分类编码 %(code)s 已存在") % {"code": code}, field="code", code="exists"
        )
    if MatterCategory.objects.filter(city=city, name=name).exists():
        raise DomainError(_("分类 %(name)s 已存在") % {"name": name}, field="name", code="exists")
    category = MatterCategory.objects.create(
        city=city,
        code=code,
        name=name,
        description=_text(description, "description", max_length=2000),
        sort_order=int(sort_order),
    )
    audit.record(
        actor,
        "matters.category.create",
        category,
        after=audit.snapshot(category, CATEGORY_FIELDS),
        region_code=city.code,
        role=scoping.acting_role(actor, grant),
    )
    return category


@transaction.atomic
def update_category(actor: Any, category: MatterCategory, **changes: Any) -> MatterCategory:
    """Rename, describe, reorder or (de)activate a category; its code never changes."""
    category = MatterCategory.objects.select_for_update().select_related("city").get(pk=category.pk)
    grant = require_city_admin(actor, category.city.code, what=_("维护准入分类目录"))
    before = audit.snapshot(category, CATEGORY_FIELDS)
    clean = _clean_changes(
        changes,
        {
            "name": lambda v: _text(v, "name", required=True, max_length=60),
            "description": lambda v: _text(v, "description", max_length=2000),
            "sort_order": int,
            "is_active": bool,
        },
    )
    if (
        "name" in clean
        and MatterCategory.objects.filter(city=category.city, name=clean["name"])
        .exclude(pk=category.pk)
        .exists()
    ):
        raise DomainError(
            _("分类 %(name)s 已存在") % {"name": clean["name"]}, field="name", code="exists"
        )
    if _apply(category, clean):
        category.save()
        audit.record(
            actor,
            "matters.category.update",
            category,
            before=before,
            after=audit.snapshot(category, CATEGORY_FIELDS),
            region_code=category.city.code,
            role=scoping.acting_role(actor, grant),
        )
    return category


def _clean_changes(changes: dict[str, Any], cleaners: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(changes) - set(cleaners))
    if unknown:
        raise DomainError(
            _("不能修改字段:%(fields)s") % {"fields": ", ".join(unknown)},
            field=unknown[0],
            code="read_only",
        )
    return {key: cleaners[key](value) for key, value in changes.items()}


def _apply(obj: Any, clean: dict[str, Any]) -> list[str]:
    changed = []
    for name, value in clean.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed.append(name)
    return changed


def _keywords(value: Any) -> str:
    if isinstance(value, list | tuple):
        value = " ".join(str(v) for v in value)
    words = str(value or "").replace(",", " ").replace(",", " ").replace("、", " ").split()
    text = " ".join(dict.fromkeys(words))
    return _text(text, "keywords", max_length=300)


@transaction.atomic
def create_item(
    actor: Any,
    *,
    category: MatterCategory,
    code: str,
    name: str,
    description: str = "",
    keywords: Any = "",
    settle_on_spot_allowed: bool = False,
    sort_order: int = 100,
) -> MatterItem:
    """A matter of the catalogue with a stable code (R9.2)."""
    category = MatterCategory.objects.select_related("city").get(pk=category.pk)
    grant = require_city_admin(actor, category.city.code, what=_("维护准入分类目录"))
    if not category.is_active:
        raise DomainError(_("该分类已停用"), field="category", code="inactive")
    code = _code(code)
    if MatterItem.objects.filter(city=category.city, code=code).exists():
        raise DomainError(
            _("事项编码 %(code)s 已存在") % {"code": code}, field="code", code="exists"
        )
    item = MatterItem.objects.create(
        city=category.city,
        category=category,
        code=code,
        name=_text(name, "name", required=True, max_length=100),
        description=_text(description, "description", max_length=4000),
        keywords=_keywords(keywords),
        settle_on_spot_allowed=bool(settle_on_spot_allowed),
        sort_order=int(sort_order),
    )
    audit.record(
        actor,
        "matters.item.create",
        item,
        after=audit.snapshot(item, ITEM_FIELDS),
        region_code=category.city.code,
        role=scoping.acting_role(actor, grant),
    )
    return item


@transaction.atomic
def update_item(actor: Any, item: MatterItem, **changes: Any) -> MatterItem:
    """Change an item's wording, keywords, category or status; its code never changes.

    Deactivating an item keeps it on the lists in force (the county decides its exit, R9.1),
    but no draft may add it and no version containing it can be published.
    """
    item = MatterItem.objects.select_for_update().select_related("city").get(pk=item.pk)
    grant = require_city_admin(actor, item.city.code, what=_("维护准入分类目录"))
    before = audit.snapshot(item, ITEM_FIELDS)

    def category(value: Any) -> MatterCategory:
        found = MatterCategory.objects.filter(
            pk=getattr(value, "pk", value), city=item.city
        ).first()
        if found is None:
            raise DomainError(_("分类不存在"), field="category", code="unknown_category")
        return found

    clean = _clean_changes(
        changes,
        {
            "name": lambda v: _text(v, "name", required=True, max_length=100),
            "description": lambda v: _text(v, "description", max_length=4000),
            "keywords": _keywords,
            "settle_on_spot_allowed": bool,
            "sort_order": int,
            "is_active": bool,
            "category": category,
        },
    )
    if _apply(item, clean):
        item.save()
        audit.record(
            actor,
            "matters.item.update",
            item,
            before=before,
            after=audit.snapshot(item, ITEM_FIELDS),
            region_code=item.city.code,
            role=scoping.acting_role(actor, grant),
        )
    return item


# --- lists and versions (R9.1, R9.2) -----------------------------------------------------


@transaction.atomic
def create_list(actor: Any, *, county_code: str) -> AdmissionList:
    """The county's admission list (idempotent: the existing list if there is one)."""
    county = _region(county_code, Level.COUNTY, "county")
    grant = require_county_admin(actor, county, what=_("编制准入清单"))
    admission_list, created = AdmissionList.objects.get_or_create(county=county)
    if created:
        audit.record(
            actor,
            "matters.list.create",
            admission_list,
            after={"county": county.code},
            region_code=county.code,
            role=scoping.acting_role(actor, grant),
        )
    return admission_list


def _lock_list(admission_list: AdmissionList) -> AdmissionList:
    # Serialises version numbering and the one-draft rule between concurrent requests.
    return (
        AdmissionList.objects.select_for_update().select_related("county").get(pk=admission_list.pk)
    )


@transaction.atomic
def open_draft(
    actor: Any, admission_list: AdmissionList, *, note: str = ""
) -> AdmissionListVersion:
    """The list's draft: the existing one, or a new one copying the version in force.

    The next change after publishing goes into a new draft (R9.3); idempotent.
    """
    admission_list = _lock_list(admission_list)
    county = admission_list.county
    grant = require_county_admin(actor, county, what=_("编辑准入清单"))
    draft = admission_list.versions.filter(status=VersionStatus.DRAFT).first()
    if draft is not None:
        return draft
    return _new_draft(actor, admission_list, grant, note=note)


def _new_draft(
    actor: Any, admission_list: AdmissionList, grant: Any, *, note: str = ""
) -> AdmissionListVersion:
    base = admission_list.versions.in_force().first()
    last = admission_list.versions.order_by("-number").values_list("number", flat=True).first()
    draft = AdmissionListVersion.objects.create(
        admission_list=admission_list,
        number=(last or 0) + 1,
        based_on=base,
        note=_text(note, "note", max_length=2000),
        created_by=_actor_user(actor),
    )
    copied = 0
    if base is not None:
        for entry in base.entries.select_related("item").prefetch_related("co_departments"):
            co = list(entry.co_departments.all())
            entry.pk = None
            entry.version = draft
            entry.save()
            entry.co_departments.set(co)
            copied += 1
    audit.record(
        actor,
        "matters.version.open_draft",
        draft,
        after={
            "number": draft.number,
            "based_on": base.number if base else None,
            "entries": copied,
        },
        region_code=admission_list.county.code,
        role=scoping.acting_role(actor, grant),
    )
    return draft


def _editable_draft(actor: Any, version: AdmissionListVersion, what: str):
    version = (
        AdmissionListVersion.objects.select_for_update()
        .select_related("admission_list__county")
        .get(pk=version.pk)
    )
    county = version.admission_list.county
    grant = require_county_admin(actor, county, what=what)
    ensure_draft(version)
    return version, county, grant


def ensure_draft(version: AdmissionListVersion) -> None:
    """Refuse to edit a version that is no longer a draft: published versions are frozen."""
    if version.status != VersionStatus.DRAFT:
        raise DomainError(
            _("第 %(n)d 版已发布,不能再修改;请在新草稿中调整") % {"n": version.number},
            field="version",
            code="frozen",
        )


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
    lead_department: Any,
    co_departments: Iterable[Any] | None = (),
    dispatch_limit_amount: Any,
    dispatch_limit_unit: Any,
    handling_limit_amount: Any,
    handling_limit_unit: Any,
    amber_threshold_percent: Any = None,
    notes: Any = "",
) -> EntryTerms:
    lead = _county_department(lead_department, county, "lead_department")
    dispatch = check_limit(dispatch_limit_amount, dispatch_limit_unit, "dispatch")
    handling = check_limit(handling_limit_amount, handling_limit_unit, "handling")
    return EntryTerms(
        lead_department=lead,
        co_departments=_co_departments(co_departments, county, lead),
        dispatch_limit_amount=dispatch[0],
        dispatch_limit_unit=dispatch[1],
        handling_limit_amount=handling[0],
        handling_limit_unit=handling[1],
        amber_threshold_percent=parse_amber(amber_threshold_percent),
        notes=_text(notes, "notes", max_length=2000),
    )


def _create_entry(
    version: AdmissionListVersion, item: MatterItem, terms: EntryTerms
) -> AdmissionEntry:
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


def _addable_item(version: AdmissionListVersion, county: Region, value: Any) -> MatterItem:
    item = catalogue_item(county.code[:4], value)
    if not item.is_active:
        raise DomainError(
            _("事项 %(code)s %(name)s 已在目录中停用,不能编入清单")
            % {"code": item.code, "name": item.name},
            field="item",
            code="inactive_item",
        )
    if version.entries.filter(item=item).exists():
        raise DomainError(
            _("事项 %(code)s %(name)s 已在第 %(n)d 版清单中")
            % {"code": item.code, "name": item.name, "n": version.number},
            field="item",
            code="exists",
        )
    return item


@transaction.atomic
def add_entry(actor: Any, version: AdmissionListVersion, *, item: Any, **terms: Any):
    """Admit a catalogue item into a draft with its department and time limits (R9.2)."""
    version, county, grant = _editable_draft(actor, version, _("编辑准入清单"))
    matter = _addable_item(version, county, item)
    entry = _create_entry(version, matter, clean_terms(county, **terms))
    audit.record(
        actor,
        "matters.entry.add",
        entry,
        after=_snapshot_entry(entry),
        region_code=county.code,
        role=scoping.acting_role(actor, grant),
        note=f"v{version.number}",
    )
    return entry


@transaction.atomic
def update_entry(actor: Any, entry: AdmissionEntry, **changes: Any) -> AdmissionEntry:
    """Change the department or time limits of an entry of a draft."""
    entry = AdmissionEntry.objects.select_related("version", "item").get(pk=entry.pk)
    version, county, grant = _editable_draft(actor, entry.version, _("编辑准入清单"))
    unknown = sorted(set(changes) - {*ENTRY_TERMS, "co_departments"})
    if unknown:
        raise DomainError(
            _("不能修改字段:%(fields)s") % {"fields": ", ".join(unknown)},
            field=unknown[0],
            code="read_only",
        )
    before = _snapshot_entry(entry)
    current = {name: getattr(entry, name) for name in ENTRY_TERMS}
    current["co_departments"] = list(entry.co_departments.all())
    current.update(changes)
    terms = clean_terms(county, **current)
    _apply_terms(entry, terms)
    after = _snapshot_entry(entry)
    if after != before:
        audit.record(
            actor,
            "matters.entry.update",
            entry,
            before=before,
            after=after,
            region_code=county.code,
            role=scoping.acting_role(actor, grant),
            note=f"v{version.number}",
        )
    return entry


def _apply_terms(entry: AdmissionEntry, terms: EntryTerms) -> None:
    for name in ENTRY_TERMS:
        setattr(entry, name, getattr(terms, name))
    entry.save()
    entry.co_departments.set(terms.co_departments)


@transaction.atomic
def remove_entry(actor: Any, entry: AdmissionEntry) -> None:
    """Take an item out of a draft; once published it stops new intake (动态退出, R9.1)."""
    entry = AdmissionEntry.objects.select_related("version", "item").get(pk=entry.pk)
    version, county, grant = _editable_draft(actor, entry.version, _("编辑准入清单"))
    before = _snapshot_entry(entry)
    entry_repr = str(entry)
    entry_pk = entry.pk
    entry.co_departments.clear()
    entry.delete()
    audit.record(
        actor,
        "matters.entry.remove",
        None,
        before=before,
        region_code=county.code,
        role=scoping.acting_role(actor, grant),
        object_type="matters.admissionentry",
        object_id=str(entry_pk),
        object_repr=entry_repr,
        note=f"v{version.number}",
    )


@dataclass
class ImportRow:
    """One parsed row of an uploaded list: the item and the validated terms."""

    row: int
    item: MatterItem
    terms: EntryTerms


@transaction.atomic
def replace_draft_entries(
    actor: Any, admission_list: AdmissionList, rows: Sequence[ImportRow], *, source: str = ""
) -> AdmissionListVersion:
    """Replace every entry of the list's draft (opened if needed) by ``rows``.

    Used by the Excel upload (:func:`matters.excel.import_draft`), which validates every row
    first: either all rows are saved or none.
    """
    admission_list = _lock_list(admission_list)
    county = admission_list.county
    grant = require_county_admin(actor, county, what=_("导入准入清单"))
    draft = admission_list.versions.filter(status=VersionStatus.DRAFT).first()
    if draft is None:
        draft = _new_draft(actor, admission_list, grant)
    before = sorted(draft.entries.values_list("item__code", flat=True))
    for entry in draft.entries.all():
        entry.co_departments.clear()
    draft.entries.all().delete()
    for row in rows:
        _create_entry(draft, row.item, row.terms)
    audit.record(
        actor,
        "matters.version.import",
        draft,
        before={"entries": before},
        after={"entries": sorted(r.item.code for r in rows)},
        region_code=county.code,
        role=scoping.acting_role(actor, grant),
        note=source[:200],
    )
    return draft


def publication_problems(version: AdmissionListVersion) -> list[str]:
    """What stops a draft from being published (empty, retired items, closed departments)."""
    problems = []
    entries = list(
        version.entries.select_related("item", "lead_department").prefetch_related("co_departments")
    )
    if not entries:
        problems.append(_("清单没有任何事项"))
    for entry in entries:
        if not entry.item.is_active:
            problems.append(
                _("事项 %(code)s %(name)s 已在目录中停用,请移出清单")
                % {"code": entry.item.code, "name": entry.item.name}
            )
        departments = [entry.lead_department, *entry.co_departments.all()]
        for department in departments:
            if not department.is_active:
                problems.append(
                    _("事项 %(code)s 的部门 %(name)s 已停用")
                    % {"code": entry.item.code, "name": department.name}
                )
    return problems


@transaction.atomic
def publish_version(
    actor: Any, version: AdmissionListVersion, *, note: str | None = None
) -> AdmissionListVersion:
    """Publish a draft: it comes into force at once and is frozen (R9.2, R9.1 动态调整)."""
    _lock_list(version.admission_list)
    version = (
        AdmissionListVersion.objects.select_for_update()
        .select_related("admission_list__county")
        .get(pk=version.pk)
    )
    county = version.admission_list.county
    grant = require_county_admin(actor, county, what=_("发布准入清单"))
    if version.status != VersionStatus.DRAFT:
        if version.is_published:
            return version  # a resent publish changes nothing
        ensure_draft(version)
    problems = publication_problems(version)
    if problems:
        raise DomainError(
            _("第 %(n)d 版不能发布:%(first)s") % {"n": version.number, "first": problems[0]},
            field="version",
            code="not_publishable",
            extra={"problems": problems},
        )
    if note is not None:
        version.note = _text(note, "note", max_length=2000)
    version.status = VersionStatus.PUBLISHED
    version.published_at = timezone.now()
    version.published_by = _actor_user(actor)
    version.save()
    previous = version.based_on
    audit.record(
        actor,
        "matters.version.publish",
        version,
        after={
            "number": version.number,
            "entries": version.entries.count(),
            "replaces": previous.number if previous else None,
            "changes": compare_versions(previous, version).summary() if previous else None,
        },
        region_code=county.code,
        role=scoping.acting_role(actor, grant),
    )
    return version


@transaction.atomic
def file_version(actor: Any, version: AdmissionListVersion) -> AdmissionListVersion:
    """File a published version with the city agency (报市网格化机构备案, R9.2, R9.3)."""
    version = (
        AdmissionListVersion.objects.select_for_update()
        .select_related("admission_list__county")
        .get(pk=version.pk)
    )
    county = version.admission_list.county
    grant = require_county_admin(actor, county, what=_("报市网格化机构备案"))
    if version.status in (VersionStatus.FILED, VersionStatus.ACKNOWLEDGED):
        return version
    if version.status != VersionStatus.PUBLISHED:
        raise DomainError(
            _("第 %(n)d 版尚未发布,发布后才能报备") % {"n": version.number},
            field="version",
            code="not_published",
        )
    version.status = VersionStatus.FILED
    version.filed_at = timezone.now()
    version.filed_by = _actor_user(actor)
    version.save()
    audit.record(
        actor,
        "matters.version.file",
        version,
        after={"number": version.number, "status": version.status},
        region_code=county.code,
        role=scoping.acting_role(actor, grant),
    )
    return version


@transaction.atomic
def acknowledge_version(
    actor: Any, version: AdmissionListVersion, *, note: str = ""
) -> AdmissionListVersion:
    """The city agency confirms the filing of a county's version (备案确认, R9.2)."""
    version = (
        AdmissionListVersion.objects.select_for_update()
        .select_related("admission_list__county")
        .get(pk=version.pk)
    )
    county = version.admission_list.county
    grant = require_city_admin(actor, county.code[:4], what=_("确认准入清单备案"))
    if version.status == VersionStatus.ACKNOWLEDGED:
        return version
    if version.status != VersionStatus.FILED:
        raise DomainError(
            _("第 %(n)d 版尚未报备,不能确认备案") % {"n": version.number},
            field="version",
            code="not_filed",
        )
    version.status = VersionStatus.ACKNOWLEDGED
    version.acknowledged_at = timezone.now()
    version.acknowledged_by = _actor_user(actor)
    version.acknowledgement_note = _text(note, "note", max_length=2000)
    version.save()
    audit.record(
        actor,
        "matters.version.acknowledge",
        version,
        after={"number": version.number, "note": version.acknowledgement_note},
        region_code=county.code,
        role=scoping.acting_role(actor, grant),
    )
    return version


# --- comparing versions -----------------------------------------------------------------


@dataclass
class VersionDiff:
    """What a version changed against another: the record a filing reviewer reads."""

    added: list[AdmissionEntry] = field(default_factory=list)
    removed: list[AdmissionEntry] = field(default_factory=list)
    changed: list[tuple[AdmissionEntry, AdmissionEntry, list[str]]] = field(default_factory=list)

    def summary(self) -> dict[str, list[str]]:
        return {
            "added": [e.item.code for e in self.added],
            "removed": [e.item.code for e in self.removed],
            "changed": [new.item.code for _old, new, _f in self.changed],
        }

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)


COMPARED_FIELDS = [*ENTRY_TERMS, "co_departments"]


def _entries_by_code(version: AdmissionListVersion) -> dict[str, AdmissionEntry]:
    entries = version.entries.select_related(
        "item__category", "lead_department__kind"
    ).prefetch_related(
        Prefetch(
            "co_departments", queryset=Department.objects.select_related("kind").order_by("pk")
        )
    )
    return {e.item.code: e for e in entries}


def _term_value(entry: AdmissionEntry, name: str) -> Any:
    return entry.lead_department_id if name == "lead_department" else getattr(entry, name)


def compare_versions(old: AdmissionListVersion | None, new: AdmissionListVersion) -> VersionDiff:
    """Entries added, removed and changed (with the names of the changed fields)."""
    diff = VersionDiff()
    before = _entries_by_code(old) if old is not None else {}
    after = _entries_by_code(new)
    for code, entry in after.items():
        if code not in before:
            diff.added.append(entry)
            continue
        old_entry = before[code]
        fields_changed = [
            name for name in ENTRY_TERMS if _term_value(old_entry, name) != _term_value(entry, name)
        ]
        if [d.pk for d in old_entry.co_departments.all()] != [
            d.pk for d in entry.co_departments.all()
        ]:
            fields_changed.append("co_departments")
        if fields_changed:
            diff.changed.append((old_entry, entry, fields_changed))
    diff.removed = [entry for code, entry in before.items() if code not in after]
    return diff


# --- change requests (R9.3) --------------------------------------------------------------


def _list_for_county(county: Region) -> AdmissionList:
    found = AdmissionList.objects.filter(county=county).first()
    if found is None:
        raise DomainError(
            _("%(county)s尚未编制准入清单") % {"county": county.name},
            field="county",
            code="no_list",
        )
    return found


def _pending_duplicate(admission_list: AdmissionList, item: MatterItem) -> ChangeRequest | None:
    return ChangeRequest.objects.filter(
        admission_list=admission_list, item=item, status=ChangeStatus.PENDING
    ).first()


@transaction.atomic
def submit_change_request(
    actor: Any,
    *,
    county_code: str,
    kind: str,
    item: Any,
    reason: str,
    lead_department: Any = None,
    co_departments: Iterable[Any] | None = None,
    dispatch_limit_amount: Any = None,
    dispatch_limit_unit: Any = "",
    handling_limit_amount: Any = None,
    handling_limit_unit: Any = "",
    amber_threshold_percent: Any = None,
    notes: str = "",
    department: Any = None,
    agency: Any = None,
) -> ChangeRequest:
    """A county department or a township agency asks to add, change or remove an entry (R9.3).

    ``add`` needs the full terms; ``change`` names only what changes (``co_departments=None``
    keeps them, a list replaces them); ``remove`` needs only the item and the reason.
    """
    county = _region(county_code, Level.COUNTY, "county")
    requester = requester_for(actor, county, department=department, agency=agency)
    admission_list = _list_for_county(county)
    kind = str(kind or "")
    if kind not in ChangeKind.values:
        raise DomainError(
            _("申请类型须为 add(新增)、change(调整)或 remove(移出)"),
            field="kind",
            code="invalid_choice",
        )
    matter = catalogue_item(county.code[:4], item)
    reason = _reason(reason)
    in_force = admission_list.versions.in_force().first()
    current = in_force.entries.filter(item=matter).first() if in_force else None
    duplicate = _pending_duplicate(admission_list, matter)
    if duplicate is not None:
        raise DomainError(
            _("事项 %(code)s 已有待审核的调整申请 #%(id)d")
            % {"code": matter.code, "id": duplicate.pk},
            field="item",
            code="pending_exists",
            extra={"pending_request": duplicate.pk},
        )
    proposal: dict[str, Any] = {"notes": _text(notes, "notes", max_length=2000)}
    co: list[Department] | None = None
    if kind == ChangeKind.ADD:
        if current is not None:
            raise DomainError(
                _("事项 %(code)s 已在现行清单中,如需调整请选择“调整事项”") % {"code": matter.code},
                field="item",
                code="exists",
            )
        if not matter.is_active:
            raise DomainError(
                _("事项 %(code)s 已在目录中停用") % {"code": matter.code},
                field="item",
                code="inactive_item",
            )
        terms = clean_terms(
            county,
            lead_department=lead_department,
            co_departments=co_departments,
            dispatch_limit_amount=dispatch_limit_amount,
            dispatch_limit_unit=dispatch_limit_unit,
            handling_limit_amount=handling_limit_amount,
            handling_limit_unit=handling_limit_unit,
            amber_threshold_percent=amber_threshold_percent,
            notes=notes,
        )
        proposal.update({name: getattr(terms, name) for name in ENTRY_TERMS})
        co = terms.co_departments
    elif kind == ChangeKind.CHANGE:
        if current is None:
            raise DomainError(
                _("事项 %(code)s 不在现行清单中,不能调整") % {"code": matter.code},
                field="item",
                code="not_on_list",
            )
        proposal.update(
            _proposed_changes(
                county,
                lead_department=lead_department,
                dispatch=(dispatch_limit_amount, dispatch_limit_unit),
                handling=(handling_limit_amount, handling_limit_unit),
                amber=amber_threshold_percent,
            )
        )
        if co_departments is not None:
            lead = proposal.get("lead_department") or current.lead_department
            co = _co_departments(co_departments, county, lead)
        if not _changes_anything(current, proposal, co):
            raise DomainError(
                _("申请内容与现行清单相同,没有需要调整的内容"),
                field="kind",
                code="no_change",
            )
    else:
        if current is None:
            raise DomainError(
                _("事项 %(code)s 不在现行清单中,无需移出") % {"code": matter.code},
                field="item",
                code="not_on_list",
            )
    request = ChangeRequest.objects.create(
        admission_list=admission_list,
        kind=kind,
        item=matter,
        reason=reason,
        replace_co_departments=co is not None,
        requesting_department=requester.department,
        requesting_agency=requester.agency,
        requested_by=_actor_user(actor),
        **{k: v for k, v in proposal.items() if v is not None},
    )
    if co:
        request.co_departments.set(co)
    audit.record(
        actor,
        "matters.change_request.submit",
        request,
        after=_snapshot_request(request),
        region_code=county.code,
        role=scoping.acting_role(actor, requester.grant),
    )
    return request


def _proposed_changes(
    county: Region,
    *,
    lead_department: Any,
    dispatch: tuple[Any, Any],
    handling: tuple[Any, Any],
    amber: Any,
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if lead_department not in (None, ""):
        out["lead_department"] = _county_department(lead_department, county, "lead_department")
    for kind, (amount, unit) in (("dispatch", dispatch), ("handling", handling)):
        if amount in (None, "") and unit in (None, ""):
            continue
        if amount in (None, "") or unit in (None, ""):
            missing = f"{kind}_limit_amount" if amount in (None, "") else f"{kind}_limit_unit"
            raise DomainError(_("调整时限须同时填写时限和单位"), field=missing, code="required")
        out[f"{kind}_limit_amount"], out[f"{kind}_limit_unit"] = check_limit(amount, unit, kind)
    if amber not in (None, ""):
        out["amber_threshold_percent"] = parse_amber(amber)
    return out


def _changes_anything(
    entry: AdmissionEntry, proposal: dict[str, Any], co: list[Department] | None
) -> bool:
    for name, value in proposal.items():
        if name == "notes":
            if value and value != entry.notes:
                return True
            continue
        if value is not None and getattr(entry, name) != value:
            return True
    if co is not None:
        return sorted(d.pk for d in co) != sorted(entry.co_departments.values_list("pk", flat=True))
    return False


def _snapshot_request(request: ChangeRequest) -> dict[str, Any]:
    out = audit.snapshot(
        request,
        [
            "kind",
            "item",
            "reason",
            "status",
            "requesting_department",
            "requesting_agency",
            "review_reason",
            "applied_to",
            *ENTRY_TERMS,
        ],
    )
    out["code"] = request.item.code
    out["co_departments"] = (
        sorted(request.co_departments.values_list("pk", flat=True))
        if request.replace_co_departments
        else None
    )
    return out


def _lock_request(request: ChangeRequest) -> ChangeRequest:
    return (
        ChangeRequest.objects.select_for_update()
        .select_related("admission_list__county", "item")
        .get(pk=request.pk)
    )


@transaction.atomic
def withdraw_change_request(actor: Any, request: ChangeRequest) -> ChangeRequest:
    """The requesting department or agency withdraws a pending request."""
    request = _lock_request(request)
    county = request.admission_list.county
    requester = requester_for(
        actor,
        county,
        department=request.requesting_department_id,
        agency=request.requesting_agency_id,
    )
    if (requester.department and requester.department.pk != request.requesting_department_id) or (
        requester.agency and requester.agency.pk != request.requesting_agency_id
    ):
        raise Forbidden(_("只有申请单位可以撤回调整申请"))
    if request.status == ChangeStatus.WITHDRAWN:
        return request
    if request.status != ChangeStatus.PENDING:
        raise DomainError(
            _("申请已%(status)s,不能撤回") % {"status": request.get_status_display()},
            field="status",
            code="not_pending",
        )
    request.status = ChangeStatus.WITHDRAWN
    request.save(update_fields=["status"])
    audit.record(
        actor,
        "matters.change_request.withdraw",
        request,
        after={"status": request.status},
        region_code=county.code,
        role=scoping.acting_role(actor, requester.grant),
    )
    return request


@transaction.atomic
def approve_change_request(
    actor: Any, request: ChangeRequest, *, reason: str = ""
) -> ChangeRequest:
    """The county agency approves: the change goes into the list's draft at once (R9.3).

    It takes effect for intake when that draft is published; filing with the city follows.
    Refused (nothing changed) when the draft no longer allows it, e.g. the item was already
    removed there.
    """
    request = _lock_request(request)
    county = request.admission_list.county
    grant = require_county_admin(actor, county, what=_("审核准入清单调整申请"))
    if request.status == ChangeStatus.APPROVED:
        return request
    _ensure_pending(request)
    admission_list = _lock_list(request.admission_list)
    draft = admission_list.versions.filter(status=VersionStatus.DRAFT).first()
    if draft is None:
        draft = _new_draft(actor, admission_list, grant)
    entry = draft.entries.filter(item=request.item).first()
    if request.kind == ChangeKind.ADD:
        _addable_item(draft, county, request.item)
        terms = clean_terms(
            county,
            **{name: getattr(request, name) for name in ENTRY_TERMS},
            co_departments=list(request.co_departments.all()),
        )
        _create_entry(draft, request.item, terms)
    elif entry is None:
        raise DomainError(
            _("事项 %(code)s 已不在第 %(n)d 版草稿中,无法%(kind)s")
            % {"code": request.item.code, "n": draft.number, "kind": request.get_kind_display()},
            field="item",
            code="not_on_list",
        )
    elif request.kind == ChangeKind.CHANGE:
        current: dict[str, Any] = {name: getattr(entry, name) for name in ENTRY_TERMS}
        for name in ENTRY_TERMS:
            value = getattr(request, name)
            if value not in (None, ""):
                current[name] = value
        co = (
            list(request.co_departments.all())
            if request.replace_co_departments
            else list(entry.co_departments.all())
        )
        _apply_terms(entry, clean_terms(county, **current, co_departments=co))
    else:
        entry.co_departments.clear()
        entry.delete()
    request.status = ChangeStatus.APPROVED
    request.reviewed_by = _actor_user(actor)
    request.reviewed_at = timezone.now()
    request.review_reason = _text(reason, "reason", max_length=2000)
    request.applied_to = draft
    request.save()
    audit.record(
        actor,
        "matters.change_request.approve",
        request,
        after={
            "status": request.status,
            "reason": request.review_reason,
            "applied_to": draft.number,
        },
        region_code=county.code,
        role=scoping.acting_role(actor, grant),
    )
    return request


def _ensure_pending(request: ChangeRequest) -> None:
    if request.status != ChangeStatus.PENDING:
        raise DomainError(
            _("申请已%(status)s,不能再审核") % {"status": request.get_status_display()},
            field="status",
            code="not_pending",
        )


@transaction.atomic
def reject_change_request(actor: Any, request: ChangeRequest, *, reason: str) -> ChangeRequest:
    """The county agency rejects a request, with its reasons (R9.3)."""
    request = _lock_request(request)
    county = request.admission_list.county
    grant = require_county_admin(actor, county, what=_("审核准入清单调整申请"))
    if request.status == ChangeStatus.REJECTED:
        return request
    _ensure_pending(request)
    request.status = ChangeStatus.REJECTED
    request.reviewed_by = _actor_user(actor)
    request.reviewed_at = timezone.now()
    request.review_reason = _reason(reason)
    request.save()
    audit.record(
        actor,
        "matters.change_request.reject",
        request,
        after={"status": request.status, "reason": request.review_reason},
        region_code=county.code,
        role=scoping.acting_role(actor, grant),
    )
    return request


# --- reading -----------------------------------------------------------------------------


def version_in_force(county_code: str) -> AdmissionListVersion | None:
    return (
        AdmissionListVersion.objects.in_force()
        .filter(admission_list__county__code=county_code)
        .select_related("admission_list__county")
        .first()
    )


def entries_of(version: AdmissionListVersion):
    """The entries of a version with everything a list page, the API or an export shows."""
    return (
        version.entries.select_related("item__category", "lead_department__kind")
        .prefetch_related(
            Prefetch(
                "co_departments",
                queryset=Department.objects.select_related("kind").order_by("pk"),
            )
        )
        .order_by(
            "item__category__sort_order", "item__category__code", "item__sort_order", "item__code"
        )
    )


def get_version(admission_list: AdmissionList, number: Any) -> AdmissionListVersion:
    number = parse_int(number, minimum=1)
    if number is None:
        raise NotFound(_("版本号无效"))
    found = admission_list.versions.filter(number=number).first()
    if found is None:
        raise NotFound(_("第 %(n)s 版不存在") % {"n": number})
    return found


def search_q(text: str) -> Q:
    """Items matching ``text`` by code, name, keywords or description (for intake forms)."""
    text = text.strip()
    return (
        Q(code__iexact=text)
        | Q(name__icontains=text)
        | Q(keywords__icontains=text)
        | Q(description__icontains=text)
    )
