"""Organisations (R4–R6): grid agencies, department kinds and linkage departments, village
(community) committees and their members."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import personal_data as pd
from audit import services as audit
from gridgov.access import roles as R
from gridgov.access import scoping
from gridgov.actors import Actor
from gridgov.errors import DomainError
from gridgov.parsing import parse_id
from gridgov.text import clean_text
from people.actions import PeopleAction
from people.models import (
    AgencyLevel,
    CommitteeKind,
    CommitteeMember,
    CommitteePosition,
    Department,
    DepartmentKind,
    GridAgency,
    User,
    VillageCommittee,
)
from people.services.common import (
    DateInput,
    clean_choice,
    clean_date,
    find_region,
    not_future,
    refuse_read_only,
)
from regions.models import Level, VillageKind

AGENCY_FIELDS = ["name", "region", "level", "address", "office_phone", "supervision_phone",
                 "is_active"]  # fmt: skip
DEPARTMENT_FIELDS = ["name", "kind", "region", "level", "office_phone", "address", "is_active"]
COMMITTEE_FIELDS = ["name", "region", "kind", "office_phone", "address", "is_active"]
MEMBER_FIELDS = ["committee", "name", "position", "is_party_member", "work_phone", "user",
                 "started_on", "ended_on"]  # fmt: skip


@transaction.atomic
def create_agency(
    actor: Actor,
    *,
    region_code: str,
    name: str = "",
    address: str = "",
    office_phone: str = "",
    supervision_phone: str = "",
) -> GridAgency:
    """A grid agency for a city, county or township (R4.1); one per region."""
    region = find_region(region_code, levels=AgencyLevel.values)
    grant = scoping.require(
        actor, R.ORGANISATION_MANAGERS, region_code=region.code, what=_("设立网格化机构")
    )
    if GridAgency.objects.filter(region=region).exists():
        raise DomainError(
            _("%(region)s 已有网格化机构") % {"region": region.name},
            field="region",
            code="exists",
        )
    agency = GridAgency.objects.create(
        region=region,
        level=region.level,
        name=clean_text(name, "name", max_length=100) or f"{region.name}网格化服务管理中心",
        address=clean_text(address, "address"),
        office_phone=pd.normalize_work_phone(office_phone, field="office_phone"),
        supervision_phone=pd.normalize_work_phone(supervision_phone, field="supervision_phone"),
    )
    audit.record_created(
        actor,
        PeopleAction.AGENCY_CREATE,
        agency,
        AGENCY_FIELDS,
        region_code=region.code,
        grant=grant,
    )
    return agency


@transaction.atomic
def update_agency(actor: Actor, agency: GridAgency, **changes: Any) -> GridAgency:
    agency = GridAgency.objects.select_for_update().get(pk=agency.pk)
    grant = scoping.require(
        actor, R.ORGANISATION_MANAGERS, region_code=agency.region.code, what=_("修改网格化机构")
    )
    clean: dict[str, Any] = {}
    for key, value in changes.items():
        if key == "name":
            clean[key] = clean_text(value, key, required=True, max_length=100)
        elif key == "address":
            clean[key] = clean_text(value, key)
        elif key in {"office_phone", "supervision_phone"}:
            clean[key] = pd.normalize_work_phone(value, field=key)
        elif key == "is_active":
            clean[key] = bool(value)
        else:
            clean[key] = value
    refuse_read_only(clean, ["name", "address", "office_phone", "supervision_phone", "is_active"])
    audit.audited_update(
        actor,
        PeopleAction.AGENCY_UPDATE,
        agency,
        clean,
        fields=AGENCY_FIELDS,
        region_code=agency.region.code,
        role=scoping.acting_role(actor, grant),
    )
    return agency


@transaction.atomic
def create_department_kind(
    actor: Actor, *, code: str, name: str, sort_order: int = 1000
) -> DepartmentKind:
    """A kind of department beyond the 14 of Art. 5 (R5.1: "等部门")."""
    grant = scoping.require(actor, R.Role.SYSADMIN, what=_("新增部门类别"))
    code = clean_text(code, "code", required=True, max_length=40).lower()
    if not code.replace("_", "").replace("-", "").isalnum() or not code.isascii():
        raise DomainError(
            _("代码只能包含小写字母、数字、下划线和连字符"), field="code", code="invalid"
        )
    name = clean_text(name, "name", required=True, max_length=50)
    if DepartmentKind.objects.filter(Q(code=code) | Q(name=name)).exists():
        raise DomainError(_("该部门类别已存在"), field="name", code="exists")
    kind = DepartmentKind.objects.create(code=code, name=name, sort_order=int(sort_order))
    audit.record(
        actor,
        PeopleAction.DEPARTMENT_KIND_CREATE,
        kind,
        after={"code": code, "name": name},
        role=scoping.acting_role(actor, grant),
    )
    return kind


@transaction.atomic
def update_department_kind(actor: Actor, kind: DepartmentKind, **changes: Any) -> DepartmentKind:
    grant = scoping.require(actor, R.Role.SYSADMIN, what=_("修改部门类别"))
    kind = DepartmentKind.objects.select_for_update().get(pk=kind.pk)
    if kind.builtin and "name" in changes and changes["name"] != kind.name:
        raise DomainError(_("条例第五条所列部门类别的名称不能修改"), field="name", code="builtin")
    if "name" in changes:
        changes["name"] = clean_text(changes["name"], "name", required=True, max_length=50)
    refuse_read_only(changes, ["name", "sort_order", "is_active"])
    audit.audited_update(
        actor,
        PeopleAction.DEPARTMENT_KIND_UPDATE,
        kind,
        changes,
        fields=["name", "sort_order", "is_active"],
        role=scoping.acting_role(actor, grant),
    )
    return kind


def _department_kind(kind: DepartmentKind | int | str) -> DepartmentKind:
    if isinstance(kind, DepartmentKind):
        return kind
    found = DepartmentKind.objects.filter(Q(code=str(kind)) | Q(name=str(kind))).first()
    if found is None and (pk := parse_id(kind)) is not None:
        found = DepartmentKind.objects.filter(pk=pk).first()
    if found is None:
        raise DomainError(
            _("未知的部门类别 %(kind)s") % {"kind": kind}, field="kind", code="unknown_kind"
        )
    return found


@transaction.atomic
def create_department(
    actor: Actor,
    *,
    kind: DepartmentKind | int | str,
    region_code: str,
    name: str = "",
    office_phone: str = "",
    address: str = "",
) -> Department:
    """A linkage department of a kind at a city, county or township (R5.1)."""
    region = find_region(region_code, levels=AgencyLevel.values)
    kind_obj = _department_kind(kind)
    if not kind_obj.is_active:
        raise DomainError(_("该部门类别已停用"), field="kind", code="inactive")
    grant = scoping.require(
        actor, R.ORGANISATION_MANAGERS, region_code=region.code, what=_("设立联动部门")
    )
    name = clean_text(name, "name", max_length=100) or f"{region.name}{kind_obj.name}"
    if Department.objects.filter(region=region, kind=kind_obj, name=name).exists():
        raise DomainError(_("该部门已存在"), field="name", code="exists")
    department = Department.objects.create(
        kind=kind_obj,
        region=region,
        level=region.level,
        name=name,
        office_phone=pd.normalize_work_phone(office_phone, field="office_phone"),
        address=clean_text(address, "address"),
    )
    audit.record_created(
        actor,
        PeopleAction.DEPARTMENT_CREATE,
        department,
        DEPARTMENT_FIELDS,
        region_code=region.code,
        grant=grant,
    )
    return department


def _update_contact_record(
    actor: Actor,
    obj: Department | VillageCommittee,
    changes: dict[str, Any],
    *,
    what: str,
    action: str,
    fields: list[str],
    allowed: list[str],
    kind_choices: type | None = None,
) -> Department | VillageCommittee:
    """Change a department's or a committee's name, address, office phone, status (and a
    committee's kind): the row locked, the manager's right checked, then the values cleaned
    and the change recorded (R5.1, R6.1)."""
    obj = type(obj).objects.select_for_update().get(pk=obj.pk)
    grant = scoping.require(actor, R.ORGANISATION_MANAGERS, region_code=obj.region.code, what=what)
    for key in ("name", "address"):
        if key in changes:
            changes[key] = clean_text(changes[key], key, required=key == "name", max_length=100)
    if "office_phone" in changes:
        changes["office_phone"] = pd.normalize_work_phone(changes["office_phone"])
    if kind_choices is not None and "kind" in changes:
        changes["kind"] = clean_choice(changes["kind"], kind_choices, "kind")
    if "is_active" in changes:
        changes["is_active"] = bool(changes["is_active"])
    refuse_read_only(changes, allowed)
    audit.audited_update(
        actor,
        action,
        obj,
        changes,
        fields=fields,
        region_code=obj.region.code,
        role=scoping.acting_role(actor, grant),
    )
    return obj


@transaction.atomic
def update_department(actor: Actor, department: Department, **changes: Any) -> Department:
    return _update_contact_record(
        actor,
        department,
        changes,
        what=_("修改联动部门"),
        action=PeopleAction.DEPARTMENT_UPDATE,
        fields=DEPARTMENT_FIELDS,
        allowed=["name", "office_phone", "address", "is_active"],
    )


@transaction.atomic
def create_committee(
    actor: Actor,
    *,
    region_code: str,
    name: str = "",
    kind: str = "",
    office_phone: str = "",
    address: str = "",
) -> VillageCommittee:
    """The committee of a village or community (R6.1); one per village."""
    region = find_region(region_code, levels=[Level.VILLAGE])
    grant = scoping.require(
        actor, R.ORGANISATION_MANAGERS, region_code=region.code, what=_("登记村(居)委会")
    )
    if VillageCommittee.objects.filter(region=region).exists():
        raise DomainError(
            _("%(region)s 已登记村(居)委会") % {"region": region.name},
            field="region",
            code="exists",
        )
    if kind:
        kind = clean_choice(kind, CommitteeKind, "kind")
    else:
        kind = (
            CommitteeKind.VILLAGERS if region.kind == VillageKind.RURAL else CommitteeKind.RESIDENTS
        )
    committee = VillageCommittee.objects.create(
        region=region,
        name=clean_text(name, "name", max_length=100) or region.name,
        kind=kind,
        office_phone=pd.normalize_work_phone(office_phone, field="office_phone"),
        address=clean_text(address, "address"),
    )
    audit.record_created(
        actor,
        PeopleAction.COMMITTEE_CREATE,
        committee,
        COMMITTEE_FIELDS,
        region_code=region.code,
        grant=grant,
    )
    return committee


@transaction.atomic
def update_committee(actor: Actor, committee: VillageCommittee, **changes: Any) -> VillageCommittee:
    return _update_contact_record(
        actor,
        committee,
        changes,
        what=_("修改村(居)委会"),
        action=PeopleAction.COMMITTEE_UPDATE,
        fields=COMMITTEE_FIELDS,
        allowed=["name", "kind", "office_phone", "address", "is_active"],
        kind_choices=CommitteeKind,
    )


@transaction.atomic
def add_committee_member(
    actor: Actor,
    committee: VillageCommittee,
    *,
    name: str,
    position: str,
    is_party_member: bool = False,
    work_phone: str = "",
    user: User | None = None,
    started_on: DateInput = None,
) -> CommitteeMember:
    grant = scoping.require(
        actor, R.ORGANISATION_MANAGERS, region_code=committee.region.code, what=_("登记委员")
    )
    member = CommitteeMember.objects.create(
        committee=committee,
        name=clean_text(name, "name", required=True, max_length=64),
        position=clean_choice(position, CommitteePosition, "position"),
        is_party_member=bool(is_party_member),
        work_phone=pd.normalize_work_phone(work_phone),
        user=user,
        started_on=not_future(
            clean_date(started_on, "started_on", default=timezone.localdate()), "started_on"
        ),
    )
    audit.record_created(
        actor,
        PeopleAction.COMMITTEE_MEMBER_ADD,
        member,
        MEMBER_FIELDS,
        region_code=committee.region.code,
        grant=grant,
    )
    return member


@transaction.atomic
def end_committee_member(
    actor: Actor, member: CommitteeMember, *, ended_on: DateInput = None
) -> CommitteeMember:
    member = (
        CommitteeMember.objects.select_for_update(of=("self",))
        .select_related("committee__region")
        .get(pk=member.pk)
    )
    grant = scoping.require(
        actor, R.ORGANISATION_MANAGERS, region_code=member.committee.region.code, what=_("登记离任")
    )
    if member.ended_on is not None:
        return member
    day = clean_date(ended_on, "ended_on", default=timezone.localdate())
    if day < member.started_on:
        raise DomainError(_("离任日期不能早于任职日期"), field="ended_on", code="invalid_span")
    audit.audited_update(
        actor,
        PeopleAction.COMMITTEE_MEMBER_END,
        member,
        {"ended_on": day},
        fields=MEMBER_FIELDS,
        region_code=member.committee.region.code,
        role=scoping.acting_role(actor, grant),
    )
    return member
