"""The tracking page shows what the departments did before it asks for a rating (R18.1,
R24.3, R25.1): their public result notes and the photos they marked public; internal notes,
internal photos and personal data stay off it."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from cases import services
from cases.inputs import ReportInput
from cases.models import Attachment, Case, State
from cases.tests.conftest import photo, photo_bytes
from cases.tests.test_portal import report_data
from gridgov.errors import DomainError

pytestmark = pytest.mark.django_db

PUBLIC_NOTE = "已更换路口三盏路灯,夜间照明恢复正常"
INTERNAL_NOTE = "张三师傅到场,电话联系物业王经理"
CO_PUBLIC = "已清理路灯下的占道杂物"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def resident_case(client, world) -> Case:
    assert client.post("/public/report/", report_data(world)).status_code == 302
    case = Case.objects.get()
    services.verify(world.worker, case.pk)
    services.accept(world.dispatcher, case.pk)
    services.dispatch(world.dispatcher, case.pk)  # police lead, urban co
    services.sign(world.police_handler, case.pk)
    services.sign(world.urban_handler, case.pk)
    return case


def fed_back(client, world) -> Case:
    case = resident_case(client, world)
    services.feedback(world.urban_handler, case.pk, note="协助清理", public_note=CO_PUBLIC)
    return services.feedback(
        world.police_handler,
        case.pk,
        note=INTERNAL_NOTE,
        photos=[photo("inside.jpg", color="green")],
        public_note=PUBLIC_NOTE,
        public_photos=[photo("done.jpg", color="blue")],
    )


def page(client, case) -> str:
    response = client.get(f"/public/track/{case.tracking_code}/")
    assert response.status_code == 200
    return response.content.decode()


def test_r24_3_the_tracking_page_shows_the_public_result_before_the_rating_form(client, world):
    case = fed_back(client, world)
    services.check(world.dispatcher, case.pk, passed=True, note="李四核查通过")
    body = page(client, case)
    assert PUBLIC_NOTE in body and CO_PUBLIC in body
    assert body.index(PUBLIC_NOTE) < body.index(CO_PUBLIC)  # the lead first (R25.1)
    # shown first, then asked
    assert body.index('class="results"') < body.index(PUBLIC_NOTE) < body.index('name="rating"')
    for private in (INTERNAL_NOTE, "张三", "王经理", "李四", "inside.jpg", "done.jpg"):
        assert private not in body
    public = Attachment.objects.get(public=True)
    internal = Attachment.objects.get(public=False, original_name="inside.jpg")
    assert reverse("public-track-photo", args=[case.tracking_code, public.pk]) in body
    assert f"/{internal.pk}" not in body.split("办理结果", 1)[1]


def test_r24_3_only_public_photos_are_served_to_the_public_and_only_by_their_code(client, world):
    case = fed_back(client, world)
    public = Attachment.objects.get(public=True)
    internal = Attachment.objects.get(original_name="inside.jpg")
    reported = Attachment.objects.filter(event__action="report")
    url = reverse("public-track-photo", args=[case.tracking_code, public.pk])
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content) == photo_bytes("blue")
    assert "done.jpg" not in response["Content-Disposition"]
    for other in [internal, *reported]:
        path = reverse("public-track-photo", args=[case.tracking_code, other.pk])
        assert client.get(path).status_code == 404
    other_case = resident_case_without_feedback(world)
    wrong_code = reverse("public-track-photo", args=[other_case.tracking_code, public.pk])
    assert client.get(wrong_code).status_code == 404
    # Checked failed, back in progress: the earlier result is no longer shown or served.
    services.check(world.dispatcher, case.pk, passed=False, note="仍不亮")
    assert client.get(url).status_code == 404
    assert PUBLIC_NOTE not in page(client, case)


def resident_case_without_feedback(world) -> Case:
    lng, lat = world.point
    return services.intake(
        world.worker, ReportInput(lng=lng, lat=lat, matter=world.entry_code, description="另一件")
    ).case


def test_r24_3_a_rework_result_replaces_the_earlier_one(client, world):
    case = fed_back(client, world)
    services.check(world.dispatcher, case.pk, passed=False, note="仍不亮")
    services.feedback(world.police_handler, case.pk, note="换灯具", public_note="已更换整套灯具")
    body = page(client, case)
    assert "已更换整套灯具" in body and PUBLIC_NOTE not in body and CO_PUBLIC in body


@pytest.mark.parametrize(
    "note",
    ["请联系13912345678", "联系人 139 1234 5678", "身份证44070319900101123X", "x" * 1001],
)
def test_r24_3_a_public_note_with_personal_data_is_refused(client, world, note):
    case = resident_case(client, world)
    events = case.events.count()
    with pytest.raises(DomainError) as refused:
        services.feedback(world.police_handler, case.pk, note="内部说明", public_note=note)
    assert refused.value.field == "public_note"
    assert case.events.count() == events
    assert Case.objects.get(pk=case.pk).state == State.IN_PROGRESS


def test_r24_3_public_result_over_the_api_and_the_web_form(client, world):
    case = resident_case(client, world)
    api = APIClient()
    api.force_authenticate(world.urban_handler)
    response = api.post(
        f"/api/v1/cases/{case.pk}/feedback/",
        {"note": "协助", "public_note": "电话 13912345678"},
        format="json",
    )
    assert response.status_code == 400 and "public_note" in response.json()["errors"]
    response = api.post(
        f"/api/v1/cases/{case.pk}/feedback/",
        {"note": "协助清理", "public_note": CO_PUBLIC, "public_photos": [photo("a.jpg")]},
        format="multipart",
    )
    assert response.status_code == 200, response.content
    co = next(a for a in response.json()["assignments"] if a["role"] == "co")
    assert co["public_result"] == CO_PUBLIC
    assert [a["public"] for a in response.json()["attachments"]][-1] is True

    client.force_login(world.police_handler)
    page_html = client.get(reverse("cases:dept-case", args=[case.pk])).content.decode()
    assert 'name="public_note"' in page_html and 'name="public_photos"' in page_html
    response = client.post(
        reverse("cases:dept-act", args=[case.pk]),
        {
            "action": "feedback",
            "note": INTERNAL_NOTE,
            "public_note": PUBLIC_NOTE,
            "public_photos": [photo("b.jpg", color="blue")],
        },
    )
    assert response.status_code == 302
    lead = Case.objects.get(pk=case.pk).assignments.get(role="lead")
    assert (lead.feedback, lead.public_result) == (INTERNAL_NOTE, PUBLIC_NOTE)
    assert Attachment.objects.filter(public=True).count() == 2
    client.logout()
    body = page(client, case)
    assert PUBLIC_NOTE in body and INTERNAL_NOTE not in body


def test_r26_2_public_photos_are_in_the_archive_manifest(client, world):
    case = fed_back(client, world)
    event = case.events.filter(action="feedback").order_by("-seq").first()
    manifest = {m["name"]: m for m in event.data["attachments"]}
    assert manifest["done.jpg"]["public"] is True and "public" not in manifest["inside.jpg"]
    assert event.data["public_note"] == PUBLIC_NOTE
    from cases import archive

    assert list(archive.verify([case.pk])) == []
