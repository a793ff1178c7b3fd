"""An "unsatisfied" rating opens a review by the agency: reopen or confirm, with a reason
(R18.1, R27.1)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from audit.models import AuditRecord
from cases import machine, reviews, services, worklists
from cases.inputs import ReportInput
from cases.models import AssignmentState, Case, Notification, Review, State
from cases.tests.test_portal import report_data
from gridgov.errors import DomainError, Forbidden

pytestmark = pytest.mark.django_db


def closed(world, reporter=None) -> Case:
    lng, lat = world.point
    case = services.intake(
        reporter or world.resident,
        ReportInput(lng=lng, lat=lat, matter=world.entry_code, description="小区门口路灯损坏"),
    ).case
    services.verify(world.worker, case.pk)
    services.accept(world.dispatcher, case.pk)
    services.dispatch(world.dispatcher, case.pk, lead_department=world.police.pk, co_departments=[])
    services.sign(world.police_handler, case.pk)
    services.feedback(world.police_handler, case.pk, note="已处理")
    return services.check(world.dispatcher, case.pk, passed=True)


def unsatisfied(world) -> Case:
    case = closed(world)
    return services.evaluate(
        world.resident, case.pk, rating="unsatisfied", comment="路灯还是不亮", client_id="r1"
    )


def test_r27_1_an_unsatisfied_rating_opens_a_review_for_the_agency(world):
    case = unsatisfied(world)
    again = services.evaluate(world.resident, case.pk, rating="unsatisfied", client_id="r1")
    assert again.state == State.EVALUATED  # a resend opens nothing more
    review = Review.objects.get()
    assert (review.case, review.rating, review.comment, review.status) == (
        case,
        "unsatisfied",
        "路灯还是不亮",
        Review.Status.PENDING,
    )
    assert Case.objects.get(pk=case.pk).review_pending is True
    notice = Notification.objects.get(kind="review")
    assert (notice.agency_code, notice.case) == ("440703002", case)
    assert "review" in machine.available_actions(world.dispatcher, case)
    for other in (world.supervisor, world.police_handler, world.resident, world.worker):
        assert "review" not in machine.available_actions(other, case)
    # Satisfied and basically satisfied ratings open no review.
    for rating in ("satisfied", "basically"):
        fine = services.evaluate(world.resident, closed(world).pk, rating=rating)
        assert not fine.review_pending
    assert Review.objects.count() == 1


def test_r27_1_the_to_review_queue_is_counted_with_the_others_in_one_query(world):
    case = unsatisfied(world)
    services.evaluate(world.resident, closed(world).pk, rating="satisfied")
    with CaptureQueriesContext(connection) as queries:
        counts = worklists.queue_counts(world.dispatcher)
    assert len(queries) == 1
    assert counts["review"] == 1
    filters = worklists.Filters.from_params({"queue": "review"})
    assert list(worklists.queue_page_queryset(world.dispatcher, filters)) == [case]
    # The county does not hold the case: not in its queue to act on.
    assert worklists.queue_counts(world.county_dispatcher)["review"] == 0


def test_r27_1_reopening_sends_the_case_back_to_the_lead_department(world):
    case = unsatisfied(world)
    with pytest.raises(Forbidden):
        reviews.review(world.supervisor, case.pk, reopen=True, reason="x")
    with pytest.raises(Forbidden):
        reviews.review(world.police_handler, case.pk, reopen=True, reason="x")
    with pytest.raises(DomainError) as no_reason:
        reviews.review(world.dispatcher, case.pk, reopen=True, reason=" ")
    assert no_reason.value.field == "reason"
    case = reviews.review(
        world.dispatcher, case.pk, reopen=True, reason="回访属实,路灯仍不亮", client_id="v1"
    )
    again = reviews.review(world.dispatcher, case.pk, reopen=False, reason="x", client_id="v1")
    assert again.state == State.IN_PROGRESS  # the resend changed nothing
    assert case.state == State.IN_PROGRESS and case.rework_count == 1
    assert (case.rating, case.rating_comment, case.evaluated_at) == ("", "", None)
    assert case.review_pending is False
    lead = case.assignments.get(role="lead")
    assert lead.state == AssignmentState.SIGNED and lead.due_at == case.due_at
    review = Review.objects.get()
    assert (review.status, review.reason, review.decided_by) == (
        Review.Status.REOPENED,
        "回访属实,路灯仍不亮",
        world.dispatcher,
    )
    event = case.events.get(action="review")
    assert (event.from_state, event.to_state, event.note) == (
        "evaluated",
        "in_progress",
        "回访属实,路灯仍不亮",
    )
    assert event.data["decision"] == "reopened"
    assert AuditRecord.objects.filter(action="cases.review").count() == 1
    assert Notification.objects.get(kind="review", department=world.police).case == case
    # Handled again, checked, closed: the reporter rates again.
    services.feedback(world.police_handler, case.pk, note="更换整套灯具")
    services.check(world.dispatcher, case.pk, passed=True)
    case = services.evaluate(world.resident, case.pk, rating="satisfied")
    assert case.rating == "satisfied" and not case.review_pending
    assert Review.objects.count() == 1


def test_r27_1_confirming_keeps_the_result_and_the_rating(world):
    case = unsatisfied(world)
    case = reviews.review(world.dispatcher, case.pk, reopen=False, reason="已按标准修复,经回访正常")
    assert case.state == State.EVALUATED and case.rating == "unsatisfied"
    assert not case.review_pending
    assert Review.objects.get().status == Review.Status.CONFIRMED
    assert "review" not in machine.available_actions(world.dispatcher, case)
    with pytest.raises(DomainError) as twice:
        reviews.review(world.dispatcher, case.pk, reopen=True, reason="x")
    assert twice.value.code == "no_review"
    assert worklists.queue_counts(world.dispatcher)["review"] == 0


def test_r27_1_a_case_settled_on_the_spot_is_confirmed_not_reopened(world):
    lng, lat = world.point
    case = services.intake(
        world.resident,
        ReportInput(lng=lng, lat=lat, matter=world.settle_code, description="占道摆摊"),
    ).case
    services.settle(world.worker, case.pk, note="已劝离")
    services.evaluate(world.resident, case.pk, rating="unsatisfied")
    with pytest.raises(DomainError) as refused:
        reviews.review(world.dispatcher, case.pk, reopen=True, reason="x")
    assert refused.value.code == "no_lead"
    assert Case.objects.get(pk=case.pk).review_pending is True  # nothing changed
    case = reviews.review(world.dispatcher, case.pk, reopen=False, reason="摊贩已离开")
    assert not case.review_pending


def test_r27_1_review_over_the_api(world):
    case = unsatisfied(world)
    client = APIClient()
    client.force_authenticate(world.dispatcher)
    url = f"/api/v1/cases/{case.pk}/review/"
    assert client.get(f"/api/v1/cases/{case.pk}/").json()["review_pending"] is True
    bad = client.post(url, {"reopen": True}, format="json")
    assert bad.status_code == 400 and "reason" in bad.json()["errors"]
    done = client.post(url, {"reopen": True, "reason": "回访属实"}, format="json")
    assert done.status_code == 200, done.content
    assert (done.json()["state"], done.json()["review_pending"]) == ("in_progress", False)


def test_r27_1_the_console_queue_and_the_case_page_review(world, client):
    case = unsatisfied(world)
    client.force_login(world.dispatcher)
    home = client.get(reverse("cases:console")).content.decode()
    assert 'id="count-review">1<' in home
    queue = client.get(reverse("cases:console"), {"queue": "review"}).content.decode()
    assert case.tracking_code in queue
    page = client.get(reverse("cases:case", args=[case.pk])).content.decode()
    assert 'value="review"' in page and "路灯还是不亮" in page
    act = reverse("cases:act", args=[case.pk])
    refused = client.post(act, {"action": "review", "reopen": "1", "reason": ""})
    assert refused.status_code == 400
    done = client.post(act, {"action": "review", "reopen": "1", "reason": "回访属实"})
    assert done.status_code == 302
    assert Case.objects.get(pk=case.pk).state == State.IN_PROGRESS
    home = client.get(reverse("cases:console")).content.decode()
    assert 'id="count-review">0<' in home


def test_r18_1_an_anonymous_reporter_rates_unsatisfied_and_follows_the_review(client, world):
    assert client.post("/public/report/", report_data(world)).status_code == 302
    case = Case.objects.get()
    services.verify(world.worker, case.pk)
    services.accept(world.dispatcher, case.pk)
    services.dispatch(world.dispatcher, case.pk, lead_department=world.police.pk, co_departments=[])
    services.sign(world.police_handler, case.pk)
    services.feedback(world.police_handler, case.pk, note="已处理")
    services.check(world.dispatcher, case.pk, passed=True)
    url = f"/public/track/{case.tracking_code}/"
    response = client.post(url, {"rating": "unsatisfied", "comment": "没修好", "client_id": "x"})
    assert response.status_code == 302
    body = client.get(url).content.decode()
    assert "网格化机构将复核" in body
    reviews.review(world.dispatcher, case.pk, reopen=True, reason="回访属实,请公安重新处理")
    body = client.get(url).content.decode()
    assert "经网格化机构复核,重新办理" in body
    assert "回访属实" not in body  # the reason is internal
