"""Grid workers (R10–R13): recruiting, correcting, changing the kind, leaving and rehiring.
Assignments to grids are :mod:`people.services.grid_assignments`."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import personal_data as pd
from audit import services as audit
from gridgov.access import roles as R
from gridgov.access import scoping
from gridgov.actors import Actor
from gridgov.errors import DomainError
from gridgov.text import clean_text
from people.actions import PeopleAction
from people.models import (
    Department,
    Employment,
    EmploymentMethod,
    ExitReason,
    GridAgency,
    GridWorker,
    User,
    WorkerKind,
    WorkerStatus,
)
from people.services.common import (
    DateInput,
    DepartmentRef,
    actor_user,
    clean_choice,
    clean_date,
    department_or_none,
    find_region,
    lock_managed_worker,
    lock_worker,
    not_future,
    worker_roles_changed,
)
from people.services.grid_assignments import end_assignments
from regions.models import Level, Region

WORKER_FIELDS = ["name", "gender", "kind", "is_party_member", "village", "agency", "department",
                 "region_code", "work_phone", "id_number_masked", "personal_phone_masked",
                 "status", "user", "note"]  # fmt: skip


DEFAULT_METHOD = {
    WorkerKind.LEADER: EmploymentMethod.APPOINTED,
    WorkerKind.FULLTIME: EmploymentMethod.RECRUITED,
    WorkerKind.PARTTIME: EmploymentMethod.CONCURRENT,
    WorkerKind.PROFESSIONAL: EmploymentMethod.SECONDED,
}


class _Gender:
    values = ("male", "female")


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


def _protect_into(worker: GridWorker, name: str, value: str) -> None:
    kind, purpose = GridWorker.PROTECTED_FIELDS[name]
    protected = pd.protect(value, kind=kind, purpose=purpose, field=name)
    setattr(worker, f"{name}_encrypted", protected.encrypted)
    setattr(worker, f"{name}_digest", protected.digest)
    setattr(worker, f"{name}_masked", protected.masked)


def _village_or_none(code: Region | str | None) -> Region | None:
    if code in (None, ""):
        return None
    if isinstance(code, Region):
        code = code.code
    return find_region(code, field="village", levels=[Level.VILLAGE])


def _agency_for(village: Region | None, agency: GridAgency | int | str | None) -> GridAgency | None:
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


def _duplicate_check(
    worker: GridWorker, *, kind: str | None = None, exclude_pk: int | None = None
) -> None:
    """Refuse a second worker of ``kind`` (default: the worker's) with the same ID number."""
    if not worker.id_number_digest:
        return
    kind = kind or worker.kind
    others = GridWorker.objects.filter(id_number_digest=worker.id_number_digest, kind=kind)
    if exclude_pk:
        others = others.exclude(pk=exclude_pk)
    if others.exists():
        raise DomainError(
            _("身份证号码相同的%(kind)s已登记") % {"kind": WorkerKind(kind).label},
            field="id_number",
            code="duplicate_person",
        )


@transaction.atomic
def create_worker(
    actor: Actor,
    *,
    name: str,
    kind: str,
    id_number: str,
    village_code: Region | str | None = None,
    department: DepartmentRef = None,
    agency: GridAgency | int | str | None = None,
    is_party_member: bool = False,
    gender: str = "",
    work_phone: str = "",
    personal_phone: str = "",
    user: User | None = None,
    note: str = "",
    method: str = "",
    started_on: DateInput = None,
    document: str = "",
) -> GridWorker:
    """Recruit a grid worker (R10.1, R13.1): the person and their first employment record."""
    kind = clean_choice(kind, WorkerKind, "kind")
    village = _village_or_none(village_code)
    dept = department_or_none(department)
    if kind != WorkerKind.PROFESSIONAL and dept is not None:
        raise DomainError(
            _("只有专业网格员由联动部门派出"), field="department", code="not_applicable"
        )
    _check_worker_shape(kind, village, dept, bool(is_party_member))
    region_code = _worker_region_code(village, dept)
    grant = scoping.require(actor, R.WORKER_MANAGERS, region_code=region_code, what=_("登记网格员"))
    worker = GridWorker(
        user=user,
        name=clean_text(name, "name", required=True, max_length=64),
        kind=kind,
        is_party_member=bool(is_party_member),
        village=village,
        department=dept,
        agency=_agency_for(village, agency),
        region_code=region_code,
        work_phone=pd.normalize_work_phone(work_phone),
        note=clean_text(note, "note", max_length=2000),
    )
    if not str(id_number or "").strip():
        raise DomainError(_("身份证号码不能为空"), field="id_number", code="required")
    _protect_into(worker, "id_number", id_number)
    _protect_into(worker, "personal_phone", personal_phone)
    clean_id = pd.normalize_id_number(id_number)
    worker.gender = clean_choice(gender, _Gender, "gender") if gender else pd.gender_of(clean_id)
    _duplicate_check(worker)
    worker.save()
    employment = Employment.objects.create(
        worker=worker,
        method=clean_choice(method or DEFAULT_METHOD[kind], EmploymentMethod, "method"),
        started_on=not_future(
            clean_date(started_on, "started_on", default=timezone.localdate()), "started_on"
        ),
        document=clean_text(document, "document", max_length=100),
        recorded_by=actor_user(actor),
    )
    if user is not None:
        scoping.forget_roles(user)
    audit.record(
        actor,
        PeopleAction.WORKER_CREATE,
        worker,
        after={
            **audit.snapshot(worker, WORKER_FIELDS),
            "employment": {"method": employment.method, "started_on": employment.started_on},
        },
        region_code=region_code,
        role=scoping.acting_role(actor, grant),
    )
    return worker


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
def update_worker(actor: Actor, worker: GridWorker, **changes: Any) -> GridWorker:
    """Correct a worker's record. The kind changes through :func:`change_worker_kind`."""
    worker, grant = lock_managed_worker(actor, worker, what=_("修改网格员信息"))
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
        worker.name = clean_text(changes["name"], "name", required=True, max_length=64)
    if "gender" in changes:
        worker.gender = (
            clean_choice(changes["gender"], _Gender, "gender") if changes["gender"] else ""
        )
    if "is_party_member" in changes:
        worker.is_party_member = bool(changes["is_party_member"])
    if "village" in changes:
        worker.village = _village_or_none(changes["village"])
    if "department" in changes:
        worker.department = department_or_none(changes["department"])
    if "agency" in changes:
        worker.agency = _agency_for(worker.village, changes["agency"])
    if "work_phone" in changes:
        worker.work_phone = pd.normalize_work_phone(changes["work_phone"])
    if "note" in changes:
        worker.note = clean_text(changes["note"], "note", max_length=2000)
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
            PeopleAction.WORKER_UPDATE,
            worker,
            before=before,
            after=after,
            region_code=worker.region_code,
            role=scoping.acting_role(actor, grant),
        )
    for person in {old_user, worker.user} - {None}:
        scoping.forget_roles(person)
    return worker


@transaction.atomic
def change_worker_kind(
    actor: Actor, worker: GridWorker, kind: str, *, reason: str, department: DepartmentRef = None
) -> GridWorker:
    """Make a worker another kind (e.g. a full-time worker becomes grid leader).

    The worker's active assignments end (their kind was part of them); assign again after.
    """
    worker = lock_worker(worker)
    kind = clean_choice(kind, WorkerKind, "kind")
    reason = clean_text(reason, "reason", required=True)
    grant = scoping.require(
        actor, R.WORKER_MANAGERS, region_code=worker.region_code, what=_("变更网格员类别")
    )
    if kind == worker.kind:
        return worker
    dept = department_or_none(department) if kind == WorkerKind.PROFESSIONAL else None
    _check_worker_shape(kind, worker.village, dept, worker.is_party_member)
    end_assignments(
        actor,
        worker.assignments.active().select_for_update(),
        timezone.localdate(),
        _("类别变更:%(reason)s") % {"reason": reason},
    )
    _duplicate_check(worker, kind=kind, exclude_pk=worker.pk)
    region_code = _worker_region_code(worker.village, dept)
    audit.audited_update(
        actor,
        PeopleAction.WORKER_CHANGE_KIND,
        worker,
        {"kind": kind, "department": dept, "region_code": region_code},
        fields=WORKER_FIELDS,
        note=reason,
        region_code=region_code,
        role=scoping.acting_role(actor, grant),
    )
    worker_roles_changed(worker)
    return worker


@transaction.atomic
def exit_worker(
    actor: Actor,
    worker: GridWorker,
    *,
    reason: str,
    ended_on: DateInput = None,
    note: str = "",
) -> GridWorker:
    """A worker leaves (R13.1, R14.1 退出): employment and every assignment end."""
    worker, grant = lock_managed_worker(actor, worker, what=_("办理网格员退出"))
    reason = clean_choice(reason, ExitReason, "reason")
    if worker.status == WorkerStatus.EXITED:
        return worker
    day = clean_date(ended_on, "ended_on", default=timezone.localdate())
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
        employment.exit_note = clean_text(note, "note", max_length=2000)
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
        PeopleAction.WORKER_EXIT,
        worker,
        before=before,
        after={**audit.snapshot(worker, WORKER_FIELDS), "exit_reason": reason, "ended_on": day},
        note=note,
        region_code=worker.region_code,
        role=scoping.acting_role(actor, grant),
    )
    worker_roles_changed(worker)
    return worker


@transaction.atomic
def rehire_worker(
    actor: Actor,
    worker: GridWorker,
    *,
    method: str,
    started_on: DateInput = None,
    document: str = "",
) -> GridWorker:
    worker, grant = lock_managed_worker(actor, worker, what=_("重新聘用网格员"))
    if worker.status == WorkerStatus.ACTIVE:
        raise DomainError(_("该网格员在岗,无需重新聘用"), field="worker", code="active")
    day = not_future(
        clean_date(started_on, "started_on", default=timezone.localdate()), "started_on"
    )
    last = worker.employments.order_by("-started_on").first()
    if last is not None and last.ended_on is not None and day < last.ended_on:
        raise DomainError(
            _("聘用日期不能早于上次退出日期 %(day)s") % {"day": last.ended_on},
            field="started_on",
            code="invalid_span",
        )
    Employment.objects.create(
        worker=worker,
        method=clean_choice(method, EmploymentMethod, "method"),
        started_on=day,
        document=clean_text(document, "document", max_length=100),
        recorded_by=actor_user(actor),
    )
    audit.audited_update(
        actor,
        PeopleAction.WORKER_REHIRE,
        worker,
        {"status": WorkerStatus.ACTIVE},
        fields=WORKER_FIELDS,
        region_code=worker.region_code,
        role=scoping.acting_role(actor, grant),
    )
    return worker
