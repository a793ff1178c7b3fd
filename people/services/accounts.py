"""Accounts and roles (R20.1, R22.1): creating accounts, passwords, names and e-mails,
(de)activation, and granting and revoking roles; the one check before anyone manages someone
else's account (:func:`require_account_manager`)."""

from __future__ import annotations

import secrets

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from audit import services as audit
from gridgov.access import roles as R
from gridgov.access import scoping
from gridgov.actors import Actor
from gridgov.errors import DomainError, Forbidden, NotFound
from gridgov.text import clean_text
from people.actions import PeopleAction
from people.models import (
    ApiToken,
    Department,
    GridAgency,
    GridAssignment,
    RoleAssignment,
    User,
)
from people.services.common import (
    actor_user,
    conflict_error,
    department_or_none,
    find_region,
)
from regions.models import Region

ROLE_FIELDS = ["user", "role", "region", "department", "valid_from", "valid_to", "note"]


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
    """Where the records about an account are filed (R28.1): the one code covering its
    grants, also while it is deactivated (an inactive account acts nowhere, so
    ``scoping.home_code`` is "" for it, but its place is still that of its roles)."""
    return scoping.covering_code(grant.code for grant in scoping.cached_grants(user))


def _clean_username(value: str) -> str:
    """The username as it is stored (NFKC, as Django normalises it), checked against the
    model field's own validators after normalising: what the API documents (letters, digits
    and @.+-_) is what an account can have (R20.1)."""
    username = User.normalize_username(clean_text(value, "username", required=True, max_length=150))
    for validator in User._meta.get_field("username").validators:
        try:
            validator(username)
        except ValidationError as exc:
            raise DomainError(exc.messages[0], field="username", code="invalid") from exc
    return username


@transaction.atomic
def create_account(
    actor: Actor,
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
    username = _clean_username(username)
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError(_("用户名已被使用"), field="username", code="exists")
    generated = None
    if not password:
        generated = secrets.token_urlsafe(12)
        password = generated
    user = User(
        username=username,
        full_name=clean_text(full_name, "full_name", required=True, max_length=64),
        email=clean_text(email, "email", max_length=254),
    )
    _validate_password(password, user)
    user.set_password(password)
    user.save()
    place = region_code or ""
    if not place and department not in (None, ""):
        dept = department_or_none(department)
        place = dept.region.code if dept is not None else ""
    audit.record(
        actor,
        PeopleAction.ACCOUNT_CREATE,
        user,
        after={"username": user.username, "full_name": user.full_name},
        region_code=place,
    )
    if role is not None:
        grant_role(actor, user, role, region_code=region_code, department=department)
    return user, generated


@transaction.atomic
def set_password(
    actor: Actor, user: User, password: str, *, old_password: str | None = None
) -> User:
    """Change a password: the person themself (with the old one) or an account manager."""
    if actor_user(actor) is not None and actor.pk == user.pk:
        if old_password is None or not user.check_password(old_password):
            raise DomainError(_("原密码不正确"), field="old_password", code="wrong_password")
        grant = None
    else:
        grant = require_account_manager(actor, user, what=_("重置他人密码"))
    _validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    if grant is not None or actor_user(actor) is None or actor.pk != user.pk:
        # A reset by someone else usually means the old password is compromised: devices
        # logged in with it must log in again.
        ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        scoping.invalidate_access()
    audit.record(
        actor,
        PeopleAction.ACCOUNT_SET_PASSWORD,
        user,
        region_code=_account_region(user),
        role=scoping.acting_role(actor, grant),
    )
    return user


@transaction.atomic
def update_account(actor: Actor, user: User, *, full_name: str | None = None,
                   email: str | None = None) -> User:  # fmt: skip
    """Correct the name or e-mail of an account (the person themself or an account manager)."""
    grant = None
    if actor_user(actor) is None or actor.pk != user.pk:
        grant = require_account_manager(actor, user, what=_("修改账号信息"))
    changes = {}
    if full_name is not None:
        changes["full_name"] = clean_text(full_name, "full_name", required=True, max_length=64)
    if email is not None:
        changes["email"] = clean_text(email, "email", max_length=254)
    audit.audited_update(
        actor,
        PeopleAction.ACCOUNT_UPDATE,
        user,
        changes,
        fields=["full_name", "email"],
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


def require_account_manager(actor: Actor, user: User, *, what: str) -> scoping.Grant | None:
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
def set_account_active(actor: Actor, user: User, active: bool, *, reason: str = "") -> User:
    grant = require_account_manager(actor, user, what=_("停用或启用账号"))
    if actor_user(actor) is not None and actor.pk == user.pk and not active:
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
        PeopleAction.ACCOUNT_ACTIVATE if active else PeopleAction.ACCOUNT_DEACTIVATE,
        user,
        before={"is_active": not active},
        after={"is_active": active},
        note=clean_text(reason, "reason"),
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
    actor: Actor,
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
        region = find_region(region_code, levels=info.levels)
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
                granted_by=actor_user(actor),
                note=clean_text(note, "note"),
            )
    except IntegrityError as exc:
        raise conflict_error(exc, {}) from exc
    _sync_staff_flag(user)
    audit.record_created(
        actor,
        PeopleAction.ROLE_GRANT,
        assignment,
        ROLE_FIELDS,
        region_code=region.code if region is not None else "",
        grant=grant,
    )
    return assignment


@transaction.atomic
def revoke_role(actor: Actor, assignment: RoleAssignment, *, note: str = "") -> RoleAssignment:
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
    changes = {"valid_to": timezone.now()}
    if note:
        changes["note"] = clean_text(note, "note")
    audit.audited_update(
        actor,
        PeopleAction.ROLE_REVOKE,
        assignment,
        changes,
        fields=ROLE_FIELDS,
        region_code=region_code or "",
        role=scoping.acting_role(actor, grant),
    )
    _sync_staff_flag(assignment.user)
    return assignment


def _refuse_revoking_own_last_admin_role(actor: Actor, assignment: RoleAssignment) -> None:
    """An administrator cannot lock themself out: like deactivating one's own account, revoking
    one's own last administrator role is refused (another administrator must do it)."""
    user = actor_user(actor)
    if user is None or user.pk != assignment.user_id or assignment.role not in R.ADMIN_ROLES:
        return
    others = (
        RoleAssignment.objects.active()
        .filter(user_id=user.pk, role__in=R.ADMIN_ROLES)
        .exclude(pk=assignment.pk)
    )
    if not others.exists():
        raise DomainError(_("不能撤销自己唯一的管理员角色"), field="role", code="self")
