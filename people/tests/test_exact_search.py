"""R22.1: a search by a full ID-card or phone number is a reveal. Only roles that may reveal
may run it, over their jurisdiction; each search is in the personal-data access log (masked,
never in clear); it is rate-limited per user; refused attempts are logged too."""

from __future__ import annotations

import pytest
from django.test import Client

from audit.models import AuditRecord, PersonalDataAccess
from gridgov.access import roles as R
from gridgov.errors import Forbidden
from gridgov.testing.people import id_number, make_user, make_worker
from people import exact_search
from people.models import GridWorker

GRID = "440703002101001"
PHONE = "13800000005"


@pytest.fixture
def worker(db):
    return make_worker("fulltime", grid_code=GRID, seed=5)


def _logged_values() -> str:
    rows = PersonalDataAccess.objects.values_list("subject_repr", "field", "reason", "subject_id")
    return " ".join(" ".join(row) for row in rows)


def test_r22_1_a_grid_worker_cannot_use_the_exact_search_as_an_oracle(worker):
    """R22.1: the grid worker sees 138****0005 but cannot confirm guesses: API 403, web page
    403 with a message, export refused with a message; every attempt logged, masked."""
    grid_worker = make_user(R.Role.GRID_WORKER_FULLTIME, GRID)
    client = Client()
    client.force_login(grid_worker)
    listed = client.get("/api/v1/workers/").json()["results"]
    assert worker.personal_phone_masked in {w["personal_phone"] for w in listed}
    for guess in (PHONE, "13800000006", id_number(5)):
        response = client.get("/api/v1/workers/", {"match": guess})
        assert response.status_code == 403, response.content
        assert "查找" in response.json()["detail"]
    page = client.get("/people/", {"match": PHONE})
    assert page.status_code == 403
    assert "查找" in page.content.decode()
    assert worker.name not in page.content.decode()
    export = client.get("/people/workers/export/", {"match": PHONE}, follow=True)
    assert export.redirect_chain and "查找" in export.content.decode()
    refused = PersonalDataAccess.objects.filter(granted=False, actor=grid_worker)
    assert refused.count() == 5
    assert set(refused.values_list("subject_repr", flat=True)) == {
        "138****0005",
        "138****0006",
        "4407**********" + id_number(5)[-4:],
    }
    assert PHONE not in _logged_values() and id_number(5) not in _logged_values()
    # No clear number in the audit trail either (the refused export wrote no export record).
    assert PHONE not in " ".join(AuditRecord.objects.values_list("note", flat=True))


def test_r22_1_an_administrator_searches_and_each_search_is_logged(worker):
    """R22.1: an agency administrator finds the worker by the full number (API, web, export);
    each search writes one access row with the field and the masked value."""
    admin = make_user(R.Role.AGENCY_ADMIN, "440703", username="pj_admin")
    client = Client()
    client.force_login(admin)
    found = client.get("/api/v1/workers/", {"match": "138-0000-0005"}).json()["results"]
    assert [w["id"] for w in found] == [worker.pk]
    found = client.get("/api/v1/workers/", {"match": id_number(5)}).json()["results"]
    assert [w["id"] for w in found] == [worker.pk]
    assert worker.name in client.get("/people/", {"match": PHONE}).content.decode()
    export = client.get("/people/workers/export/", {"match": PHONE})
    assert export.status_code == 200
    assert worker.name in b"".join(export.streaming_content).decode("utf-8-sig")
    rows = list(PersonalDataAccess.objects.filter(actor=admin).order_by("pk"))
    assert [(r.field, r.subject_repr, r.granted) for r in rows] == [
        ("personal_phone", "138****0005", True),
        ("id_number", "4407**********" + id_number(5)[-4:], True),
        ("personal_phone", "138****0005", True),
        ("personal_phone", "138****0005", True),
    ]
    assert {(r.subject_type, r.subject_id, r.role) for r in rows} == {
        ("people.gridworker", exact_search.SUBJECT_ID, "agency_admin")
    }
    assert PHONE not in _logged_values()
    # A malformed or partial number searches nothing and is no personal search.
    assert client.get("/api/v1/workers/", {"match": "1380000"}).json()["results"] == []
    # Name searches are unchanged and unlogged.
    assert client.get("/api/v1/workers/", {"q": worker.name}).json()["count"] == 1
    assert PersonalDataAccess.objects.filter(actor=admin).count() == 4


def test_r22_1_exact_searches_are_rate_limited_per_user(worker, settings):
    """R22.1: past the limit, 429 with Retry-After and a clear message (API), a message (web);
    another administrator is not affected."""
    settings.GRIDGOV_PERSONAL_SEARCH_LIMIT = 3
    admin = make_user(R.Role.AGENCY_ADMIN, "440703")
    client = Client()
    client.force_login(admin)
    for _ in range(3):
        assert client.get("/api/v1/workers/", {"match": PHONE}).status_code == 200
    limited = client.get("/api/v1/workers/", {"match": PHONE})
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) > 0
    assert "频繁" in limited.json()["detail"]
    page = client.get("/people/", {"match": PHONE})
    assert page.status_code == 429 and "频繁" in page.content.decode()
    assert PersonalDataAccess.objects.filter(actor=admin, granted=False).count() == 2
    other = Client()
    other.force_login(make_user(R.Role.AGENCY_ADMIN, "440703"))
    assert other.get("/api/v1/workers/", {"match": PHONE}).status_code == 200


def test_r22_1_the_search_finds_only_where_the_user_may_reveal(db):
    """R22.1: a 蓬江 administrator who also dispatches in 鹤山 sees 鹤山's workers (masked) but
    does not find them by number."""
    heshan_worker = make_worker("fulltime", grid_code="440784001001001", seed=7)
    user = make_user(R.Role.AGENCY_ADMIN, "440703")
    make_user(R.Role.DISPATCHER, "440784", user=user)
    queryset = GridWorker.objects.all()
    assert not exact_search.exact_search(user, queryset, "13800000007").exists()
    heshan_admin = make_user(R.Role.AGENCY_ADMIN, "440784")
    assert list(exact_search.exact_search(heshan_admin, queryset, "13800000007")) == [heshan_worker]
    dispatcher = make_user(R.Role.DISPATCHER, "440784")
    with pytest.raises(Forbidden):
        exact_search.exact_search(dispatcher, queryset, "13800000007")


def test_r22_1_the_mechanism_is_generic_over_protected_fields():
    """R22.1: any model's PROTECTED_FIELDS and digest columns are searched the same way."""

    class Person:
        PROTECTED_FIELDS = {
            "reporter_phone": ("mobile", "x.reporter_phone"),
            "contact_phone": ("mobile", "x.contact_phone"),
            "id_number": ("id_number", "x.id_number"),
        }

    search = exact_search.parse(Person, "+86 138 0000 0005")
    assert (search.kind, search.fields, search.masked) == (
        "mobile",
        ("reporter_phone", "contact_phone"),
        "138****0005",
    )
    assert exact_search.parse(Person, "张三") is None
