"""R22.1: the Django admin goes through the same scoping as the API and the web pages."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from audit.models import AuditRecord
from gridgov.access import roles as R
from gridgov.access.admin import ScopedModelAdmin
from gridgov.testing import world as tw
from gridgov.testing.people import make_user
from people.models import GridAgency, GridWorker

# Admins that stay outside the scoping, and why. They keep Django's model permissions, which
# no role grants, so only the deployment's superuser reaches them.
UNSCOPED_ADMINS: dict[str, str] = {
    "workdays.CalendarDay": "the national working-day calendar: public reference data",
    "workdays.CalendarYear": "the national working-day calendar: public reference data",
    "django_tasks_database.DBTaskResult": "background-task results: operations, superuser only",
}


def test_every_admin_of_the_project_is_scoped():
    """A ModelAdmin that is not a ScopedModelAdmin would be a second way in."""
    unscoped = [
        model._meta.label
        for model, model_admin in admin.site._registry.items()
        if not isinstance(model_admin, ScopedModelAdmin)
        and model._meta.label not in UNSCOPED_ADMINS
    ]
    assert not unscoped, f"unscoped admins: {unscoped} (derive from ScopedModelAdmin)"


@pytest.mark.django_db
def test_unscoped_admins_are_closed_to_every_role(client):
    """The allow-listed admins rely on Django permissions that no role grants."""
    user = make_user(R.Role.SYSADMIN, "4407", username="sys")
    client.force_login(user)
    for model in admin.site._registry:
        if model._meta.label in UNSCOPED_ADMINS:
            info = (model._meta.app_label, model._meta.model_name)
            response = client.get(reverse("admin:{}_{}_changelist".format(*info)))
            assert response.status_code == 403, model._meta.label


ADMIN_ROLES = [R.Role.SYSADMIN, R.Role.AGENCY_ADMIN, R.Role.AUDITOR]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ADMIN_ROLES)
def test_admin_lists_and_pages_hide_foreign_objects(role, client):
    """R22.1: change lists show no foreign object; a foreign object's page is not found."""
    tw.load_app_factories()
    world = tw.World().build()
    user = tw.person_with_role(role)
    assert user.is_staff, "admin roles get admin-site access"
    client.force_login(user)
    client.raise_request_exception = False
    foreign = tw.foreign_zones(user)
    markers = [f"Mark{z.key}" for z in foreign]
    failures = []
    for model, model_admin in admin.site._registry.items():
        if not isinstance(model_admin, ScopedModelAdmin):
            continue
        info = (model._meta.app_label, model._meta.model_name)
        response = client.get(reverse("admin:{}_{}_changelist".format(*info)))
        if response.status_code == 200:
            leaked = [m for m in markers if m in response.content.decode()]
            if leaked:
                failures.append(f"{model._meta.label} change list shows {leaked}")
        elif response.status_code != 403:
            failures.append(f"{model._meta.label} change list → {response.status_code}")
        label = model._meta.label_lower
        if label not in tw.FACTORIES or model_admin.__class__.__name__ == "DepartmentKindAdmin":
            continue
        for zone in foreign:
            obj = world.get(label, zone)
            url = reverse("admin:{}_{}_change".format(*info), args=[obj.pk])
            response = client.get(url)
            # The admin answers an invisible object with a redirect to its index ("does not
            # exist"), or 403 when the model is not open to the role at all.
            if response.status_code not in {302, 403, 404}:
                failures.append(f"GET {url} (zone {zone.key}) → {response.status_code}")
            response = client.post(url, {"name": "changed"})
            if response.status_code not in {302, 403, 404}:
                failures.append(f"POST {url} (zone {zone.key}) → {response.status_code}")
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
def test_admin_changes_go_through_services_and_are_audited(client):
    """R28.1: an agency changed in the admin leaves an audit record like any other change."""
    admin_user = make_user(R.Role.AGENCY_ADMIN, "440703", username="pj_admin")
    agency = GridAgency.objects.get(region__code="440703")
    client.force_login(admin_user)
    url = reverse("admin:people_gridagency_change", args=[agency.pk])
    response = client.post(
        url,
        {
            "name": "蓬江区网格化服务管理中心(新)",
            "address": "",
            "office_phone": "0750-3270000",
            "supervision_phone": "0750-3279999",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    agency.refresh_from_db()
    assert agency.supervision_phone == "0750-3279999"
    record = AuditRecord.objects.filter(action="people.agency.update").latest("pk")
    assert record.actor == admin_user
    assert record.after["supervision_phone"] == "0750-3279999"


@pytest.mark.django_db
def test_admin_refusal_is_a_message_not_a_crash(client):
    """Bad input in the admin: a clear message, nothing changed."""
    admin_user = make_user(R.Role.AGENCY_ADMIN, "440703", username="pj_admin")
    agency = GridAgency.objects.get(region__code="440703")
    client.force_login(admin_user)
    url = reverse("admin:people_gridagency_change", args=[agency.pk])
    response = client.post(
        url, {"name": "x", "supervision_phone": "not a phone", "is_active": "on"}, follow=True
    )
    assert response.status_code == 200
    assert "电话号码格式不正确" in response.content.decode()
    agency.refresh_from_db()
    assert agency.name != "x"


@pytest.mark.django_db
def test_admin_never_shows_personal_data_in_clear(client):
    """R22.1: the worker page in the admin shows masked values only."""
    from gridgov.testing.people import id_number, make_worker

    admin_user = make_user(R.Role.AGENCY_ADMIN, "440703", username="pj_admin")
    worker = make_worker("fulltime", grid_code="440703002101001", seed=7)
    client.force_login(admin_user)
    page = client.get(reverse("admin:people_gridworker_change", args=[worker.pk])).content.decode()
    clear_id = id_number(7)
    assert worker.id_number_masked in page
    assert clear_id not in page
    assert GridWorker.objects.get(pk=worker.pk).personal_phone_masked in page
