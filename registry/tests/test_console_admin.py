"""R22.1, R28.1: the registry's Django admin is scoped, saves through the services (audited)
and never shows or edits a personal number in clear."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audit.models import AuditRecord
from gridgov.testing import people as testing
from registry.tests import world as w

pytestmark = pytest.mark.django_db


def test_admin_shows_residents_masked_and_saves_through_the_service(client):
    number, phone = w.id_number(901), testing.mobile(901)
    person = w.resident(w.house(), name="管理甲", id_number=number, phone=phone)
    client.force_login(testing.make_user("agency_admin", "440703", username="adm_reg"))
    url = reverse("admin:registry_resident_change", args=[person.pk])
    page = client.get(url).content.decode()
    assert number not in page and phone not in page and person.id_number_masked in page
    assert 'name="id_number' not in page and 'name="phone' not in page
    response = client.post(url, {"name": "管理乙", "kind": "floating", "note": ""})
    assert response.status_code == 302, response.content.decode()[:500]
    person.refresh_from_db()
    assert person.name == "管理乙" and person.kind == "floating"
    record = AuditRecord.objects.filter(action="registry.resident.update").latest("pk")
    assert record.after["name"] == "管理乙"


def test_admin_hides_another_countys_records(client):
    person = w.resident(w.house(), name="外县丙")
    client.force_login(testing.make_user("agency_admin", "440704", username="adm_other"))
    listing = client.get(reverse("admin:registry_resident_changelist")).content.decode()
    assert "外县丙" not in listing
    page = client.get(reverse("admin:registry_resident_change", args=[person.pk]))
    assert page.status_code in {302, 404}
