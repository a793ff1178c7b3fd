"""A grid worker's file (R13.1): the training they attended and the equipment issued to them."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import services as audit
from gridgov.access import roles as R
from gridgov.access import scoping
from gridgov.actors import Actor
from gridgov.errors import DomainError
from gridgov.text import clean_text
from people.actions import PeopleAction
from people.models import (
    EquipmentIssue,
    EquipmentItem,
    GridWorker,
    Training,
    WorkerStatus,
)
from people.services.common import (
    DateInput,
    actor_user,
    clean_choice,
    clean_date,
    lock_managed_worker,
    not_future,
)


def _hours(value: Decimal | float | str) -> Decimal:
    try:
        hours = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise DomainError(_("学时须为数字"), field="hours", code="invalid") from None
    if hours <= 0 or hours > 1000:
        raise DomainError(_("学时须大于 0 且不超过 1000"), field="hours", code="out_of_range")
    return hours.quantize(Decimal("0.1"))


@transaction.atomic
def record_training(
    actor: Actor,
    workers: Sequence[GridWorker],
    *,
    course: str,
    held_on: DateInput,
    hours: Decimal | float | str,
    organiser: str = "",
    certificate: str = "",
) -> list[Training]:
    """One course attended by one or more workers (R13.1)."""
    if not workers:
        raise DomainError(_("请选择参训网格员"), field="workers", code="required")
    course = clean_text(course, "course", required=True)
    day = not_future(clean_date(held_on, "held_on"), "held_on")
    amount = _hours(hours)
    records = []
    for worker in workers:
        grant = scoping.require(
            actor, R.WORKER_MANAGERS, region_code=worker.region_code, what=_("登记培训")
        )
        training = Training.objects.create(
            worker=worker,
            course=course,
            organiser=clean_text(organiser, "organiser", max_length=100),
            held_on=day,
            hours=amount,
            certificate=clean_text(certificate, "certificate", max_length=100),
            recorded_by=actor_user(actor),
        )
        audit.record(
            actor,
            PeopleAction.TRAINING_RECORD,
            training,
            after={"worker": worker.pk, "course": course, "held_on": day, "hours": amount},
            region_code=worker.region_code,
            role=scoping.acting_role(actor, grant),
        )
        records.append(training)
    return records


@transaction.atomic
def issue_equipment(
    actor: Actor,
    worker: GridWorker,
    *,
    item: str,
    issued_on: DateInput = None,
    serial: str = "",
    description: str = "",
) -> EquipmentIssue:
    """A work ID, uniform, badge or device handed to a worker (R13.1)."""
    worker, grant = lock_managed_worker(actor, worker, what=_("登记装备发放"))
    if worker.status != WorkerStatus.ACTIVE:
        raise DomainError(_("该网格员已退出"), field="worker", code="exited")
    item = clean_choice(item, EquipmentItem, "item")
    serial = clean_text(serial, "serial", max_length=100)
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
        description=clean_text(description, "description"),
        issued_on=not_future(
            clean_date(issued_on, "issued_on", default=timezone.localdate()), "issued_on"
        ),
        recorded_by=actor_user(actor),
    )
    audit.record(
        actor,
        PeopleAction.EQUIPMENT_ISSUE,
        issue,
        after={"worker": worker.pk, "item": item, "serial": serial, "issued_on": issue.issued_on},
        region_code=worker.region_code,
        role=scoping.acting_role(actor, grant),
    )
    return issue


@transaction.atomic
def return_equipment(
    actor: Actor, issue: EquipmentIssue, *, returned_on: DateInput = None
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
    day = clean_date(returned_on, "returned_on", default=timezone.localdate())
    if day < issue.issued_on:
        raise DomainError(_("归还日期不能早于发放日期"), field="returned_on", code="invalid_span")
    issue.returned_on = day
    issue.save(update_fields=["returned_on"])
    audit.record(
        actor,
        PeopleAction.EQUIPMENT_RETURN,
        issue,
        after={"returned_on": day},
        region_code=issue.worker.region_code,
        role=scoping.acting_role(actor, grant),
    )
    return issue
