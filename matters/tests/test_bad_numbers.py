"""Bad numbers in the matters endpoints' query strings answer 400 naming the parameter, never
a 500 nor another version than the one asked for (R9.2, R9.3, R28.1)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from matters.models import AdmissionListVersion
from matters.tests.conftest import PJ
from matters.tests.factories import make_published_list

BAD = ["¹", "²", "٣", "３", "1e20", "9" * 20, "-1", "x"]


@pytest.fixture
def published(people, catalogue):
    return make_published_list(PJ, ["0101", "0102"], filed=True)


@pytest.mark.parametrize("value", BAD)
def test_r9_2_public_list_download_refuses_a_bad_version(client, published, value):
    """``?version=¹`` was a 500 (isdigit() then int()); the list in force is not an answer."""
    response = client.get(f"/public/matters/{PJ}/list.xlsx", {"version": value})
    assert response.status_code == 400
    assert "version" in response.content.decode()


@pytest.mark.parametrize("value", BAD)
def test_r9_2_public_list_page_refuses_a_bad_version(client, published, value):
    assert client.get(f"/public/matters/{PJ}/", {"version": value}).status_code == 400


@pytest.mark.parametrize("param", ["version", "department"])
@pytest.mark.parametrize("value", BAD)
def test_r9_2_entries_filters_refuse_bad_numbers(people, published, param, value):
    api = APIClient()
    api.force_authenticate(people.pj_admin)
    response = api.get("/api/v1/matters/entries/", {param: value})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [param]


@pytest.mark.parametrize("value", ["¹", "３", "9" * 20])
def test_r9_2_catalogue_category_that_is_no_id_matches_nothing(people, published, value):
    api = APIClient()
    api.force_authenticate(people.pj_admin)
    response = api.get("/api/v1/matters/catalogue/items/", {"category": value})
    assert response.status_code == 200
    assert response.json()["results"] == []


@pytest.mark.parametrize("value", ["¹", "9" * 20, "0"])
def test_r9_3_list_xlsx_api_refuses_a_bad_version(people, published, value):
    api = APIClient()
    api.force_authenticate(people.pj_admin)
    url = f"/api/v1/matters/lists/{published.admission_list_id}/xlsx/"
    response = api.get(url, {"version": value})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["version"]


@pytest.mark.parametrize("body", [{"version": 1e20}, {"version": "¹"}, {"version": 1.5}])
def test_r9_1_publish_refuses_bad_version_numbers(people, published, body):
    api = APIClient()
    api.force_authenticate(people.pj_admin)
    before = list(AdmissionListVersion.objects.values_list("pk", "status"))
    url = f"/api/v1/matters/lists/{published.admission_list_id}/publish/"
    response = api.post(url, body, format="json")
    assert response.status_code == 400
    assert list(AdmissionListVersion.objects.values_list("pk", "status")) == before


def test_r9_1_publish_refuses_deep_json(people, published):
    api = APIClient()
    api.force_authenticate(people.pj_admin)
    url = f"/api/v1/matters/lists/{published.admission_list_id}/publish/"
    body = "[" * 10_000 + "]" * 10_000
    response = api.post(url, body, content_type="application/json")
    assert response.status_code == 400
