"""The case page, its timeline and the PDF read as people read (R26.2): names rather than
account names or "AnonymousUser", actions and states in the reader's language (Chinese by
default, English on request), times in Asia/Shanghai."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from cases import labels, primitives, services
from cases.models import Case
from cases.tests.test_archive import pdf_text
from cases.tests.test_portal import report_data

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def named(world):
    """Accounts with names, one without (the role stands in for it)."""
    for user, name in (
        (world.worker, "陈网格"),
        (world.dispatcher, "王调度"),
        (world.police_handler, "李办理"),
    ):
        user.full_name = name
        user.save(update_fields=["full_name"])
    world.urban_handler.full_name = ""
    world.urban_handler.save(update_fields=["full_name"])
    return world


def at(days_ago: int, hour_utc: int) -> dt.datetime:
    day = timezone.now().date() - dt.timedelta(days=days_ago)
    return dt.datetime.combine(day, dt.time(hour_utc, 30), tzinfo=dt.UTC)


def a_case(client, world) -> Case:
    """Reported by a resident without an account; verified, accepted, dispatched, signed and
    fed back at known moments (01:30 UTC = 09:30 in Shanghai); urgent-checked by the system."""
    with primitives.acting_at(at(3, 1)):
        assert client.post("/public/report/", report_data(world)).status_code == 302
    case = Case.objects.get()
    with primitives.acting_at(at(3, 2)):
        services.verify(world.worker, case.pk)
        services.accept(world.dispatcher, case.pk)
    with primitives.acting_at(at(2, 1)):
        services.dispatch(world.dispatcher, case.pk)
        services.sign(world.police_handler, case.pk)
        services.sign(world.urban_handler, case.pk)
        services.feedback(world.urban_handler, case.pk, note="协助清理")
        services.feedback(world.police_handler, case.pk, note="已更换灯具")
    with primitives.acting_at(at(1, 1)):
        services.check("system", case.pk, passed=True, note="自动核查")
    return case


def test_r26_2_the_labels_name_people_and_their_roles(named):
    with translation.override("zh-hans"):
        assert labels.person(named.dispatcher) == "王调度"
        assert labels.person(named.urban_handler, "dept_handler") == "联动部门经办人"
        assert labels.person(None) == "系统"
    with translation.override("en"):
        assert labels.person(None) == "System"
        assert not CJK.search(labels.person(named.urban_handler, "dept_handler"))


def test_r26_2_the_case_page_shows_names_local_times_and_chinese_labels(client, named):
    case = a_case(client, named)
    staff = APIClient()
    staff.force_login(named.dispatcher)
    page = staff.get(reverse("cases:case", args=[case.pk])).content.decode()
    timeline = page.split('class="timeline"', 1)[1]
    for name in ("居民", "陈网格", "王调度", "李办理", "联动部门经办人", "系统"):
        assert name in timeline, name
    for account in ("AnonymousUser", "police_handler", "urban_handler", ">dispatcher", ">test<"):
        assert account not in timeline, account
    assert f"{at(2, 1).astimezone(timezone.get_default_timezone()):%Y-%m-%d} 09:30" in timeline
    for label in ("上报", "派遣", "核查结案", "已派遣", "处置中"):
        assert label in timeline
    # the head an exported file is compared with (docs/archive.md)
    assert Case.objects.get(pk=case.pk).archive_head in page


def test_r26_2_the_case_page_in_english(client, named):
    case = a_case(client, named)
    staff = APIClient()
    staff.force_login(named.dispatcher)
    page = staff.get(
        reverse("cases:case", args=[case.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    timeline = page.split('class="timeline"', 1)[1]
    assert "Resident" in timeline and "System" in timeline and "王调度" in timeline
    with translation.override("en"):
        for text in (labels.event_label("dispatch"), labels.state_label("dispatched")):
            assert not CJK.search(text) and text in timeline
    assert "AnonymousUser" not in timeline


def pdf(client, case, language: str) -> str:
    api = APIClient()
    api.force_authenticate(case.__class__.objects.get(pk=case.pk).assignments.first().signed_by)
    response = api.get(f"/api/v1/cases/{case.pk}/export.pdf/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return pdf_text(response.content)


def test_r26_2_the_pdf_shows_names_local_times_and_chinese_labels(client, named):
    case = a_case(client, named)
    text = pdf(client, case, "zh-hans")
    for expected in ("居民", "王调度", "李办理", "系统", "派遣", "核查结案", "已派遣 → 处置中"):
        assert expected in text, expected
    local = f"{at(2, 1).astimezone(timezone.get_default_timezone()):%Y-%m-%d} 09:30"
    assert local in text
    assert f"{at(2, 1):%Y-%m-%d} 01:30" not in text  # not UTC
    for raw in ("AnonymousUser", "police_handler", "dept_handler", "in_progress", "feedback"):
        assert raw not in text, raw


def test_r26_2_the_pdf_in_english(client, named):
    case = a_case(client, named)
    text = pdf(client, case, "en")
    with translation.override("en"):
        expected = [
            labels.event_label("dispatch"),
            labels.event_label("check"),
            labels.state_label("closed"),
            labels.role_label("dispatcher"),
            str(labels.RESIDENT),
            str(labels.SYSTEM),
        ]
    for label in expected:
        # (a label may wrap in its table cell: each word is drawn on its own)
        assert not CJK.search(label) and all(w in text for w in label.split()), label
    assert "王调度" in text  # names are data: never translated
    assert "AnonymousUser" not in text and "09:30" in text
