"""Co-departments' parts before a case closes (R25.1), and ended parts are never late (R27.1)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from audit.models import AuditRecord
from cases import clock as deadline_clock
from cases import co_departments, machine, services
from cases.models import AssignmentState, DeadlineStatus, Notification, State
from cases.tests.test_deadlines import clock, dispatched, working_morning
from gridgov.errors import DomainError, Forbidden

pytestmark = pytest.mark.django_db

HOUR = dt.timedelta(hours=1)


@pytest.fixture
def t0(world) -> dt.datetime:
    from django.utils import timezone

    return working_morning(timezone.localdate())


def handled_with_open_co(world, t0):
    """Police (lead) fed back; urban (co) signed and still working on its part."""
    case = dispatched(world, t0, co=[world.urban])
    with clock(t0 + HOUR):
        services.sign(world.urban_handler, case.pk)
        case = services.feedback(world.police_handler, case.pk, note="已处理")
    assert case.state == State.HANDLED
    return case


def urban_part(case):
    return case.assignments.get(role="co")


def test_r25_1_a_case_does_not_close_while_a_co_department_is_still_working(world, t0):
    case = handled_with_open_co(world, t0)
    with clock(t0 + 2 * HOUR), pytest.raises(DomainError) as refused:
        services.check(world.dispatcher, case.pk, passed=True, note="核查通过")
    assert refused.value.code == "co_departments_open"
    assert refused.value.http_status == 400
    assert world.urban.name in refused.value.message
    assert case.__class__.objects.get(pk=case.pk).state == State.HANDLED
    assert not case.events.filter(action="check").exists()
    # A failed check (rework) is still possible: it does not close the case.
    with clock(t0 + 2 * HOUR):
        case = services.check(world.dispatcher, case.pk, passed=False, note="路灯仍不亮")
    assert case.state == State.IN_PROGRESS


def test_r25_1_the_case_closes_once_the_co_department_fed_back(world, t0):
    case = handled_with_open_co(world, t0)
    with clock(t0 + 2 * HOUR):
        services.feedback(world.urban_handler, case.pk, note="协助清理完毕")
        case = services.check(world.dispatcher, case.pk, passed=True)
    assert case.state == State.CLOSED


def test_r25_1_the_agency_ends_a_co_department_part_with_a_reason_then_closes(world, t0):
    case = handled_with_open_co(world, t0)
    part = urban_part(case)
    assert "end_assignment" in machine.available_actions(world.dispatcher, case)
    assert "end_assignment" not in machine.available_actions(world.urban_handler, case)
    with clock(t0 + 2 * HOUR):
        with pytest.raises(Forbidden):  # not the department's to end, nor the supervisor's
            co_departments.end_assignment(
                world.urban_handler, case.pk, assignment=part.pk, reason="不需要了"
            )
        with pytest.raises(DomainError) as no_reason:
            co_departments.end_assignment(world.dispatcher, case.pk, assignment=part.pk, reason="")
        assert no_reason.value.field == "reason"
        lead = case.assignments.get(role="lead")
        with pytest.raises(DomainError) as the_lead:
            co_departments.end_assignment(world.dispatcher, case.pk, assignment=lead.pk, reason="x")
        assert the_lead.value.code == "lead_assignment"
        co_departments.end_assignment(
            world.dispatcher,
            case.pk,
            assignment=part.pk,
            reason="牵头部门已一并处理,无需协办",
            client_id="end-1",
        )
        # A resend changes nothing; ending it again without the key says why.
        co_departments.end_assignment(
            world.dispatcher, case.pk, assignment=part.pk, reason="again", client_id="end-1"
        )
        with pytest.raises(DomainError) as twice:
            co_departments.end_assignment(world.dispatcher, case.pk, assignment=part.pk, reason="y")
        assert twice.value.code == "not_open"
    part.refresh_from_db()
    assert part.state == AssignmentState.ENDED
    assert (part.end_reason, part.ended_by) == ("牵头部门已一并处理,无需协办", world.dispatcher)
    assert part.ended_at == t0 + 2 * HOUR
    assert part.deadline_status == DeadlineStatus.NONE
    assert case.events.filter(action="end_assignment").count() == 1
    event = case.events.get(action="end_assignment")
    assert event.note == "牵头部门已一并处理,无需协办"
    assert event.data["department"] == world.urban.pk
    assert AuditRecord.objects.filter(action="cases.end_assignment").count() == 1
    assert Notification.objects.get(kind="ended").department == world.urban
    # The ended department no longer acts on the case.
    with clock(t0 + 3 * HOUR), pytest.raises(Forbidden):
        services.feedback(world.urban_handler, case.pk, note="迟到的反馈")
    with clock(t0 + 3 * HOUR):
        case = services.check(world.dispatcher, case.pk, passed=True, note="核查通过")
    assert case.state == State.CLOSED


def late_cases_with_an_ended_co_part(world, t0, n: int) -> None:
    """``n`` cases whose co-department (urban) never fed back: the agency ended its part after
    the deadline had passed."""
    for _ in range(n):
        case = dispatched(world, t0, co=[world.urban])
        with clock(t0 + HOUR):
            services.feedback(world.police_handler, case.pk, note="已处理")
        part = urban_part(case)
        with clock(part.due_at + HOUR):
            deadline_clock.refresh_deadline_status(case)  # red: it was late when it was ended
            assert urban_part(case).deadline_status == DeadlineStatus.RED
            co_departments.end_assignment(
                world.dispatcher, case.pk, assignment=part.pk, reason="协办部门无需参与"
            )
            services.check(world.dispatcher, case.pk, passed=True)


def test_r27_1_an_ended_co_department_part_never_counts_as_late_toward_a_warning(world, t0):
    late_cases_with_an_ended_co_part(world, t0, 3)
    day = t0.date()
    with clock(t0 + 40 * 24 * HOUR):
        issued = services.issue_warnings(
            world.supervisor,
            region_code="440703",
            period_start=day,
            period_end=day + dt.timedelta(30),
            threshold=1,
        )
    assert issued == []
    # Ended parts are not overdue on the console or in the department's inbox either.
    from cases import worklists

    stats = worklists.console_stats(world.dispatcher)
    assert stats["overdue_by_department"] == []
    counts = worklists.inbox_counts(world.urban_handler)
    assert (counts["red"], counts["ended"]) == (0, 3)


def test_r27_1_an_open_overdue_co_part_still_counts_as_late(world, t0):
    """The same cases without the ending: the co-department is warned (control for the test
    above)."""
    for _ in range(2):
        case = dispatched(world, t0, co=[world.urban])
        with clock(t0 + HOUR):
            services.feedback(world.police_handler, case.pk, note="已处理")
    day = t0.date()
    with clock(t0 + 40 * 24 * HOUR):
        [warning] = services.issue_warnings(
            world.supervisor,
            region_code="440703",
            period_start=day,
            period_end=day + dt.timedelta(30),
            threshold=2,
        )
    assert warning.department == world.urban


def test_r25_1_end_assignment_over_the_api(world, t0):
    case = handled_with_open_co(world, t0)
    part = urban_part(case)
    client = APIClient()
    client.force_authenticate(world.dispatcher)
    url = f"/api/v1/cases/{case.pk}/check/"
    refused = client.post(url, {"passed": True}, format="json")
    assert refused.status_code == 400
    assert world.urban.name in str(refused.json())
    end = f"/api/v1/cases/{case.pk}/end-assignment/"
    assert client.post(end, {"assignment": part.pk}, format="json").status_code == 400
    ended = client.post(end, {"assignment": part.pk, "reason": "无需协办"}, format="json")
    assert ended.status_code == 200, ended.content
    row = next(a for a in ended.json()["assignments"] if a["id"] == part.pk)
    assert (row["state"], row["end_reason"]) == ("ended", "无需协办")
    assert client.post(url, {"passed": True}, format="json").json()["state"] == "closed"


def test_r25_1_the_case_page_says_who_is_still_open_and_offers_the_ending(world, t0, client):
    case = handled_with_open_co(world, t0)
    part = urban_part(case)
    client.force_login(world.dispatcher)
    page = client.get(reverse("cases:case", args=[case.pk])).content.decode()
    assert 'value="end_assignment"' in page
    assert f"协办部门 {world.urban.name} 尚未反馈" in page
    act = reverse("cases:act", args=[case.pk])
    refused = client.post(act, {"action": "end_assignment", "assignment": part.pk, "reason": ""})
    assert refused.status_code == 400
    done = client.post(
        act, {"action": "end_assignment", "assignment": part.pk, "reason": "无需协办"}
    )
    assert done.status_code == 302
    part.refresh_from_db()
    assert part.state == AssignmentState.ENDED
    page = client.get(reverse("cases:case", args=[case.pk])).content.decode()
    assert "终止理由:无需协办" in page
    assert 'value="end_assignment"' not in page


def test_r25_1_a_co_department_takes_up_its_part_after_the_lead_fed_back(world, t0):
    """The lead fed back before the co-department signed: it still signs and reports."""
    case = dispatched(world, t0, co=[world.urban])
    with clock(t0 + HOUR):
        case = services.feedback(world.police_handler, case.pk, note="已处理")
        assert machine.available_actions(world.urban_handler, case) == ["sign"]
        services.sign(world.urban_handler, case.pk)
        case = services.feedback(world.urban_handler, case.pk, note="协助清理完毕")
        assert case.state == State.HANDLED
        assert services.check(world.dispatcher, case.pk, passed=True).state == State.CLOSED
