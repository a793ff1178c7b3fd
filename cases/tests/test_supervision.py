"""Supervision (督办) and warnings (警示) to units that are repeatedly late (R27.1)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from rest_framework.test import APIClient

from audit.models import AuditRecord
from cases import services
from cases.models import Notification, Supervision, Warning
from cases.tests.test_deadlines import clock, dispatched, report, working_morning
from gridgov.errors import DomainError, Forbidden

pytestmark = pytest.mark.django_db

HOUR = dt.timedelta(hours=1)


@pytest.fixture
def t0(world) -> dt.datetime:
    return working_morning(timezone.localdate())


# --- 督办: the supervisor urges, the department answers, both on the record --------------------


def test_r27_1_supervisor_urges_the_lead_department_which_must_answer(world, t0):
    case = dispatched(world, t0, co=[world.urban])
    with clock(t0 + HOUR):
        for not_a_supervisor in (world.dispatcher, world.police_handler, world.worker):
            with pytest.raises(Forbidden):
                services.supervise(not_a_supervisor, case.pk, note="请加快办理")
        with pytest.raises(DomainError) as empty:
            services.supervise(world.supervisor, case.pk, note=" ")
        assert empty.value.field == "note"
        urged = services.supervise(world.supervisor, case.pk, note="群众反映强烈，请加快办理")
    assert urged.assignment.department == world.police  # the lead by default
    notice = Notification.objects.get(kind="supervision", case=case)
    assert (notice.department, notice.agency_code) == (world.police, "")

    with clock(t0 + 2 * HOUR):
        with pytest.raises(Forbidden):  # only the urged department answers
            services.answer_supervision(
                world.urban_handler, case.pk, supervision=urged, answer="非本部门"
            )
        with pytest.raises(DomainError) as blank:
            services.answer_supervision(world.police_handler, case.pk, supervision=urged, answer="")
        assert blank.value.field == "answer"
        answered = services.answer_supervision(
            world.police_handler, case.pk, supervision=urged, answer="已安排人员今日到场"
        )
        assert (answered.answered_by, answered.answered_at) == (world.police_handler, t0 + 2 * HOUR)
        with pytest.raises(DomainError) as twice:
            services.answer_supervision(
                world.police_handler, case.pk, supervision=urged, answer="再答一次"
            )
    assert (twice.value.code, twice.value.http_status) == ("answered", 400)

    # Both the urging and the answer are on the record (R26.2) and audited (R28.1).
    events = {e.action: e for e in case.events.filter(action__in=["supervise", "answer"])}
    assert events["supervise"].note == "群众反映强烈，请加快办理"
    assert events["supervise"].data["department"] == world.police.pk
    assert events["supervise"].actor == world.supervisor
    assert events["answer"].note == "已安排人员今日到场"
    assert events["answer"].data["supervision"] == urged.pk
    assert events["answer"].actor == world.police_handler
    assert AuditRecord.objects.filter(action="cases.answer", object_id=str(case.pk)).exists()
    assert Supervision.objects.get(pk=urged.pk).answer == "已安排人员今日到场"


def test_r27_1_supervisor_may_urge_a_co_department(world, t0):
    case = dispatched(world, t0, co=[world.urban])
    with clock(t0 + HOUR):
        urged = services.supervise(
            world.supervisor, case.pk, note="协办部门请配合", department=world.urban.pk
        )
        with pytest.raises(DomainError) as nobody:
            services.supervise(world.supervisor, case.pk, note="x", department=world.housing.pk)
        assert nobody.value.field == "department"
        with pytest.raises(Forbidden):  # the lead was not urged by this one
            services.answer_supervision(
                world.police_handler, case.pk, supervision=urged, answer="x"
            )
        services.answer_supervision(
            world.urban_handler, case.pk, supervision=urged, answer="已配合"
        )
    assert Notification.objects.get(kind="supervision", case=case).department == world.urban


def test_r27_1_supervision_needs_a_case_with_departments(world, t0):
    case = report(world, t0)
    with clock(t0), pytest.raises(DomainError) as wrong:
        services.supervise(world.supervisor, case.pk, note="请尽快派遣")
    assert wrong.value.code == "wrong_state"


def test_r27_1_answering_twice_over_the_api_is_400(world, t0):
    case = dispatched(world, t0)
    with clock(t0 + HOUR):
        urged = services.supervise(world.supervisor, case.pk, note="请加快")
    client = APIClient()
    client.force_authenticate(world.police_handler)
    url = f"/api/v1/cases/{case.pk}/answer/"
    first = client.post(url, {"supervision": urged.pk, "answer": "已处理"}, format="json")
    assert first.status_code == 200, first.content
    again = client.post(url, {"supervision": urged.pk, "answer": "又答"}, format="json")
    assert again.status_code == 400
    assert "已答复" in again.json()["detail"]
    assert case.events.filter(action="answer").count() == 1


# --- 警示: departments late on at least N assignments in a period ------------------------------


def late_assignments(world, t0, n: int, department) -> None:
    """``n`` cases dispatched at t0 to ``department`` (lead), fed back after the deadline."""
    handler = {world.police: world.police_handler, world.urban: world.urban_handler}[department]
    for _ in range(n):
        case = report(world, t0)
        with clock(t0):
            services.accept(world.dispatcher, case.pk)
            case = services.dispatch(
                world.dispatcher, case.pk, lead_department=department.pk, co_departments=[]
            )
            services.sign(handler, case.pk)
        with clock(case.due_at + HOUR):
            services.feedback(handler, case.pk, note="已处理(超期)")


def test_r27_1_warnings_go_to_departments_late_repeatedly_once_per_period(world, t0):
    late_assignments(world, t0, 3, world.police)
    late_assignments(world, t0, 1, world.urban)
    on_time = dispatched(world, t0)  # fed back in time: not late
    with clock(t0 + HOUR):
        services.feedback(world.police_handler, on_time.pk, note="按时办结")
    start, end = t0.date(), t0.date() + dt.timedelta(days=30)

    with clock(t0 + 40 * 24 * HOUR):
        for not_a_supervisor in (world.dispatcher, world.police_handler):
            with pytest.raises(Forbidden):
                services.issue_warnings(
                    not_a_supervisor, region_code="440703", period_start=start, period_end=end
                )
        with pytest.raises(DomainError) as backwards:
            services.issue_warnings(
                world.supervisor, region_code="440703", period_start=end, period_end=start
            )
        assert backwards.value.field == "period_end"
        issued = services.issue_warnings(
            world.supervisor, region_code="440703", period_start=start, period_end=end, threshold=2
        )
        again = services.issue_warnings(
            world.supervisor, region_code="440703", period_start=start, period_end=end, threshold=2
        )
    assert [(w.department, w.late_count) for w in issued] == [(world.police, 3)]
    assert again == []  # idempotent per period
    assert Warning.objects.count() == 1
    warning = Warning.objects.get()
    assert (warning.period_start, warning.period_end, warning.issued_by) == (
        start,
        end,
        world.supervisor,
    )
    assert Notification.objects.filter(kind="warning", department=world.police).count() == 1
    assert AuditRecord.objects.filter(action="cases.warning").count() == 1


def test_r27_1_open_overdue_assignments_count_as_late(world, t0):
    for _ in range(2):
        dispatched(world, t0)  # never fed back
    day = t0.date()
    with clock(t0 + HOUR):  # not yet due: nobody is late
        assert (
            services.issue_warnings(
                world.supervisor,
                region_code="440703",
                period_start=day,
                period_end=day + dt.timedelta(9),
                threshold=2,
            )
            == []
        )
    with clock(t0 + 30 * 24 * HOUR):
        [warning] = services.issue_warnings(
            world.supervisor,
            region_code="440703",
            period_start=day,
            period_end=day + dt.timedelta(9),
            threshold=2,
        )
    assert (warning.department, warning.late_count) == (world.police, 2)


def test_r27_1_issue_warnings_command(world, t0):
    late_assignments(world, t0, 2, world.police)
    start, end = t0.date().isoformat(), (t0.date() + dt.timedelta(days=30)).isoformat()
    args = ["--region", "440703", "--from", start, "--to", end, "--threshold", "2"]
    out = io.StringIO()
    with clock(t0 + 40 * 24 * HOUR):
        call_command("issue_warnings", *args, stdout=out)
        call_command("issue_warnings", *args, stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith(f"warned {world.police.name}:")
    assert lines[1:] == ["1 warnings issued", "0 warnings issued"]
    warning = Warning.objects.get()
    assert warning.issued_by is None  # the system
    assert AuditRecord.objects.get(action="cases.warning").role == "system"
    with pytest.raises(CommandError, match="not a date"):
        call_command("issue_warnings", "--region", "440703", "--from", "yesterday", "--to", end)
