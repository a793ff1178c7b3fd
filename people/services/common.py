"""What several people services use (R4–R6, R10–R13, R20.1): the actor as a user, finding
a region or department, cleaning dates and choices, refusing read-only fields, turning a
database conflict into a field error, locking a worker.

The lowest module of :mod:`people.services`: the others build on it, it imports none of them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any, TypeAlias

from django.db import IntegrityError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from gridgov.access import roles as R
from gridgov.access import scoping
from gridgov.actors import Actor
from gridgov.errors import DomainError, NotFound
from gridgov.parsing import Scalar
from people.models import Department, GridWorker, User
from regions.models import Level, Region

# What the people services take where the input layer passes a value as given:
DateInput: TypeAlias = dt.date | str | None  # a date, its ISO text, or empty (the default)
DepartmentRef: TypeAlias = Department | int | str | None  # a department, its id, or empty


def actor_user(actor: Actor) -> User | None:
    """The acting user, or None for the system (a command, the demo, a task)."""
    return actor if getattr(actor, "is_authenticated", False) else None


def region_by_code(code: str | None, field: str) -> Region:
    """The region of ``code``, refused on ``field`` when empty or unknown (the matters services
    use it too, with their own level check)."""
    code = str(code or "").strip()
    if not code:
        raise DomainError(_("请指定区域"), field=field, code="required")
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise DomainError(
            _("区划代码 %(code)s 不存在") % {"code": code}, field=field, code="unknown_region"
        )
    return region


def find_region(code: str | None, *, field: str = "region", levels: Iterable[str] = ()) -> Region:
    """The region of ``code``, refused on ``field`` when unknown or not of one of ``levels``."""
    region = region_by_code(code, field)
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


def clean_date(value: DateInput, field: str, *, default: dt.date | None = None) -> dt.date:
    """A date from a date or ISO text; ``default`` when empty (required without one)."""
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


def not_future(day: dt.date, field: str) -> dt.date:
    """``day``, refused when after today (a start or an issue is recorded, not planned)."""
    if day > timezone.localdate():
        raise DomainError(_("日期不能晚于今天"), field=field, code="future_date")
    return day


def clean_choice(value: Scalar, choices: type, field: str) -> str:
    """``value`` when it is one of ``choices.values``, else refused naming the options."""
    value = str(value or "")
    if value not in choices.values:
        raise DomainError(
            _("无效的选项 %(value)s,可选:%(options)s")
            % {"value": value or "-", "options": ", ".join(choices.values)},
            field=field,
            code="invalid_choice",
        )
    return value


def refuse_read_only(changes: dict[str, Any], allowed: Sequence[str]) -> None:
    """Refuse a change of a field the service does not change (before anything is set)."""
    unknown = sorted(set(changes) - set(allowed))
    if unknown:
        raise DomainError(
            _("不能修改字段:%(fields)s") % {"fields": ", ".join(unknown)},
            field=unknown[0],
            code="read_only",
        )


def conflict_error(exc: IntegrityError, messages: dict[str, tuple[str, str]]) -> DomainError:
    """Turn a constraint violation raised by the database into a clear DomainError."""
    text = str(exc)
    for constraint, (field, message) in messages.items():
        if constraint in text:
            return DomainError(str(message), field=field, code="conflict")
    return DomainError(_("与已有数据冲突:%(detail)s") % {"detail": text[:200]}, code="conflict")


def department_or_none(value: DepartmentRef) -> Department | None:
    """The department given or its id (None when empty); refused when unknown."""
    if value in (None, ""):
        return None
    if isinstance(value, Department):
        return value
    found = Department.objects.select_related("region").filter(pk=value).first()
    if found is None:
        raise DomainError(_("部门不存在"), field="department", code="unknown_department")
    return found


def lock_worker(worker: GridWorker | int) -> GridWorker:
    """The worker's row, locked for the change (with its village and department)."""
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


def lock_managed_worker(
    actor: Actor, worker: GridWorker | int, *, what: str
) -> tuple[GridWorker, scoping.Grant | None]:
    """The worker's row locked for the change, and the grant that lets ``actor`` manage the
    workers where this one works (R10.1, R13.1), or Forbidden naming ``what``."""
    worker = lock_worker(worker)
    grant = scoping.require(actor, R.WORKER_MANAGERS, region_code=worker.region_code, what=what)
    return worker, grant


def worker_roles_changed(worker: GridWorker) -> None:
    """A worker's roles follow their assignments: drop the grants cached for their account."""
    if worker.user_id:
        scoping.forget_roles(worker.user)
