"""R22.1: the one scoping function and the declarations it relies on."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import models

from gridgov.access import roles as R
from gridgov.access import scoping
from gridgov.testing.people import make_user, make_worker
from people.grants import PeopleGrants
from people.models import GridWorker

# Models no user reaches through a scoped view, and why.
UNSCOPED_MODELS = {
    "demo.demostep": "bookkeeping of the demo loader",
    "workdays.calendarday": "the public working-day calendar",
}
PROJECT_APPS = {"people", "audit", "regions", "demo", "workdays", "matters", "cases", "fieldwork",
                "registry", "insights", "interop", "workbench"}  # fmt: skip


def test_every_project_model_declares_how_it_is_scoped():
    """A model without a rule fails loudly instead of being visible by accident."""
    missing = [
        m._meta.label_lower
        for m in apps.get_models()
        if m._meta.app_label in PROJECT_APPS
        and not scoping.has_rule(m)
        and m._meta.label_lower not in UNSCOPED_MODELS
        and not m._meta.auto_created
    ]
    assert not missing, f"declare a scope_rule (gridgov.access.scoping.ScopeRule) for: {missing}"


def test_a_model_without_a_rule_raises():
    class Loose(models.Model):  # noqa: DJ008
        class Meta:
            app_label = "people"
            managed = False

    with pytest.raises(ImproperlyConfigured, match="declares no scope_rule"):
        scoping.scope_queryset(None, Loose.objects.all())


def test_minimal_prefixes():
    assert scoping.minimal_prefixes(["440703", "4407", "440784001", ""]) == ("4407",)
    assert scoping.minimal_prefixes(["440703002", "440784"]) == ("440703002", "440784")


@pytest.mark.django_db
def test_scope_follows_jurisdiction_and_role():
    inside = make_worker("fulltime", grid_code="440703002101001")
    make_worker("fulltime", grid_code="440784001001001")
    dispatcher = make_user(R.Role.DISPATCHER, "440703002")
    assert list(scoping.scope_queryset(dispatcher, GridWorker.objects.all())) == [inside]
    assert not scoping.scope_queryset(dispatcher, GridWorker.objects.all(), action="change")
    auditor = make_user(R.Role.AUDITOR, "4407")
    assert not scoping.scope_queryset(auditor, GridWorker.objects.all()).exists()
    resident = make_user(R.Role.RESIDENT)
    assert not scoping.scope_queryset(resident, GridWorker.objects.all()).exists()


@pytest.mark.django_db
def test_roles_from_expired_assignments_do_not_count():
    from django.utils import timezone

    from people.models import RoleAssignment

    dispatcher = make_user(R.Role.DISPATCHER, "440703002")
    RoleAssignment.objects.update(valid_to=timezone.now())
    scoping.forget_roles(dispatcher)
    assert scoping.user_roles(dispatcher) == []
    dispatcher.is_active = False
    assert scoping.user_roles(dispatcher) == []


@pytest.mark.django_db
def test_home_code_files_personal_records_where_their_auditors_look():
    from gridgov.testing.people import ensure_region

    user = make_user(R.Role.DISPATCHER, "440703002")
    assert scoping.home_code(user) == "440703002"
    ensure_region("440784")
    from people import services

    services.grant_role("test", user, R.Role.AUDITOR, region_code="440784")
    scoping.forget_roles(user)
    assert scoping.home_code(user) == "4407"
    assert scoping.home_code(make_user(R.Role.RESIDENT)) == ""


@pytest.mark.django_db
def test_grants_come_from_the_registered_source_and_none_without_one():
    """R22.1 deny by default: the core keeps no grants of its own; the people app's source
    (registered at start-up) gives them, and without a source nobody holds a role."""
    user = make_user(R.Role.DISPATCHER, "440703002", username="disp")
    assert {g.role for g in scoping.user_roles(user)} == {R.Role.DISPATCHER}
    scoping.set_grant_source(None)
    try:
        fresh = type(user).objects.get(pk=user.pk)
        assert scoping.user_roles(fresh) == []
        assert not scoping.has_role(fresh, R.Role.DISPATCHER)
    finally:
        scoping.set_grant_source(PeopleGrants())
    again = type(user).objects.get(pk=user.pk)
    assert scoping.has_role(again, R.Role.DISPATCHER, region_code="440703002")
