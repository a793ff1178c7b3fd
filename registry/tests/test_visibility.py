"""R22.1, R11.1 (二): who may see each kind of special group is a rule table
(registry.visibility), enforced by the one scoping mechanism: for EVERY kind and the
representative roles, scope_queryset shows the tag exactly when the table says so, and a
resident's answer never carries a tag the user may not see."""

from __future__ import annotations

import pytest

from gridgov.access import scoping
from gridgov.testing import people as testing
from registry.models import SpecialGroupTag
from registry.tests import world as w
from registry.visibility import RULES, SpecialGroupKind, kinds_visible_to

# (role, code, department kind): the representative staff of the resident's place.
ROLES = {
    "grid_worker": ("grid_worker_fulltime", w.GRID, None),
    "grid_leader": ("grid_leader", w.GRID, None),
    "village_committee": ("village_committee", w.VILLAGE, None),
    "township_dispatcher": ("dispatcher", "440703002", None),
    "county_admin": ("agency_admin", "440703", None),
    "police_handler": ("dept_handler", "440703", "police"),
    "health_handler": ("dept_handler", "440703", "health"),
    "civil_affairs_head": ("dept_head", "440703", "civil_affairs"),
    "justice_handler": ("dept_handler", "440703", "justice"),
    "housing_handler": ("dept_handler", "440703", "housing"),
}

# The table, spelled out for the kinds the regulation's explanation names (R11.1 (二)).
EXPECTED = {
    SpecialGroupKind.DRUG_RELATED: {
        "grid_worker", "grid_leader", "township_dispatcher", "county_admin", "police_handler"
    },
    SpecialGroupKind.SEVERE_MENTAL_DISORDER: {
        "township_dispatcher", "county_admin", "health_handler", "civil_affairs_head"
    },
}  # fmt: skip


def _expected(kind: str) -> set[str]:
    if kind in EXPECTED:
        return EXPECTED[kind]
    rule = RULES[kind]
    seen = {"township_dispatcher", "county_admin"}
    if rule.grid_workers:
        seen |= {"grid_worker", "grid_leader"}
    if rule.village_committee:
        seen.add("village_committee")
    departments = {
        "police_handler": "police",
        "health_handler": "health",
        "civil_affairs_head": "civil_affairs",
        "justice_handler": "justice",
        "housing_handler": "housing",
    }
    return seen | {name for name, code in departments.items() if code in rule.department_kinds}


def _user(name: str):
    role, code, department_kind = ROLES[name]
    if role == "grid_leader":
        user = testing.make_account(f"vis_{name}")
        testing.make_worker("leader", grid_code=code, user=user)
        return user
    return testing.make_user(
        role, code, username=f"vis_{name}", department_kind=department_kind or "police"
    )


def test_every_kind_has_a_rule_with_a_visit_frequency():
    assert set(RULES) == set(SpecialGroupKind.values)
    assert all(1 <= rule.visit_days <= 366 for rule in RULES.values())


@pytest.mark.django_db
def test_the_visibility_table_for_every_kind_and_role():
    """R22.1: each role sees exactly the kinds the table gives it, through scope_queryset."""
    resident = w.resident(w.house())
    tags = {kind: w.tag(resident, kind) for kind in SpecialGroupKind.values}
    users = {name: _user(name) for name in ROLES}
    failures = []
    for kind, tag in tags.items():
        for name, user in users.items():
            seen = scoping.in_scope(user, tag)
            if seen != (name in _expected(kind)):
                failures.append(f"{kind} × {name}: sees={seen}")
    assert not failures, failures


@pytest.mark.django_db
def test_nobody_outside_the_place_sees_a_tag_and_a_worker_of_another_grid_neither():
    resident = w.resident(w.house())
    w.tag(resident, SpecialGroupKind.ELDERLY_ALONE)
    outsider = testing.make_user("grid_worker_fulltime", "440703002101002", username="other_grid")
    foreign_police = testing.make_user(
        "dept_handler", "440784", username="heshan_police", department_kind="police"
    )
    for user in (outsider, foreign_police):
        assert not scoping.scope_queryset(user, SpecialGroupTag.objects.all()).exists()


def test_the_table_is_read_by_role_and_department_kind():
    assert SpecialGroupKind.DRUG_RELATED in kinds_visible_to("dept_handler", "police")
    assert SpecialGroupKind.DRUG_RELATED not in kinds_visible_to("dept_handler", "health")
    assert kinds_visible_to("auditor") == frozenset()
    assert kinds_visible_to("resident") == frozenset()


@pytest.mark.django_db
def test_a_residents_answer_never_shows_a_tag_the_user_may_not_see(client):
    resident = w.resident(w.house())
    w.tag(resident, SpecialGroupKind.DRUG_RELATED)
    w.tag(resident, SpecialGroupKind.SEVERE_MENTAL_DISORDER)
    health = _user("health_handler")
    worker = _user("grid_worker")
    for user, kinds in (
        (health, ["severe_mental_disorder"]),
        (worker, ["drug_related"]),
    ):
        client.force_login(user)
        listed = client.get("/api/v1/registry/residents/").json()["results"]
        shown = client.get(f"/api/v1/registry/residents/{resident.pk}/").json()
        assert [t["kind"] for t in listed[0]["tags"]] == kinds
        assert [t["kind"] for t in shown["tags"]] == kinds
        tags = client.get("/api/v1/registry/tags/").json()["results"]
        assert [t["kind"] for t in tags] == kinds


@pytest.mark.django_db
def test_a_role_may_not_record_a_kind_it_may_not_see(client):
    resident = w.resident(w.house())
    client.force_login(_user("grid_worker"))
    answer = client.post(
        "/api/v1/registry/tags/",
        {"resident": resident.pk, "kind": "severe_mental_disorder", "started_on": "2024-01-01"},
        content_type="application/json",
    )
    assert answer.status_code == 403
    assert not SpecialGroupTag.objects.exists()
