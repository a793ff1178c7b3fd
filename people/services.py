"""Every change to people and organisations (R4–R6, R10–R13, R20.1, R22.1, R28.1).

Each service runs in one transaction, checks the actor's role over the place it touches
(:func:`gridgov.access.scoping.require`), refuses bad input with a ``DomainError`` naming the field,
and writes one audit record. Personal data never enters the audit trail in clear: snapshots
carry the masked forms only.

``actor`` is a user, or a string / None for the system (management commands, the demo, tasks).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from audit import personal_data as pd
from audit import services as audit
from audit.models import PersonalDataAccess
from gridgov.access import roles as R
from gridgov.access import scoping
from gridgov.context import current as current_context
from gridgov.errors import DomainError, Forbidden, NotFound
from gridgov.parsing import parse_id
from people.models import (
    PROFESSIONAL_MAX_GRIDS,
    AgencyLevel,
    ApiToken,
    CommitteeKind,
    CommitteeMember,
    CommitteePosition,
    Department,
    DepartmentKind,
    Employment,
    EmploymentMethod,
    EquipmentIssue,
    EquipmentItem,
    ExitReason,
    GridAgency,
    GridAssignment,
    GridWorker,
    RoleAssignment,
    Training,
    User,
    VillageCommittee,
    WorkerKind,
    WorkerStatus,
)
from regions.models import Grid, Level, Region, VillageKind

AGENCY_FIELDS = ["name", "region", "level", "address", "office_phone", "supervision_phone",
                 "is_active"]  # fmt: skip
DEPARTMENT_FIELDS = ["name", "kind", "region", "level", "office_phone", "address", "is_active"]
COMMITTEE_FIELDS = ["name", "region", "kind", "office_phone", "address", "is_active"]
MEMBER_FIELDS = ["committee", "name", "position", "is_party_member", "work_phone", "user",
                 "started_on", "ended_on"]  # fmt: skip
WORKER_FIELDS = ["name", "gender", "kind", "is_party_member", "village", "agency", "department",
                 "region_code", "work_phone", "id_number_masked", "personal_phone_masked",
                 "status", "user", "note"]  # fmt: skip
ASSIGNMENT_FIELDS = ["worker", "grid_code", "kind", "started_on", "ended_on", "end_reason"]
ROLE_FIELDS = ["user", "role", "region", "department", "valid_from", "valid_to", "note"]

DEFAULT_METHOD = {
    WorkerKind.LEADER: EmploymentMethod.APPOINTED,
    WorkerKind.FULLTIME: EmploymentMethod.RECRUITED,
    WorkerKind.PARTTIME: EmploymentMethod.CONCURRENT,
    WorkerKind.PROFESSIONAL: EmploymentMethod.SECONDED,
}


# --- helpers ------------------------------------------------------------------------------


class _Gender:
    values = ("male", "female")


def _actor_user(actor: Any) -> User | None:
    return actor if getattr(actor, "is_authenticated", False) else None


def _region(code: str | None, *, field: str = "region", levels: Iterable[str] = ()) -> Region:
    code = str(code or "").strip()
    if not code:
        raise DomainError(_("请指定区域"), field=field, code="required")
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise DomainError(
            _("区划代码 %(code)s 不存在") % {"code": code}, field=field, code="unknown_region"
        )
    levels = set(levels)
    if levels and region.level not in levels:
        raise DomainError(
            _("%(name)s 是%(level)s,此处须为:%(allowed)s")
            % {
                "name": region.name,
                "level": region.get_level_display(),
                "allowed": pgettext("list separator", "、").join(
                    str(Level(lv).label) for lv in sorted(levels)
                ),
            },
            field=field,
            code="wrong_level",
        )
    return region


def _text(value: Any, field: str, *, required: bool = False, max_length: int = 200) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise DomainError(_("此项不能为空"), field=field, code="required")
    if len(text) > max_length:
        raise DomainError(
            _("不能超过 %(n)d 个字符") % {"n": max_length}, field=field, code="too_long"
        )
    return text


def _date(value: Any, field: str, *, default: dt.date | None = None) -> dt.date:
    if value in (None, ""):
        if default is None:
            raise DomainError(_("请填写日期"), field=field, code="required")
        return default
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise DomainError(_("日期格式应为 YYYY-MM-DD"), field=field, code="invalid_date") from None


def _not_future(day: dt.date, field: str) -> dt.date:
    if day > timezone.localdate():
        raise DomainError(_("日期不能晚于今天"), field=field, code="future_date")
    return day


def _choice(value: Any, choices: type, field: str) -> str:
    value = str(value or "")
    if value not in choices.values:
        raise DomainError(
            _("无效的选项 %(value)s,可选:%(options)s")
            % {"value": value or "-", "options": ", ".join(choices.values)},
            field=field,
            code="invalid_choice",
        )
    return value


def _apply(obj: Any, changes: dict[str, Any], allowed: Sequence[str]) -> list[str]:
    unknown = sorted(set(changes) - set(allowed))
    if unknown:
        raise DomainError(
            _("不能修改字段:%(fields)s") % {"fields": ", ".join(unknown)},
            field=unknown[0],
            code="read_only",
        )
    changed = []
    for name, value in changes.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed.append(name)
    return changed


def _integrity(exc: IntegrityError, messages: dict[str, tuple[str, str]]) -> DomainError:
    """Turn a constraint violation raised by the database into a clear DomainError."""
    text = str(exc)
    for constraint, (field, message) in messages.items():
        if constraint in text:
            return DomainError(str(message), field=field, code="conflict")
    return DomainError(_("与已有数据冲突:%(detail)s") % {"detail": text[:200]}, code="conflict")


# --- organisations (R4–R6) ---------------------------------------------------------------


@transaction.atomic
def create_agency(
    actor: Any,
    *,
    region_code: str,
    name: str = "",
    address: str = "",
    office_phone: str = "",
    supervision_phone: str = "",
) -> GridAgency:
    """A grid agency for a city, county or township (R4.1); one per region."""
    region = _region(region_code, levels=AgencyLevel.values)
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
        name=_text(name, "name", max_length=100) or f"{region.name}网格化服务管理中心",
        address=_text(address, "address"),
        office_phone=pd.normalize_work_phone(office_phone, field="office_phone"),
        supervision_phone=pd.normalize_work_phone(supervision_phone, field="supervision_phone"),
    )
    audit.record(
        actor,
        "people.agency.create",
        agency,
        after=audit.snapshot(agency, AGENCY_FIELDS),
        region_code=region.code,
        role=scoping.acting_role(actor, grant),
    )
    return agency


@transaction.atomic
def update_agency(actor: Any, agency: GridAgency, **changes: Any) -> GridAgency:
    agency = GridAgency.objects.select_for_update().get(pk=agency.pk)
    grant = scoping.require(
        actor, R.ORGANISATION_MANAGERS, region_code=agency.region.code, what=_("修改网格化机构")
    )
    before = audit.snapshot(agency, AGENCY_FIELDS)
    clean: dict[str, Any] = {}
    for key, value in changes.items():
        if key == "name":
            clean[key] = _text(value, key, required=True, max_length=100)
        elif key == "address":
            clean[key] = _text(value, key)
        elif key in {"office_phone", "supervision_phone"}:
            clean[key] = pd.normalize_work_phone(value, field=key)
        elif key == "is_active":
            clean[key] = bool(value)
        else:
            clean[key] = value
    changed = _apply(
        agency, clean, ["name", "address", "office_phone", "supervision_phone", "is_active"]
    )
    if changed:
        agency.save()
        audit.record(
            actor,
            "people.agency.update",
            agency,
            before=before,
            after=audit.snapshot(agency, AGENCY_FIELDS),
            region_code=agency.region.code,
            role=scoping.acting_role(actor, grant),
        )
    return agency


@transaction.atomic
def create_department_kind(
    actor: Any, *, code: str, name: str, sort_order: int = 1000
) -> DepartmentKind:
    """A kind of department beyond the 14 of Art. 5 (R5.1: "等部门")."""
    grant = scoping.require(actor, R.Role.SYSADMIN, what=_("新增部门类别"))
    code = _text(code, "code", required=True, max_length=40).lower()
    if not code.replace("_", "").replace("-", "").isalnum() or not code.isascii():
        raise DomainError(
            _("代码只能包含小写字母、数字、下划线和连字符"), field="code", code="invalid"
        )
    name = _text(name, "name", required=True, max_length=50)
    if DepartmentKind.objects.filter(Q(code=code) | Q(name=name)).exists():
        raise DomainError(_("该部门类别已存在"), field="name", code="exists")
    kind = DepartmentKind.objects.create(code=code, name=name, sort_order=int(sort_order))
    audit.record(
        actor,
        "people.department_kind.create",
        kind,
        after={"code": code, "name": name},
        role=scoping.acting_role(actor, grant),
    )
    return kind


@transaction.atomic
def update_department_kind(actor: Any, kind: DepartmentKind, **changes: Any) -> DepartmentKind:
    grant = scoping.require(actor, R.Role.SYSADMIN, what=_("修改部门类别"))
    kind = DepartmentKind.objects.select_for_update().get(pk=kind.pk)
    if kind.builtin and "name" in changes and changes["name"] != kind.name:
        raise DomainError(_("条例第五条所列部门类别的名称不能修改"), field="name", code="builtin")
    before = {"name": kind.name, "sort_order": kind.sort_order, "is_active": kind.is_active}
    if "name" in changes:
        changes["name"] = _text(changes["name"], "name", required=True, max_length=50)
    changed = _apply(kind, changes, ["name", "sort_order", "is_active"])
    if changed:
        kind.save()
        audit.record(
            actor,
            "people.department_kind.update",
            kind,
            before=before,
            after={"name": kind.name, "sort_order": kind.sort_order, "is_active": kind.is_active},
            role=scoping.acting_role(actor, grant),
        )
    return kind


def _department_kind(kind: Any) -> DepartmentKind:
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
    actor: Any,
    *,
    kind: Any,
    region_code: str,
    name: str = "",
    office_phone: str = "",
    address: str = "",
) -> Department:
    """A linkage department of a kind at a city, county or township (R5.1)."""
    region = _region(region_code, levels=AgencyLevel.values)
    kind_obj = _department_kind(kind)
    if not kind_obj.is_active:
        raise DomainError(_("该部门类别已停用"), field="kind", code="inactive")
    grant = scoping.require(
        actor, R.ORGANISATION_MANAGERS, region_code=region.code, what=_("设立联动部门")
    )
    name = _text(name, "name", max_length=100) or f"{region.name}{kind_obj.name}"
    if Department.objects.filter(region=region, kind=kind_obj, name=name).exists():
        raise DomainError(_("该部门已存在"), field="name", code="exists")
    department = Department.objects.create(
        kind=kind_obj,
        region=region,
        level=region.level,
        name=name,
        office_phone=pd.normalize_work_phone(office_phone, field="office_phone"),
        address=_text(address, "address"),
    )
    audit.record(
        actor,
        "people.department.create",
        department,
        after=audit.snapshot(department, DEPARTMENT_FIELDS),
        region_code=region.code,
        role=scoping.acting_role(actor, grant),
    )
    return department


@transaction.atomic
def update_department(actor: Any, department: Department, **changes: Any) -> Department:
    department = Department.objects.select_for_update().get(pk=department.pk)
    grant = scoping.require(
        actor, R.ORGANISATION_MANAGERS, region_code=department.region.code, what=_("修改联动部门")
    )
    before = audit.snapshot(department, DEPARTMENT_FIELDS)
    for key in ("name", "address"):
        if key in changes:
            changes[key] = _text(changes[key], key, required=key == "name", max_length=100)
    if "office_phone" in changes:
        changes["office_phone"] = pd.normalize_work_phone(changes["office_phone"])
    if "is_active" in changes:
        changes["is_active"] = bool(changes["is_active"])
    changed = _apply(department, changes, ["name", "office_phone", "address", "is_active"])
    if changed:
        department.save()
        audit.record(
            actor,
            "people.department.update",
            department,
            before=before,
            after=audit.snapshot(department, DEPARTMENT_FIELDS),
            region_code=department.region.code,
            role=scoping.acting_role(actor, grant),
        )
    return department


@transaction.atomic
def create_committee(
    actor: Any,
    *,
    region_code: str,
    name: str = "",
    kind: str = "",
    office_phone: str = "",
    address: str = "",
) -> VillageCommittee:
    """The committee of a village or community (R6.1); one per village."""
    region = _region(region_code, levels=[Level.VILLAGE])
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
        kind = _choice(kind, CommitteeKind, "kind")
    else:
        kind = (
            CommitteeKind.VILLAGERS if region.kind == VillageKind.RURAL else CommitteeKind.RESIDENTS
        )
    committee = VillageCommittee.objects.create(
        region=region,
        name=_text(name, "name", max_length=100) or region.name,
        kind=kind,
        office_phone=pd.normalize_work_phone(office_phone, field="office_phone"),
        address=_text(address, "address"),
    )
    audit.record(
        actor,
        "people.committee.create",
        committee,
        after=audit.snapshot(committee, COMMITTEE_FIELDS),
        region_code=region.code,
        role=scoping.acting_role(actor, grant),
    )
    return committee


@transaction.atomic
def update_committee(actor: Any, committee: VillageCommittee, **changes: Any) -> VillageCommittee:
    committee = VillageCommittee.objects.select_for_update().get(pk=committee.pk)
    grant = scoping.require(
        actor, R.ORGANISATION_MANAGERS, region_code=committee.region.code, what=_("修改村(居)委会")
    )
    before = audit.snapshot(committee, COMMITTEE_FIELDS)
    for key in ("name", "address"):
        if key in changes:
            changes[key] = _text(changes[key], key, required=key == "name", max_length=100)
    if "office_phone" in changes:
        changes["office_phone"] = pd.normalize_work_phone(changes["office_phone"])
    if "kind" in changes:
        changes["kind"] = _choice(changes["kind"], CommitteeKind, "kind")
    if "is_active" in changes:
        changes["is_active"] = bool(changes["is_active"])
    changed = _apply(committee, changes, ["name", "kind", "office_phone", "address", "is_active"])
    if changed:
        committee.save()
        audit.record(
            actor,
            "people.committee.update",
            committee,
            before=before,
            after=audit.snapshot(committee, COMMITTEE_FIELDS),
            region_code=committee.region.code,
            role=scoping.acting_role(actor, grant),
        )
    return committee


@transaction.atomic
def add_committee_member(
    actor: Any,
    committee: VillageCommittee,
    *,
    name: str,
    position: str,
    is_party_member: bool = False,
    work_phone: str = "",
    user: User | None = None,
    started_on: Any = None,
) -> CommitteeMember:
    grant = scoping.require(
        actor, R.ORGANISATION_MANAGERS, region_code=committee.region.code, what=_("登记委员")
    )
    member = CommitteeMember.objects.create(
        committee=committee,
        name=_text(name, "name", required=True, max_length=64),
        position=_choice(position, CommitteePosition, "position"),
        is_party_member=bool(is_party_member),
        work_phone=pd.normalize_work_phone(work_phone),
        user=user,
        started_on=_not_future(
            _date(started_on, "started_on", default=timezone.localdate()), "started_on"
        ),
    )
    audit.record(
        actor,
        "people.committee_member.add",
        member,
        after=audit.snapshot(member, MEMBER_FIELDS),
        region_code=committee.region.code,
        role=scoping.acting_role(actor, grant),
    )
    return member


@transaction.atomic
def end_committee_member(
    actor: Any, member: CommitteeMember, *, ended_on: Any = None
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
    day = _date(ended_on, "ended_on", default=timezone.localdate())
    if day < member.started_on:
        raise DomainError(_("离任日期不能早于任职日期"), field="ended_on", code="invalid_span")
    before = audit.snapshot(member, MEMBER_FIELDS)
    member.ended_on = day
    member.save(update_fields=["ended_on"])
    audit.record(
        actor,
        "people.committee_member.end",
        member,
        before=before,
        after=audit.snapshot(member, MEMBER_FIELDS),
        region_code=member.committee.region.code,
        role=scoping.acting_role(actor, grant),
    )
    return member


# --- accounts and roles (R20.1) -----------------------------------------------------------


def _validate_password(password: str, user: User | None = None) -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages), field="password", code="weak_password") from None


def _sync_staff_flag(user: User) -> None:
    """Admin-site access follows the roles that need it (R22.1: no stray staff accounts)."""
    scoping.forget_roles(user)
    wants_staff = user.is_superuser or any(
        g.role in R.ADMIN_SITE_ROLES for g in scoping.user_roles(user)
    )
    if user.is_staff != wants_staff:
        user.is_staff = wants_staff
        user.save(update_fields=["is_staff"])
    scoping.forget_roles(user)


def _account_region(user: User) -> str:
    return scoping.home_code(user)


@transaction.atomic
def create_account(
    actor: Any,
    *,
    username: str,
    full_name: str,
    password: str | None = None,
    email: str = "",
    role: str | None = None,
    region_code: str | None = None,
    department: Department | int | None = None,
) -> tuple[User, str | None]:
    """An account for one person (R20.1), optionally with its first role.

    Returns the user and, when no password was given, a generated one to hand over once.
    An account manager may only create accounts with a role inside their jurisdiction.
    """
    if not scoping.is_system(actor) and not scoping.is_unrestricted(actor) and role is None:
        raise DomainError(
            _("新账号须同时授予一个角色(决定其管辖范围)"), field="role", code="required"
        )
    if not scoping.is_system(actor):
        scoping.require(actor, R.ACCOUNT_MANAGERS, what=_("创建账号"))
    username = _text(username, "username", required=True, max_length=150)
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError(_("用户名已被使用"), field="username", code="exists")
    generated = None
    if not password:
        generated = secrets.token_urlsafe(12)
        password = generated
    user = User(
        username=username,
        full_name=_text(full_name, "full_name", required=True, max_length=64),
        email=_text(email, "email", max_length=254),
    )
    _validate_password(password, user)
    user.set_password(password)
    user.save()
    place = region_code or ""
    if not place and department not in (None, ""):
        dept = _department_or_none(department)
        place = dept.region.code if dept is not None else ""
    audit.record(
        actor,
        "people.account.create",
        user,
        after={"username": user.username, "full_name": user.full_name},
        region_code=place,
    )
    if role is not None:
        grant_role(actor, user, role, region_code=region_code, department=department)
    return user, generated


@transaction.atomic
def set_password(actor: Any, user: User, password: str, *, old_password: str | None = None) -> User:
    """Change a password: the person themself (with the old one) or an account manager."""
    if _actor_user(actor) is not None and actor.pk == user.pk:
        if old_password is None or not user.check_password(old_password):
            raise DomainError(_("原密码不正确"), field="old_password", code="wrong_password")
        grant = None
    else:
        grant = require_account_manager(actor, user, what=_("重置他人密码"))
    _validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    if grant is not None or _actor_user(actor) is None or actor.pk != user.pk:
        # A reset by someone else usually means the old password is compromised: devices
        # logged in with it must log in again.
        ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        scoping.invalidate_access()
    audit.record(
        actor,
        "people.account.set_password",
        user,
        region_code=_account_region(user),
        role=scoping.acting_role(actor, grant),
    )
    return user


@transaction.atomic
def update_account(actor: Any, user: User, *, full_name: str | None = None,
                   email: str | None = None) -> User:  # fmt: skip
    """Correct the name or e-mail of an account (the person themself or an account manager)."""
    grant = None
    if _actor_user(actor) is None or actor.pk != user.pk:
        grant = require_account_manager(actor, user, what=_("修改账号信息"))
    before = {"full_name": user.full_name, "email": user.email}
    if full_name is not None:
        user.full_name = _text(full_name, "full_name", required=True, max_length=64)
    if email is not None:
        user.email = _text(email, "email", max_length=254)
    after = {"full_name": user.full_name, "email": user.email}
    if after != before:
        user.save(update_fields=["full_name", "email"])
        audit.record(
            actor,
            "people.account.update",
            user,
            before=before,
            after=after,
            region_code=_account_region(user),
            role=scoping.acting_role(actor, grant),
        )
    return user


def account_jurisdictions(user: User) -> list[tuple[str, str]]:
    """(role, code) of every role the account holds or will hold: granted roles not ended
    (including those that start later) and the grid roles of its active grid assignments."""
    now = timezone.now()
    granted = (
        RoleAssignment.objects.filter(user=user, region__isnull=False)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=now))
        .values_list("role", "region__code")
    )
    grids = (
        GridAssignment.objects.active().filter(worker__user=user).values_list("kind", "grid_code")
    )
    roles = {(str(role), code) for role, code in granted}
    roles |= {(str(R.GRID_ROLE_BY_WORKER_KIND[kind]), code) for kind, code in grids}
    return sorted(roles, key=lambda rc: (rc[1], rc[0]))


def require_account_manager(actor: Any, user: User, *, what: str) -> scoping.Grant | None:
    """The one check before anyone manages someone else's account (R20.1, R22.1): password,
    deactivation, reactivation, name and e-mail, token revocation, in API, web and admin.

    The account must be visible to the actor, and the actor must be allowed to grant every
    role the account holds over that role's place: whoever resets a password can act as
    the person everywhere the person acts, so a county administrator cannot take over an
    account that also holds a role in another county (or an auditor's or system
    administrator's account, which only a system administrator grants).
    """
    if scoping.is_system(actor) or scoping.is_unrestricted(actor):
        return None
    if user.is_superuser:
        raise Forbidden(_("不能管理超级管理员账号"))
    visible = scoping.scope_queryset(actor, User.objects.filter(pk=user.pk), action="change")
    if not visible.exists():
        raise NotFound(_("账号不存在或不在管辖范围内"), field="user")
    grant = scoping.require(actor, R.ACCOUNT_MANAGERS, what=what)
    uncovered = []
    for role, code in account_jurisdictions(user):
        if not scoping.has_role(actor, _granting_roles(role), region_code=code):
            uncovered.append(f"{R.label(role)} {code}")
    if uncovered:
        raise Forbidden(
            _("无权%(what)s:该账号还有您管辖范围以外的角色(%(roles)s),须由覆盖这些地区的管理员办理")
            % {"what": what, "roles": pgettext("list separator", "、").join(uncovered)},
            field="user",
            code="outside_jurisdiction",
        )
    return grant


@transaction.atomic
def set_account_active(actor: Any, user: User, active: bool, *, reason: str = "") -> User:
    grant = require_account_manager(actor, user, what=_("停用或启用账号"))
    if _actor_user(actor) is not None and actor.pk == user.pk and not active:
        raise DomainError(_("不能停用自己的账号"), field="is_active", code="self")
    if user.is_active == active:
        return user
    user.is_active = active
    user.save(update_fields=["is_active"])
    if not active:
        ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    audit.record(
        actor,
        "people.account.activate" if active else "people.account.deactivate",
        user,
        before={"is_active": not active},
        after={"is_active": active},
        note=_text(reason, "reason"),
        region_code=_account_region(user),
        role=scoping.acting_role(actor, grant),
    )
    return user


def _granting_roles(role: str) -> frozenset[str]:
    """Who may grant a role: the system administrator grants administrators and auditors
    (auditors are not appointed by the people they audit); administrators grant the rest."""
    if role in {R.Role.SYSADMIN, R.Role.AUDITOR}:
        return frozenset({R.Role.SYSADMIN})
    return R.ACCOUNT_MANAGERS


@transaction.atomic
def grant_role(
    actor: Any,
    user: User,
    role: str,
    *,
    region_code: str | None = None,
    department: Department | int | None = None,
    note: str = "",
) -> RoleAssignment:
    """Give ``user`` a role over a region (and a department for department staff).

    Idempotent: granting a role the user already holds there returns the existing grant.
    Grid-worker roles are not granted: they follow assignments to grids.
    """
    role = str(role or "")
    if role not in R.ROLE_INFO:
        raise DomainError(
            _("未知角色 %(role)s") % {"role": role or "-"}, field="role", code="unknown_role"
        )
    info = R.ROLE_INFO[role]
    if not info.granted:
        raise DomainError(
            _("%(role)s 由网格分配产生,请分配网格而不是授予角色") % {"role": R.label(role)},
            field="role",
            code="derived_role",
        )
    dept: Department | None = None
    if info.needs_department:
        if department in (None, ""):
            raise DomainError(_("部门人员须指定所属部门"), field="department", code="required")
        dept = (
            department
            if isinstance(department, Department)
            else Department.objects.select_related("region").filter(pk=department).first()
        )
        if dept is None:
            raise DomainError(_("部门不存在"), field="department", code="unknown_department")
        if not dept.is_active:
            raise DomainError(_("该部门已停用"), field="department", code="inactive")
        region: Region | None = dept.region
    elif department not in (None, ""):
        raise DomainError(
            _("只有部门人员角色需要指定部门"), field="department", code="not_applicable"
        )
    elif role == R.Role.RESIDENT and not region_code:
        region = None
    else:
        region = _region(region_code, levels=info.levels)
    if (
        role in R.AGENCY_ROLES
        and region is not None
        and not GridAgency.objects.filter(region=region, is_active=True).exists()
    ):
        raise DomainError(
            _("%(region)s 尚未设立网格化机构,不能授予机构角色") % {"region": region.name},
            field="region",
            code="no_agency",
        )
    grant = scoping.require(
        actor,
        _granting_roles(role),
        region_code=region.code if region is not None else None,
        what=_("授予%(role)s角色") % {"role": R.label(role)},
    )
    existing = RoleAssignment.objects.active().filter(
        user=user, role=role, region=region, department=dept
    )
    found = existing.first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            assignment = RoleAssignment.objects.create(
                user=user,
                role=role,
                region=region,
                department=dept,
                granted_by=_actor_user(actor),
                note=_text(note, "note"),
            )
    except IntegrityError as exc:
        raise _integrity(exc, {}) from exc
    _sync_staff_flag(user)
    audit.record(
        actor,
        "people.role.grant",
        assignment,
        after=audit.snapshot(assignment, ROLE_FIELDS),
        region_code=region.code if region is not None else "",
        role=scoping.acting_role(actor, grant),
    )
    return assignment


@transaction.atomic
def revoke_role(actor: Any, assignment: RoleAssignment, *, note: str = "") -> RoleAssignment:
    assignment = (
        RoleAssignment.objects.select_for_update(of=("self",))
        .select_related("region", "user")
        .get(pk=assignment.pk)
    )
    region_code = assignment.region.code if assignment.region_id else None
    grant = scoping.require(
        actor,
        _granting_roles(assignment.role),
        region_code=region_code,
        what=_("撤销%(role)s角色") % {"role": R.label(assignment.role)},
    )
    if assignment.valid_to is not None:
        return assignment
    _refuse_revoking_own_last_admin_role(actor, assignment)
    before = audit.snapshot(assignment, ROLE_FIELDS)
    assignment.valid_to = timezone.now()
    if note:
        assignment.note = _text(note, "note")
    assignment.save(update_fields=["valid_to", "note"])
    _sync_staff_flag(assignment.user)
    audit.record(
        actor,
        "people.role.revoke",
        assignment,
        before=before,
        after=audit.snapshot(assignment, ROLE_FIELDS),
        region_code=region_code or "",
        role=scoping.acting_role(actor, grant),
    )
    return assignment


def _refuse_revoking_own_last_admin_role(actor: Any, assignment: RoleAssignment) -> None:
    """An administrator cannot lock themself out: like deactivating one's own account, revoking
    one's own last administrator role is refused (another administrator must do it)."""
    user = _actor_user(actor)
    if user is None or user.pk != assignment.user_id or assignment.role not in R.ADMIN_ROLES:
        return
    others = (
        RoleAssignment.objects.active()
        .filter(user_id=user.pk, role__in=R.ADMIN_ROLES)
        .exclude(pk=assignment.pk)
    )
    if not others.exists():
        raise DomainError(_("不能撤销自己唯一的管理员角色"), field="role", code="self")


# --- grid workers (R10–R13) ---------------------------------------------------------------


def _worker_region_code(village: Region | None, department: Department | None) -> str:
    if village is not None:
        return village.code
    if department is not None:
        return department.region.code
    return ""


def _check_worker_shape(
    kind: str,
    village: Region | None,
    department: Department | None,
    is_party_member: bool,
) -> None:
    if kind != WorkerKind.PROFESSIONAL and village is None:
        raise DomainError(
            _("网格长、专职和兼职网格员须登记所属村(社区)"), field="village", code="required"
        )
    if kind == WorkerKind.PROFESSIONAL and department is None:
        raise DomainError(
            _("专业网格员须登记派出的联动部门(第十条)"), field="department", code="required"
        )
    if kind == WorkerKind.LEADER and not is_party_member:
        raise DomainError(
            _("网格长须从村(社区)党组织成员或党员骨干中聘任(R10.2)"),
            field="is_party_member",
            code="leader_party_member",
        )


def _protect_into(worker: GridWorker, name: str, value: Any) -> None:
    kind, purpose = GridWorker.PROTECTED_FIELDS[name]
    protected = pd.protect(value, kind=kind, purpose=purpose, field=name)
    setattr(worker, f"{name}_encrypted", protected.encrypted)
    setattr(worker, f"{name}_digest", protected.digest)
    setattr(worker, f"{name}_masked", protected.masked)


def _village_or_none(code: Any) -> Region | None:
    if code in (None, ""):
        return None
    if isinstance(code, Region):
        code = code.code
    return _region(code, field="village", levels=[Level.VILLAGE])


def _department_or_none(value: Any) -> Department | None:
    if value in (None, ""):
        return None
    if isinstance(value, Department):
        return value
    found = Department.objects.select_related("region").filter(pk=value).first()
    if found is None:
        raise DomainError(_("部门不存在"), field="department", code="unknown_department")
    return found


def _agency_for(village: Region | None, agency: Any) -> GridAgency | None:
    if isinstance(agency, GridAgency):
        return agency
    if agency not in (None, ""):
        found = GridAgency.objects.filter(pk=agency).first()
        if found is None:
            raise DomainError(_("网格化机构不存在"), field="agency", code="unknown_agency")
        return found
    if village is None:
        return None
    # Workers are managed by the township agency (第十条); default to it when it exists.
    return GridAgency.objects.filter(region__code=village.code[:9]).first()


def _duplicate_check(worker: GridWorker, *, exclude_pk: int | None = None) -> None:
    if not worker.id_number_digest:
        return
    others = GridWorker.objects.filter(id_number_digest=worker.id_number_digest, kind=worker.kind)
    if exclude_pk:
        others = others.exclude(pk=exclude_pk)
    if others.exists():
        raise DomainError(
            _("身份证号码相同的%(kind)s已登记") % {"kind": worker.get_kind_display()},
            field="id_number",
            code="duplicate_person",
        )


@transaction.atomic
def create_worker(
    actor: Any,
    *,
    name: str,
    kind: str,
    id_number: str,
    village_code: Any = None,
    department: Any = None,
    agency: Any = None,
    is_party_member: bool = False,
    gender: str = "",
    work_phone: str = "",
    personal_phone: str = "",
    user: User | None = None,
    note: str = "",
    method: str = "",
    started_on: Any = None,
    document: str = "",
) -> GridWorker:
    """Recruit a grid worker (R10.1, R13.1): the person and their first employment record."""
    kind = _choice(kind, WorkerKind, "kind")
    village = _village_or_none(village_code)
    dept = _department_or_none(department)
    if kind != WorkerKind.PROFESSIONAL and dept is not None:
        raise DomainError(
            _("只有专业网格员由联动部门派出"), field="department", code="not_applicable"
        )
    _check_worker_shape(kind, village, dept, bool(is_party_member))
    region_code = _worker_region_code(village, dept)
    grant = scoping.require(actor, R.WORKER_MANAGERS, region_code=region_code, what=_("登记网格员"))
    worker = GridWorker(
        user=user,
        name=_text(name, "name", required=True, max_length=64),
        kind=kind,
        is_party_member=bool(is_party_member),
        village=village,
        department=dept,
        agency=_agency_for(village, agency),
        region_code=region_code,
        work_phone=pd.normalize_work_phone(work_phone),
        note=_text(note, "note", max_length=2000),
    )
    if not str(id_number or "").strip():
        raise DomainError(_("身份证号码不能为空"), field="id_number", code="required")
    _protect_into(worker, "id_number", id_number)
    _protect_into(worker, "personal_phone", personal_phone)
    clean_id = pd.normalize_id_number(id_number)
    worker.gender = _choice(gender, _Gender, "gender") if gender else pd.gender_of(clean_id)
    _duplicate_check(worker)
    worker.save()
    employment = Employment.objects.create(
        worker=worker,
        method=_choice(method or DEFAULT_METHOD[kind], EmploymentMethod, "method"),
        started_on=_not_future(
            _date(started_on, "started_on", default=timezone.localdate()), "started_on"
        ),
        document=_text(document, "document", max_length=100),
        recorded_by=_actor_user(actor),
    )
    if user is not None:
        scoping.forget_roles(user)
    audit.record(
        actor,
        "people.worker.create",
        worker,
        after={
            **audit.snapshot(worker, WORKER_FIELDS),
            "employment": {"method": employment.method, "started_on": employment.started_on},
        },
        region_code=region_code,
        role=scoping.acting_role(actor, grant),
    )
    return worker


def _lock_worker(worker: GridWorker | int) -> GridWorker:
    pk = worker.pk if isinstance(worker, GridWorker) else worker
    found = (
        # "of self": PostgreSQL cannot lock the nullable side of the outer joins.
        GridWorker.objects.select_for_update(of=("self",))
        .select_related("village", "department__region")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound(_("网格员不存在"), field="worker")
    return found


WORKER_EDITABLE = [
    "name",
    "gender",
    "is_party_member",
    "village",
    "agency",
    "department",
    "work_phone",
    "id_number",
    "personal_phone",
    "user",
    "note",
]


@transaction.atomic
def update_worker(actor: Any, worker: GridWorker, **changes: Any) -> GridWorker:
    """Correct a worker's record. The kind changes through :func:`change_worker_kind`."""
    worker = _lock_worker(worker)
    grant = scoping.require(
        actor, R.WORKER_MANAGERS, region_code=worker.region_code, what=_("修改网格员信息")
    )
    unknown = sorted(set(changes) - set(WORKER_EDITABLE))
    if unknown:
        field = unknown[0]
        hint = _("类别请通过“变更类别”修改") if field == "kind" else ""
        raise DomainError(
            _("不能修改字段:%(fields)s") % {"fields": ", ".join(unknown)} + hint,
            field=field,
            code="read_only",
        )
    before = audit.snapshot(worker, WORKER_FIELDS)
    old_user = worker.user
    if "name" in changes:
        worker.name = _text(changes["name"], "name", required=True, max_length=64)
    if "gender" in changes:
        worker.gender = _choice(changes["gender"], _Gender, "gender") if changes["gender"] else ""
    if "is_party_member" in changes:
        worker.is_party_member = bool(changes["is_party_member"])
    if "village" in changes:
        worker.village = _village_or_none(changes["village"])
    if "department" in changes:
        worker.department = _department_or_none(changes["department"])
    if "agency" in changes:
        worker.agency = _agency_for(worker.village, changes["agency"])
    if "work_phone" in changes:
        worker.work_phone = pd.normalize_work_phone(changes["work_phone"])
    if "note" in changes:
        worker.note = _text(changes["note"], "note", max_length=2000)
    if "user" in changes:
        worker.user = changes["user"]
    if "id_number" in changes:
        if not str(changes["id_number"] or "").strip():
            raise DomainError(_("身份证号码不能为空"), field="id_number", code="required")
        _protect_into(worker, "id_number", changes["id_number"])
    if "personal_phone" in changes:
        _protect_into(worker, "personal_phone", changes["personal_phone"])
    if worker.kind != WorkerKind.PROFESSIONAL and worker.department_id:
        raise DomainError(
            _("只有专业网格员由联动部门派出"), field="department", code="not_applicable"
        )
    _check_worker_shape(worker.kind, worker.village, worker.department, worker.is_party_member)
    new_region = _worker_region_code(worker.village, worker.department)
    if new_region != worker.region_code:
        # Moving a worker to another place needs the manager's say over the new place too.
        scoping.require(
            actor, R.WORKER_MANAGERS, region_code=new_region, what=_("调整网格员所属区域")
        )
        worker.region_code = new_region
    if worker.kind == WorkerKind.LEADER and worker.village is not None:
        elsewhere = (
            worker.assignments.active().exclude(grid_code__startswith=worker.village.code).first()
        )
        if elsewhere is not None:
            raise DomainError(
                _("该网格长正在担任 %(grid)s 的网格长,网格长须来自网格所在村(社区);请先结束该分配")
                % {"grid": elsewhere.grid_code},
                field="village",
                code="leader_village",
            )
    _duplicate_check(worker, exclude_pk=worker.pk)
    worker.save()
    after = audit.snapshot(worker, WORKER_FIELDS)
    for name in ("id_number", "personal_phone"):
        if name in changes:
            # The trail shows that the value changed, never the value.
            after[f"{name}_changed"] = True
    if after != before:
        audit.record(
            actor,
            "people.worker.update",
            worker,
            before=before,
            after=after,
            region_code=worker.region_code,
            role=scoping.acting_role(actor, grant),
        )
    for person in {old_user, worker.user} - {None}:
        scoping.forget_roles(person)
    return worker


def end_assignments(
    actor: Any,
    assignments: Iterable[GridAssignment],
    day: dt.date,
    reason: str,
    *,
    role: str = "",
) -> list[GridAssignment]:
    """End grid workers' assignments on ``day``, each audited (R10–R13, R28.1); the step of the
    caller's transaction that ends them (a successor, a leave, a grid change)."""
    ended = []
    for assignment in assignments:
        before = audit.snapshot(assignment, ASSIGNMENT_FIELDS)
        assignment.ended_on = max(day, assignment.started_on)
        assignment.end_reason = reason[:200]
        assignment.save(update_fields=["ended_on", "end_reason"])
        audit.record(
            actor,
            "people.assignment.end",
            assignment,
            before=before,
            after=audit.snapshot(assignment, ASSIGNMENT_FIELDS),
            region_code=assignment.grid_code,
            note=reason,
            role=role,
        )
        ended.append(assignment)
    return ended


@transaction.atomic
def change_worker_kind(
    actor: Any, worker: GridWorker, kind: str, *, reason: str, department: Any = None
) -> GridWorker:
    """Make a worker another kind (e.g. a full-time worker becomes grid leader).

    The worker's active assignments end (their kind was part of them); assign again after.
    """
    worker = _lock_worker(worker)
    kind = _choice(kind, WorkerKind, "kind")
    reason = _text(reason, "reason", required=True)
    grant = scoping.require(
        actor, R.WORKER_MANAGERS, region_code=worker.region_code, what=_("变更网格员类别")
    )
    if kind == worker.kind:
        return worker
    dept = _department_or_none(department) if kind == WorkerKind.PROFESSIONAL else None
    _check_worker_shape(kind, worker.village, dept, worker.is_party_member)
    before = audit.snapshot(worker, WORKER_FIELDS)
    end_assignments(
        actor,
        worker.assignments.active().select_for_update(),
        timezone.localdate(),
        _("类别变更:%(reason)s") % {"reason": reason},
    )
    worker.kind = kind
    worker.department = dept
    worker.region_code = _worker_region_code(worker.village, dept)
    _duplicate_check(worker, exclude_pk=worker.pk)
    worker.save()
    audit.record(
        actor,
        "people.worker.change_kind",
        worker,
        before=before,
        after=audit.snapshot(worker, WORKER_FIELDS),
        note=reason,
        region_code=worker.region_code,
        role=scoping.acting_role(actor, grant),
    )
    if worker.user_id:
        scoping.forget_roles(worker.user)
    return worker


ASSIGNMENT_CONSTRAINTS = {
    "grid_assignment_one_active_leader": ("grid_code", gettext_lazy("该网格已有在任网格长")),
    "grid_assignment_once_per_grid": ("grid_code", gettext_lazy("该网格员已分配到此网格")),
}


@transaction.atomic
def assign_worker(
    actor: Any,
    worker: GridWorker,
    grid_code: str,
    *,
    started_on: Any = None,
    replace_leader: bool = False,
) -> GridAssignment:
    """Assign a worker to a current grid (R10.1) under the invariants of R10.2 and R10.3.

    - one active leader per grid; ``replace_leader`` ends the sitting leader's assignment;
    - a leader comes from the grid's village/community and is a party member;
    - a professional worker serves at most two grids.
    Idempotent: assigning a worker to a grid they already serve returns that assignment.
    """
    worker = _lock_worker(worker)
    grid_code = str(grid_code or "").strip()
    grid = Grid.objects.current().filter(code=grid_code).select_related("village").first()
    if grid is None:
        raise DomainError(
            _("没有编码为 %(code)s 的现行网格") % {"code": grid_code or "-"},
            field="grid_code",
            code="unknown_grid",
        )
    grant = scoping.require(actor, R.WORKER_MANAGERS, region_code=grid.code, what=_("分配网格员"))
    if not scoping.is_system(actor) and not scoping.in_scope(actor, worker):
        raise NotFound(_("网格员不存在或不在管辖范围内"), field="worker")
    if worker.status != WorkerStatus.ACTIVE:
        raise DomainError(_("该网格员已退出,不能分配"), field="worker", code="exited")
    existing = worker.assignments.active().filter(grid_code=grid.code).first()
    if existing is not None:
        return existing
    day = _not_future(_date(started_on, "started_on", default=timezone.localdate()), "started_on")
    if worker.kind == WorkerKind.LEADER:
        if worker.village is None or worker.village.code != grid.village.code:
            raise DomainError(
                _("网格长须来自网格所在的村(社区)%(village)s(R10.2)")
                % {"village": grid.village.name},
                field="worker",
                code="leader_village",
            )
        if not worker.is_party_member:
            raise DomainError(
                _("网格长须为党员(R10.2)"), field="worker", code="leader_party_member"
            )
        sitting = (
            GridAssignment.objects.select_for_update(of=("self",))
            .filter(grid_code=grid.code, kind=WorkerKind.LEADER, ended_on__isnull=True)
            .select_related("worker")
            .first()
        )
        if sitting is not None:
            if not replace_leader:
                raise DomainError(
                    _("网格 %(grid)s 已有网格长 %(name)s;如需更换,请选择“接任”")
                    % {"grid": grid.code, "name": sitting.worker.name},
                    field="grid_code",
                    code="leader_exists",
                )
            end_assignments(actor, [sitting], day, _("由 %(name)s 接任") % {"name": worker.name})
            if sitting.worker.user_id:
                scoping.forget_roles(sitting.worker.user)
    if worker.kind == WorkerKind.PROFESSIONAL:
        serving = list(worker.assignments.active().values_list("grid_code", flat=True))
        if len(serving) >= PROFESSIONAL_MAX_GRIDS:
            raise DomainError(
                _("专业网格员最多服务两个网格(R10.3),已服务:%(grids)s")
                % {"grids": pgettext("list separator", "、").join(serving)},
                field="grid_code",
                code="professional_limit",
            )
    try:
        with transaction.atomic():
            assignment = GridAssignment.objects.create(
                worker=worker,
                grid_code=grid.code,
                kind=worker.kind,
                started_on=day,
                assigned_by=_actor_user(actor),
            )
    except IntegrityError as exc:
        raise _integrity(exc, ASSIGNMENT_CONSTRAINTS) from exc
    audit.record(
        actor,
        "people.assignment.create",
        assignment,
        after=audit.snapshot(assignment, ASSIGNMENT_FIELDS),
        region_code=grid.code,
        role=scoping.acting_role(actor, grant),
    )
    if worker.user_id:
        scoping.forget_roles(worker.user)
    return assignment


@transaction.atomic
def end_assignment(
    actor: Any, assignment: GridAssignment, *, ended_on: Any = None, reason: str
) -> GridAssignment:
    assignment = (
        GridAssignment.objects.select_for_update(of=("self",))
        .select_related("worker__user")
        .get(pk=assignment.pk)
    )
    grant = scoping.require(
        actor, R.WORKER_MANAGERS, region_code=assignment.grid_code, what=_("结束网格分配")
    )
    reason = _text(reason, "reason", required=True)
    if assignment.ended_on is not None:
        return assignment
    day = _date(ended_on, "ended_on", default=timezone.localdate())
    if day < assignment.started_on:
        raise DomainError(_("结束日期不能早于起始日期"), field="ended_on", code="invalid_span")
    before = audit.snapshot(assignment, ASSIGNMENT_FIELDS)
    assignment.ended_on = day
    assignment.end_reason = reason
    assignment.save(update_fields=["ended_on", "end_reason"])
    audit.record(
        actor,
        "people.assignment.end",
        assignment,
        before=before,
        after=audit.snapshot(assignment, ASSIGNMENT_FIELDS),
        region_code=assignment.grid_code,
        note=reason,
        role=scoping.acting_role(actor, grant),
    )
    if assignment.worker.user_id:
        scoping.forget_roles(assignment.worker.user)
    return assignment


@transaction.atomic
def exit_worker(
    actor: Any,
    worker: GridWorker,
    *,
    reason: str,
    ended_on: Any = None,
    note: str = "",
) -> GridWorker:
    """A worker leaves (R13.1, R14.1 退出): employment and every assignment end."""
    worker = _lock_worker(worker)
    grant = scoping.require(
        actor, R.WORKER_MANAGERS, region_code=worker.region_code, what=_("办理网格员退出")
    )
    reason = _choice(reason, ExitReason, "reason")
    if worker.status == WorkerStatus.EXITED:
        return worker
    day = _date(ended_on, "ended_on", default=timezone.localdate())
    employment = worker.employments.select_for_update().filter(ended_on__isnull=True).first()
    if employment is not None:
        if day < employment.started_on:
            raise DomainError(
                _("退出日期不能早于聘用日期 %(day)s") % {"day": employment.started_on},
                field="ended_on",
                code="invalid_span",
            )
        employment.ended_on = day
        employment.exit_reason = reason
        employment.exit_note = _text(note, "note", max_length=2000)
        employment.save(update_fields=["ended_on", "exit_reason", "exit_note"])
    label = ExitReason(reason).label
    end_assignments(
        actor,
        worker.assignments.active().select_for_update(),
        day,
        _("网格员退出:%(reason)s") % {"reason": label},
    )
    before = audit.snapshot(worker, WORKER_FIELDS)
    worker.status = WorkerStatus.EXITED
    worker.save(update_fields=["status", "updated_at"])
    audit.record(
        actor,
        "people.worker.exit",
        worker,
        before=before,
        after={**audit.snapshot(worker, WORKER_FIELDS), "exit_reason": reason, "ended_on": day},
        note=note,
        region_code=worker.region_code,
        role=scoping.acting_role(actor, grant),
    )
    if worker.user_id:
        scoping.forget_roles(worker.user)
    return worker


@transaction.atomic
def rehire_worker(
    actor: Any,
    worker: GridWorker,
    *,
    method: str,
    started_on: Any = None,
    document: str = "",
) -> GridWorker:
    worker = _lock_worker(worker)
    grant = scoping.require(
        actor, R.WORKER_MANAGERS, region_code=worker.region_code, what=_("重新聘用网格员")
    )
    if worker.status == WorkerStatus.ACTIVE:
        raise DomainError(_("该网格员在岗,无需重新聘用"), field="worker", code="active")
    day = _not_future(_date(started_on, "started_on", default=timezone.localdate()), "started_on")
    last = worker.employments.order_by("-started_on").first()
    if last is not None and last.ended_on is not None and day < last.ended_on:
        raise DomainError(
            _("聘用日期不能早于上次退出日期 %(day)s") % {"day": last.ended_on},
            field="started_on",
            code="invalid_span",
        )
    Employment.objects.create(
        worker=worker,
        method=_choice(method, EmploymentMethod, "method"),
        started_on=day,
        document=_text(document, "document", max_length=100),
        recorded_by=_actor_user(actor),
    )
    before = audit.snapshot(worker, WORKER_FIELDS)
    worker.status = WorkerStatus.ACTIVE
    worker.save(update_fields=["status", "updated_at"])
    audit.record(
        actor,
        "people.worker.rehire",
        worker,
        before=before,
        after=audit.snapshot(worker, WORKER_FIELDS),
        region_code=worker.region_code,
        role=scoping.acting_role(actor, grant),
    )
    return worker


def _hours(value: Any) -> Decimal:
    try:
        hours = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise DomainError(_("学时须为数字"), field="hours", code="invalid") from None
    if hours <= 0 or hours > 1000:
        raise DomainError(_("学时须大于 0 且不超过 1000"), field="hours", code="out_of_range")
    return hours.quantize(Decimal("0.1"))


@transaction.atomic
def record_training(
    actor: Any,
    workers: Sequence[GridWorker],
    *,
    course: str,
    held_on: Any,
    hours: Any,
    organiser: str = "",
    certificate: str = "",
) -> list[Training]:
    """One course attended by one or more workers (R13.1)."""
    if not workers:
        raise DomainError(_("请选择参训网格员"), field="workers", code="required")
    course = _text(course, "course", required=True)
    day = _not_future(_date(held_on, "held_on"), "held_on")
    amount = _hours(hours)
    records = []
    for worker in workers:
        grant = scoping.require(
            actor, R.WORKER_MANAGERS, region_code=worker.region_code, what=_("登记培训")
        )
        training = Training.objects.create(
            worker=worker,
            course=course,
            organiser=_text(organiser, "organiser", max_length=100),
            held_on=day,
            hours=amount,
            certificate=_text(certificate, "certificate", max_length=100),
            recorded_by=_actor_user(actor),
        )
        audit.record(
            actor,
            "people.training.record",
            training,
            after={"worker": worker.pk, "course": course, "held_on": day, "hours": amount},
            region_code=worker.region_code,
            role=scoping.acting_role(actor, grant),
        )
        records.append(training)
    return records


@transaction.atomic
def issue_equipment(
    actor: Any,
    worker: GridWorker,
    *,
    item: str,
    issued_on: Any = None,
    serial: str = "",
    description: str = "",
) -> EquipmentIssue:
    """A work ID, uniform, badge or device handed to a worker (R13.1)."""
    worker = _lock_worker(worker)
    grant = scoping.require(
        actor, R.WORKER_MANAGERS, region_code=worker.region_code, what=_("登记装备发放")
    )
    if worker.status != WorkerStatus.ACTIVE:
        raise DomainError(_("该网格员已退出"), field="worker", code="exited")
    item = _choice(item, EquipmentItem, "item")
    serial = _text(serial, "serial", max_length=100)
    if (
        serial
        and EquipmentIssue.objects.filter(
            item=item, serial=serial, returned_on__isnull=True
        ).exists()
    ):
        raise DomainError(
            _("编号 %(serial)s 的物品已发放且未归还") % {"serial": serial},
            field="serial",
            code="issued",
        )
    issue = EquipmentIssue.objects.create(
        worker=worker,
        item=item,
        serial=serial,
        description=_text(description, "description"),
        issued_on=_not_future(
            _date(issued_on, "issued_on", default=timezone.localdate()), "issued_on"
        ),
        recorded_by=_actor_user(actor),
    )
    audit.record(
        actor,
        "people.equipment.issue",
        issue,
        after={"worker": worker.pk, "item": item, "serial": serial, "issued_on": issue.issued_on},
        region_code=worker.region_code,
        role=scoping.acting_role(actor, grant),
    )
    return issue


@transaction.atomic
def return_equipment(
    actor: Any, issue: EquipmentIssue, *, returned_on: Any = None
) -> EquipmentIssue:
    issue = (
        EquipmentIssue.objects.select_for_update(of=("self",))
        .select_related("worker")
        .get(pk=issue.pk)
    )
    grant = scoping.require(
        actor, R.WORKER_MANAGERS, region_code=issue.worker.region_code, what=_("登记装备归还")
    )
    if issue.returned_on is not None:
        return issue
    day = _date(returned_on, "returned_on", default=timezone.localdate())
    if day < issue.issued_on:
        raise DomainError(_("归还日期不能早于发放日期"), field="returned_on", code="invalid_span")
    issue.returned_on = day
    issue.save(update_fields=["returned_on"])
    audit.record(
        actor,
        "people.equipment.return",
        issue,
        after={"returned_on": day},
        region_code=issue.worker.region_code,
        role=scoping.acting_role(actor, grant),
    )
    return issue


# --- personal data (R22.1) ----------------------------------------------------------------

REVEAL_REASON_MIN = 4


class DataKeyMismatch(DomainError):
    """The configured data key is not the one the value was encrypted with (operations)."""

    http_status = 503

    def __init__(self, message: str) -> None:
        super().__init__(message, code="data_key_mismatch")


def revealers(model: type) -> frozenset[str]:
    """The roles that may reveal the protected fields of ``model`` (its ``REVEALERS``, else
    the administrators: ``gridgov.access.roles.PERSONAL_DATA_REVEALERS``)."""
    return getattr(model, "REVEALERS", R.PERSONAL_DATA_REVEALERS)


def reveal(actor: Any, obj: Any, field: str, *, reason: str) -> str:
    """The clear value of one protected field, for a role that needs it, with a reason.

    Every reveal is logged in the personal-data access log; so is every refused attempt on an
    object the actor can see. An object the actor cannot see is "not found".
    """
    protected = getattr(type(obj), "PROTECTED_FIELDS", {})
    if field not in protected:
        raise DomainError(
            _("%(field)s 不是受保护的个人信息字段") % {"field": field},
            field="field",
            code="not_protected",
        )
    if not scoping.in_scope(actor, obj):
        raise NotFound(_("对象不存在或不在管辖范围内"))
    region_code = getattr(obj, "region_code", "") or ""
    reason = str(reason or "").strip()
    try:
        if len(reason) < REVEAL_REASON_MIN:
            raise DomainError(
                _("请说明查看理由(至少 %(n)d 个字)") % {"n": REVEAL_REASON_MIN},
                field="reason",
                code="reason_required",
            )
        grant = scoping.require(
            actor,
            revealers(type(obj)),
            region_code=region_code,
            what=_("查看完整个人信息"),
        )
    except Forbidden:
        _log_access(actor, obj, field, reason, region_code, granted=False, role="")
        raise
    _kind, purpose = protected[field]
    try:
        value = pd.decrypt(getattr(obj, f"{field}_encrypted"), purpose=purpose)
    except pd.UndecryptableError as exc:
        raise DataKeyMismatch(
            _("无法解密该字段:数据密钥与加密时不一致,请检查 GRIDGOV_DATA_KEY(%(detail)s)")
            % {"detail": exc}
        ) from exc
    _log_access(
        actor, obj, field, reason, region_code, granted=True, role=scoping.acting_role(actor, grant)
    )
    return value


def _log_access(
    actor: Any, obj: Any, field: str, reason: str, region_code: str, *, granted: bool, role: str
) -> None:
    log_personal_data_access(
        actor,
        subject_type=obj._meta.label_lower,
        subject_id=str(obj.pk),
        subject_repr=str(obj),
        field=field,
        reason=reason,
        region_code=region_code,
        granted=granted,
        role=role,
    )


def log_personal_data_access(
    actor: Any,
    *,
    subject_type: str,
    subject_id: str,
    subject_repr: str,
    field: str,
    reason: str,
    region_code: str,
    granted: bool,
    role: str,
) -> None:
    """One row of the personal-data access log (a reveal, an exact search, or a refusal)."""
    ctx = current_context()
    user = _actor_user(actor)
    with transaction.atomic():
        PersonalDataAccess.objects.create(
            actor=user,
            actor_name=user.get_username() if user else str(actor or ctx.channel),
            role=role,
            subject_type=subject_type,
            subject_id=subject_id,
            subject_repr=subject_repr[:200],
            field=field,
            reason=reason[:2000] or "-",
            granted=granted,
            region_code=region_code,
            request_id=ctx.request_id,
            client_ip=ctx.client_ip,
            channel=ctx.channel,
        )


# --- grids changing under the workers (R8.1 动态调整) -------------------------------------


@transaction.atomic
def follow_grid_change(
    actor: Any, *, reason: str = "", codes: Iterable[str] | None = None
) -> list[GridAssignment]:
    """End active assignments to grid codes that no longer have a current grid.

    A redraw keeps the code, so its assignments simply follow. A split or merge carries the
    assignments of the codes it retires to their successors (``people.grid_changes``); this
    repairs what was left behind otherwise (grids retired before that, or by hand).
    """
    current = Grid.objects.current().values("code")
    orphaned = GridAssignment.objects.active()
    if codes is not None:  # only the codes a change retired, not the whole database
        orphaned = orphaned.filter(grid_code__in=list(codes))
    orphaned = (
        orphaned.exclude(grid_code__in=current)
        .select_for_update(of=("self",))
        .select_related("worker__user")
    )
    ended = end_assignments(
        actor,
        list(orphaned),
        timezone.localdate(),
        reason or _("网格已撤销(拆分或合并)"),
    )
    for assignment in ended:
        if assignment.worker.user_id:
            scoping.forget_roles(assignment.worker.user)
    return ended
