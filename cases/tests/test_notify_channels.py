"""Outside channels: SMS progress messages to residents (issue 10; R18.1, R22.1, R28.1).

A reporter who gave a mobile phone and agreed gets one SMS when the case is accepted,
dispatched, handled and closed (the last asking for a rating), each with the tracking code.
Each message is a keyed delivery sent by a background task after the step commits, through
the backend the ``GRIDGOV_SMS_BACKEND`` setting names (default: a log of masked numbers),
retried on temporary failures, logged for administrators; the phone is decrypted only by the
system-side sender, and each use is in the personal-data access log.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.utils import timezone, translation

from audit.models import PersonalDataAccess
from cases import services
from cases.inputs import ReportInput
from cases.models import Case
from cases.notify import channels, sms, tasks
from cases.notify.models import Delivery, DeliveryStatus
from cases.tests.test_portal import closed_case, report_data
from gridgov.access import roles as R
from gridgov.testing import people

pytestmark = pytest.mark.django_db

PHONE = "13912345678"
MASKED = "139****5678"


class FlakyBackend(sms.BaseSmsBackend):
    """A gateway that is down for the first ``failures`` messages (a deployment's backend is
    plugged in by its dotted path the same way)."""

    failures = 0
    permanent = False
    sent: list[tuple[str, str, str]] = []

    def send(self, phone: str, text: str, *, key: str) -> str:
        if FlakyBackend.failures > 0:
            FlakyBackend.failures -= 1
            raise sms.SmsError("gateway timeout", temporary=not FlakyBackend.permanent)
        FlakyBackend.sent.append((phone, text, key))
        return f"gw-{len(FlakyBackend.sent)}"


@pytest.fixture
def memory_sms(settings):
    """SMS into a list; tasks run at once (after commit)."""
    settings.GRIDGOV_SMS_BACKEND = "cases.notify.sms.MemorySmsBackend"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


@pytest.fixture
def flaky_sms(settings):
    settings.GRIDGOV_SMS_BACKEND = f"{__name__}.FlakyBackend"
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    FlakyBackend.failures, FlakyBackend.permanent, FlakyBackend.sent = 0, False, []
    return FlakyBackend


def portal_report(world: Any, *, consent: bool = True, phone: str = PHONE) -> Case:
    lng, lat = world.point
    return services.intake(
        None,
        ReportInput(
            channel="portal",
            lng=lng,
            lat=lat,
            matter=world.entry_code,
            description="小区门口路灯坏了一周",
            reporter_phone=phone,
            progress_sms=consent,
        ),
    ).case


def test_r18_1_a_consenting_reporter_gets_an_sms_at_each_step(
    world, memory_sms, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = portal_report(world)
        closed_case(world, case)
    texts = [m["text"] for m in memory_sms]
    assert len(texts) == 4, texts
    assert all(case.tracking_code in m["text"] and m["phone"] == PHONE for m in memory_sms)
    assert "已受理" in texts[0] and "已派遣" in texts[1] and "已办理" in texts[2]
    assert "已办结" in texts[3] and "评价" in texts[3]  # asked to rate
    rows = Delivery.objects.filter(case=case).order_by("pk")
    assert [d.key.rsplit(":", 1)[1] for d in rows] == [
        "accepted",
        "dispatched",
        "handled",
        "closed",
    ]
    assert {(d.status, d.recipient_masked, d.attempts) for d in rows} == {("sent", MASKED, 1)}
    assert all(d.backend == "cases.notify.sms.MemorySmsBackend" for d in rows)
    # the phone is decrypted by the system for each message, and each time is on the log
    uses = PersonalDataAccess.objects.filter(subject_id=str(case.pk), field="reporter_phone")
    assert uses.count() == 4 and {u.actor_name for u in uses} == {"system:sms"}


def test_r18_1_no_sms_without_consent_or_without_a_phone(
    world, memory_sms, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        closed_case(world, portal_report(world, consent=False))
        closed_case(world, portal_report(world, phone=""))
    assert memory_sms == [] and not Delivery.objects.exists()
    assert Case.objects.filter(progress_sms=True).count() == 0


def test_r18_1_a_step_taken_again_sends_nothing_new(
    world, memory_sms, django_capture_on_commit_callbacks
):
    """A return and a second dispatch, a rework: one SMS per kind of step, ever."""
    with django_capture_on_commit_callbacks(execute=True):
        case = portal_report(world)
        services.verify(world.worker, case.pk)
        services.accept(world.dispatcher, case.pk)
        services.dispatch(world.dispatcher, case.pk)
        services.return_case(world.police_handler, case.pk, reason="不属于本部门职责范围")
        services.dispatch(
            world.dispatcher,
            case.pk,
            lead_department=world.police.pk,
            ruling="经研究属公安职责,维持原派遣",
        )
    assert [m["key"].rsplit(":", 1)[1] for m in memory_sms] == ["accepted", "dispatched"]


def test_r18_1_the_sms_speaks_the_platforms_language_not_the_staff_members(
    world, memory_sms, django_capture_on_commit_callbacks
):
    case = portal_report(world)
    services.verify(world.worker, case.pk)
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        services.accept(world.dispatcher, case.pk)
    assert "已受理" in memory_sms[0]["text"]


def test_r18_1_a_rolled_back_step_sends_nothing(world, memory_sms):
    case = portal_report(world)
    services.verify(world.worker, case.pk)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.accept(world.dispatcher, case.pk)
        raise RuntimeError("the request failed after the step")
    assert not Delivery.objects.exists() and memory_sms == []


def test_r22_1_the_default_backend_logs_the_masked_number_only(
    world, settings, caplog, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    assert settings.GRIDGOV_SMS_BACKEND == sms.DEFAULT_BACKEND
    case = portal_report(world)
    services.verify(world.worker, case.pk)
    with caplog.at_level(logging.INFO), django_capture_on_commit_callbacks(execute=True):
        services.accept(world.dispatcher, case.pk)
    logged = " ".join(r.getMessage() for r in caplog.records if r.name == "gridgov.sms")
    assert MASKED in logged and case.tracking_code in logged
    assert PHONE not in caplog.text
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.provider_ref) == ("sent", f"logged:{delivery.key}")


def _accepted(world: Any) -> Delivery:
    case = portal_report(world)
    services.verify(world.worker, case.pk)
    services.accept(world.dispatcher, case.pk)
    return Delivery.objects.get(case=case)


def test_r18_1_a_temporary_failure_is_retried_later_then_sent_once(
    world, flaky_sms, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    flaky_sms.failures = 1
    delivery = _accepted(world)
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.deliver(delivery.pk, now) == "pending"
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.last_error) == (1, "gateway timeout")
    assert delivery.next_attempt_at == now + tasks.RETRY_DELAYS[0]
    retry = DBTaskResult.objects.get(task_path="cases.notify.tasks.send_delivery")
    assert (retry.run_after, retry.args_kwargs["args"]) == (delivery.next_attempt_at, [delivery.pk])
    assert tasks.deliver(delivery.pk, now) == "not_due"  # an early duplicate job
    later = now + dt.timedelta(minutes=2)
    assert tasks.deliver(delivery.pk, later) == "sent"
    assert tasks.deliver(delivery.pk, later) == "sent"  # a job run twice sends once
    assert [key for _phone, _text, key in flaky_sms.sent] == [delivery.key]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.provider_ref) == ("sent", 2, "gw-1")


def test_r18_1_a_permanent_refusal_or_too_many_failures_fail_the_delivery(world, flaky_sms):
    flaky_sms.failures, flaky_sms.permanent = 1, True
    refused = _accepted(world)
    assert tasks.deliver(refused.pk) == "failed"
    flaky_sms.failures, flaky_sms.permanent = 99, False
    down = _accepted(world)
    moment = timezone.now()
    for _ in range(tasks.MAX_ATTEMPTS):
        tasks.deliver(down.pk, moment)
        moment += dt.timedelta(days=1)
    down.refresh_from_db()
    assert (down.status, down.attempts, down.next_attempt_at) == ("failed", 6, None)
    assert flaky_sms.sent == []


def test_r18_1_the_sweep_sends_what_no_job_sent(world, flaky_sms):
    """A job lost (or never enqueued: Redis down) is made up for by ``send_deliveries``."""
    delivery = _accepted(world)
    assert Delivery.objects.get(pk=delivery.pk).status == DeliveryStatus.PENDING
    out = io.StringIO()
    call_command("send_deliveries", stdout=out)
    call_command("send_deliveries", stdout=out)
    assert out.getvalue().splitlines() == ["1 deliveries due: 1 sent", "0 deliveries due"]
    assert len(flaky_sms.sent) == 1


def test_r18_1_a_delivery_without_consent_any_more_is_skipped(world, flaky_sms):
    delivery = _accepted(world)
    Case.objects.filter(pk=delivery.case_id).update(progress_sms=False)
    assert tasks.deliver(delivery.pk) == "skipped"
    assert flaky_sms.sent == []


def test_r18_1_the_portal_asks_for_consent(client, world, memory_sms):
    client.post("/public/report/", report_data(world, progress_sms="1"))
    client.post("/public/report/", report_data(world, client_id="another-report"))
    assert list(Case.objects.order_by("pk").values_list("progress_sms", flat=True)) == [
        True,
        False,
    ]
    assert 'name="progress_sms"' in client.get("/public/report/").content.decode()


def test_r22_1_administrators_read_the_delivery_log_masked(world, flaky_sms):
    delivery = _accepted(world)
    tasks.deliver(delivery.pk)
    admin = people.make_user(R.Role.AGENCY_ADMIN, "440703", username="pj_admin")
    client = Client()
    client.force_login(admin)
    page = client.get("/admin/cases/delivery/")
    body = page.content.decode()
    assert page.status_code == 200 and MASKED in body and PHONE not in body
    foreign = people.make_user(R.Role.AGENCY_ADMIN, "440784", username="hs_admin")
    client.force_login(foreign)
    assert MASKED not in client.get("/admin/cases/delivery/").content.decode()
    client.force_login(world.dispatcher)
    assert client.get("/admin/cases/delivery/").status_code in {302, 403}


def test_r18_1_outside_channels_are_looked_up_by_name():
    assert isinstance(channels.outside("sms"), channels.SmsChannel)
    assert channels.outside("pigeon") is None
