"""The closed loop through the services (R18.1, R24.1–R24.4, R25.1, R26.1, R27.1)."""

from __future__ import annotations

import pytest

from audit.models import AuditRecord
from cases import services
from cases.inputs import ReportInput
from cases.models import AssignmentState, Channel, DutyRuling, Notification, State
from cases.tests.conftest import photo
from gridgov.errors import Conflict, DomainError, Forbidden
from matters.gate import NotAdmitted

pytestmark = pytest.mark.django_db


def report(world, actor=None, **kw):
    lng, lat = world.point
    kw.setdefault("matter", world.entry_code)
    kw.setdefault("description", "小区门口路灯损坏，夜间有治安隐患")
    return services.intake(actor or world.worker, ReportInput(lng=lng, lat=lat, **kw)).case


def test_worker_report_is_located_admitted_and_verified(world):
    """R24.1: the worker's report lands in its grid, under the county list, verified."""
    case = report(world, client_id="phone-1", photos=[photo()])
    assert case.state == State.VERIFIED
    assert case.channel == Channel.WORKER
    assert case.grid_code == world.grids[0].code
    assert case.agency_code == "440703002"
    assert case.entry.item.code == world.entry_code
    assert case.dispatch_due_at is not None  # 2 working hours to dispatch (R24.2)
    event = case.events.get()
    assert event.action == "report" and event.to_state == State.VERIFIED
    assert event.data["attachments"][0]["sha256"] == case.attachments.get().sha256
    assert AuditRecord.objects.filter(action="cases.report", object_id=str(case.pk)).exists()


def test_resident_report_starts_unverified_and_the_grid_worker_verifies(world):
    """R18.1, R24.1: residents' reports go to the grid's workers to collect and verify."""
    case = report(world, world.resident, reporter_phone="13800138000")
    assert (case.state, case.channel) == (State.REPORTED, Channel.PORTAL)
    assert case.reporter_phone_masked == "138****8000"
    assert "13800138000" not in case.reporter_phone_encrypted
    with pytest.raises(Forbidden):
        services.verify(world.police_handler, case.pk)
    case = services.verify(world.worker, case.pk, note="现场确认", photos=[photo()])
    assert case.state == State.VERIFIED and case.verified_at is not None


def test_a_false_report_is_declined_by_the_verifying_worker(world):
    case = report(world, world.resident)
    with pytest.raises(DomainError, match="请填写说明"):
        services.verify(world.worker, case.pk, valid=False)
    case = services.verify(world.worker, case.pk, valid=False, note="现场无此情况")
    assert case.state == State.DECLINED and case.decline_reason == "现场无此情况"


def test_hotline_staff_report_on_behalf_of_a_caller(world):
    case = report(
        world,
        world.dispatcher,
        channel="hotline",
        reporter_name="张先生",
        reporter_phone="13912345678",
    )
    assert (case.state, case.channel) == (State.REPORTED, Channel.HOTLINE)
    with pytest.raises(Forbidden):
        report(world, world.resident, channel="hotline")


def test_the_same_report_sent_ten_times_is_stored_once(world):
    """A phone resends when the network drops: one case, the same answer each time."""
    first = report(world, client_id="uuid-7")
    for _ in range(9):
        again = services.intake(
            world.worker,
            ReportInput(
                lng=world.point[0],
                lat=world.point[1],
                matter=world.entry_code,
                description="小区门口路灯损坏，夜间有治安隐患",
                client_id="uuid-7",
            ),
        )
        assert not again.created and again.case.pk == first.pk
    assert type(first).objects.count() == 1
    # R18.1: other content under the same key is a conflict naming the stored case
    with pytest.raises(Conflict) as conflict:
        report(world, client_id="uuid-7", description="x")
    assert conflict.value.extra["case"]["tracking_code"] == first.tracking_code
    assert type(first).objects.count() == 1
    # the same client id from another person is another report
    other = report(world, world.leader, client_id="uuid-7")
    assert other.pk != first.pk


def test_a_matter_not_on_the_county_list_is_refused_with_the_reason(world):
    """R23.3: only admitted matters enter the grid."""
    with pytest.raises(NotAdmitted, match="ZA-03"):
        report(world, matter=world.other_code)
    with pytest.raises(DomainError, match="不在任何网格内"):
        services.intake(
            world.worker, ReportInput(lng=100.0, lat=30.0, matter=world.entry_code, description="x")
        )


def test_settled_on_the_spot_closes_with_the_record(world):
    """R24.1: what can be settled on the spot is settled and recorded, counted apart."""
    case = report(world, matter=world.settle_code, settle_note="已劝离占道摊贩", photos=[photo()])
    assert case.state == State.CLOSED and case.settled_on_spot
    assert [e.action for e in case.events.order_by("seq")] == ["report", "settle"]
    with pytest.raises(DomainError, match="不允许现场处置"):
        report(world, settle_note="试图现场处置")
    later = report(world, world.resident, matter=world.settle_code)
    later = services.settle(world.worker, later.pk, note="已处理")
    assert later.state == State.CLOSED and later.settled_on_spot


def test_urgent_report_notifies_the_township_agency_and_departments_at_once(world):
    case = report(world, urgent=True)
    kinds = set(Notification.objects.filter(case=case).values_list("agency_code", "department_id"))
    assert ("440703002", None) in kinds
    assert ("", world.police.pk) in kinds and ("", world.urban.pk) in kinds


def test_full_loop_dispatch_sign_feedback_check_evaluate(world):
    """R24.2–R24.3, R25.1, R26.1: dispatch with deadlines, lead feeds back, agency checks,
    the reporter rates; every step is in the archive."""
    case = report(world, world.resident)
    services.verify(world.worker, case.pk)
    with pytest.raises(Forbidden):
        services.accept(world.county_dispatcher, case.pk)  # not the right level
    services.accept(world.dispatcher, case.pk)
    case = services.dispatch(world.dispatcher, case.pk)  # departments suggested by the entry
    assert case.state == State.DISPATCHED and case.lead_department == world.police
    assignments = {a.department_id: a for a in case.assignments.all()}
    assert set(assignments) == {world.police.pk, world.urban.pk}
    assert all(a.due_at for a in assignments.values())
    assert case.due_at == assignments[world.police.pk].due_at

    with pytest.raises(DomainError, match="不能"):
        services.feedback(world.police_handler, case.pk, note="x")  # must sign first
    services.sign(world.urban_handler, case.pk)  # co-department: case state unchanged
    case = services.sign(world.police_handler, case.pk)
    assert case.state == State.IN_PROGRESS
    services.feedback(world.urban_handler, case.pk, note="协助清理")
    assert case.__class__.objects.get(pk=case.pk).state == State.IN_PROGRESS
    case = services.feedback(
        world.police_handler, case.pk, note="已加装路灯并巡查", photos=[photo(color="blue")]
    )
    assert case.state == State.HANDLED
    with pytest.raises(Forbidden):
        services.check(world.police_handler, case.pk, passed=True)
    case = services.check(world.dispatcher, case.pk, passed=True, note="核查通过")
    assert case.state == State.CLOSED
    with pytest.raises(Forbidden):
        services.evaluate(world.worker, case.pk, rating="satisfied")
    case = services.evaluate(world.resident, case.pk, rating="satisfied", comment="很及时")
    assert case.state == State.EVALUATED and case.rating == "satisfied"
    actions = list(case.events.order_by("seq").values_list("action", flat=True))
    assert actions == [
        "report",
        "verify",
        "accept",
        "dispatch",
        "sign",
        "sign",
        "feedback",
        "feedback",
        "check",
        "evaluate",
    ]


def test_failed_check_sends_it_back_for_rework(world):
    case = _in_progress(world)
    case = services.feedback(world.police_handler, case.pk, note="已处理")
    with pytest.raises(DomainError, match="请填写说明"):
        services.check(world.dispatcher, case.pk, passed=False)
    case = services.check(world.worker, case.pk, passed=False, note="现场路灯仍不亮")
    assert case.state == State.IN_PROGRESS and case.rework_count == 1
    lead = case.assignments.get(department=world.police)
    assert lead.state == AssignmentState.SIGNED
    case = services.feedback(world.police_handler, case.pk, note="更换灯具")
    assert services.check(world.worker, case.pk, passed=True).state == State.CLOSED


def _in_progress(world):
    case = report(world)
    services.accept(world.dispatcher, case.pk)
    services.dispatch(world.dispatcher, case.pk, lead_department=world.police.pk, co_departments=[])
    return services.sign(world.police_handler, case.pk)


def test_return_outside_duties_then_redispatch_with_a_ruling(world):
    """R24.4: the department returns with reasons; the agency re-dispatches, and a dispute
    over duty is settled with a recorded ruling. Returns are counted per department."""
    case = _in_progress(world)
    with pytest.raises(DomainError, match="请填写原因"):
        services.return_case(world.police_handler, case.pk, reason=" ")
    case = services.return_case(world.police_handler, case.pk, reason="属住建部门职责")
    assert case.state == State.RETURNED and case.return_count == 1
    assert Notification.objects.filter(kind="returned", agency_code="440703002").exists()
    with pytest.raises(DomainError, match="裁定理由"):
        services.dispatch(world.dispatcher, case.pk, lead_department=world.police.pk)
    case = services.dispatch(
        world.dispatcher,
        case.pk,
        lead_department=world.police.pk,
        ruling="经研究，路灯照明治安隐患属公安牵头",
    )
    ruling = DutyRuling.objects.get(case=case)
    assert not ruling.upheld_return and ruling.decided_by == world.dispatcher
    case = services.return_case(world.police_handler, case.pk, reason="仍认为非本部门职责")
    case = services.dispatch(world.dispatcher, case.pk, lead_department=world.housing.pk)
    assert DutyRuling.objects.filter(case=case, upheld_return=True).count() == 1
    returned = case.assignments.filter(department=world.police, state="returned").count()
    assert returned == 2


def test_escalation_moves_the_case_up_one_level_at_a_time(world):
    case = report(world)
    case = services.escalate(world.dispatcher, case.pk, reason="涉及跨镇街")
    assert (case.level, case.agency_code) == ("county", "440703")
    with pytest.raises(Forbidden):
        services.accept(world.dispatcher, case.pk)  # the township no longer holds it
    services.accept(world.county_dispatcher, case.pk)
    case = services.escalate(world.county_dispatcher, case.pk, reason="需市级协调")
    assert case.agency_code == "4407"


def test_wrong_state_is_400_and_not_yours_is_403(world):
    case = report(world)
    with pytest.raises(DomainError) as wrong:
        services.sign(world.police_handler, case.pk)
    assert isinstance(wrong.value, Forbidden)  # no assignment: not theirs at all
    with pytest.raises(DomainError) as state:
        services.verify(world.worker, case.pk)  # already verified
    assert state.value.code == "wrong_state" and state.value.http_status == 400
    with pytest.raises(Forbidden):
        services.accept(world.foreign_dispatcher, case.pk)


def test_resent_actions_change_nothing(world):
    case = report(world)
    services.accept(world.dispatcher, case.pk, client_id="a1")
    again = services.accept(world.dispatcher, case.pk, client_id="a1")
    assert again.state == State.ACCEPTED
    assert case.events.filter(action="accept").count() == 1


def test_a_co_department_may_report_its_part_after_the_lead(world):
    """R25.1: the lead reports for the whole case; a co-department's late feedback is kept."""
    case = report(world)
    services.accept(world.dispatcher, case.pk)
    services.dispatch(world.dispatcher, case.pk)  # police lead, urban co
    services.sign(world.police_handler, case.pk)
    services.sign(world.urban_handler, case.pk)
    case = services.feedback(world.police_handler, case.pk, note="已处理")
    assert case.state == State.HANDLED
    case = services.feedback(world.urban_handler, case.pk, note="协助清理完毕")
    assert case.state == State.HANDLED
    assert case.assignments.get(department=world.urban).state == AssignmentState.FED_BACK
