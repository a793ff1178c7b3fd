"""The Django admin for matters: Chinese, scoped, changes through the services (R9.2, R22.1)."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.urls import reverse

from audit.models import AuditRecord
from matters.models import MatterItem, VersionStatus
from matters.tests.conftest import HS, PJ
from matters.tests.factories import make_draft, make_published_list


@pytest.fixture
def lists(people, catalogue):
    return make_published_list(PJ, ["0101"]), make_published_list(HS, ["0201"])


def test_every_matters_admin_page_opens(client, people, lists):
    pj, _hs = lists
    client.force_login(people.pj_admin)
    objects = {
        "mattercategory": catalogue_category(pj),
        "matteritem": pj.entries.get().item,
        "admissionlist": pj.admission_list,
        "admissionlistversion": pj,
        "admissionentry": pj.entries.get(),
    }
    for name, obj in objects.items():
        changelist = client.get(reverse(f"admin:matters_{name}_changelist"))
        assert changelist.status_code == 200, name
        page = client.get(reverse(f"admin:matters_{name}_change", args=[obj.pk]))
        assert page.status_code == 200, name
    html = client.get(reverse("admin:matters_admissionlistversion_changelist")).content.decode()
    assert "蓬江区" in html and "鹤山市" not in html
    assert "清单版本" in html  # in Chinese


def catalogue_category(version):
    return version.entries.get().item.category


def test_r9_2_city_admin_edits_the_catalogue_in_the_admin(client, people, lists):
    client.force_login(people.city_admin)
    category = catalogue_category(lists[0])
    response = client.post(
        reverse("admin:matters_matteritem_add"),
        {
            "category": category.pk,
            "code": "0109",
            "name": "寄递物流安全隐患",
            "description": "",
            "keywords": "快递 物流",
            "sort_order": 100,
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    item = MatterItem.objects.get(code="0109")
    assert AuditRecord.objects.filter(action="matters.item.create", object_id=str(item.pk)).exists()


def test_county_admin_is_refused_catalogue_changes_with_a_message(client, people, lists):
    client.force_login(people.pj_admin)
    category = catalogue_category(lists[0])
    response = client.post(
        reverse("admin:matters_matteritem_add"),
        {"category": category.pk, "code": "0110", "name": "越权新增", "sort_order": 100},
        follow=True,
    )
    assert "市网格化机构管理员" in response.content.decode()
    assert not MatterItem.objects.filter(code="0110").exists()


def test_publish_action_in_the_admin(client, people, lists):
    draft = make_draft(PJ, ["0101", "0102"])
    client.force_login(people.pj_admin)
    client.post(
        reverse("admin:matters_admissionlistversion_changelist"),
        {"action": "publish", "_selected_action": [draft.pk]},
    )
    draft.refresh_from_db()
    assert draft.status == VersionStatus.PUBLISHED
    # A township administrator cannot even open the action's target.
    client.force_login(people.baisha_admin)
    response = client.post(
        reverse("admin:matters_admissionlistversion_changelist"),
        {"action": "file", "_selected_action": [draft.pk]},
        follow=True,
    )
    draft.refresh_from_db()
    assert draft.status == VersionStatus.PUBLISHED
    assert response.status_code in {200, 403}


def test_r9_2_the_admin_history_names_the_row_the_service_stored(client, people, lists):
    """R9.2, R28.1: an item added and then changed in the admin (through the services) is
    the row the admin's own history and its redirect name, with the stored values."""
    client.force_login(people.city_admin)
    data = {
        "category": catalogue_category(lists[0]).pk,
        "code": "0111",
        "name": "共享单车乱停放",
        "description": "",
        "keywords": "单车",
        "sort_order": 100,
        "is_active": "on",
    }
    added = client.post(reverse("admin:matters_matteritem_add"), data)
    assert added.status_code == 302, added.content.decode()[:2000]
    item = MatterItem.objects.get(code="0111")
    (logged,) = LogEntry.objects.filter(action_flag=ADDITION)
    assert (logged.object_id, logged.object_repr) == (str(item.pk), str(item))
    url = reverse("admin:matters_matteritem_change", args=[item.pk])
    changed = client.post(url, {**data, "name": "共享单车违规停放", "_continue": "1"})
    assert changed.status_code == 302 and changed["Location"] == url
    item.refresh_from_db()
    assert item.name == "共享单车违规停放"
    (logged,) = LogEntry.objects.filter(action_flag=CHANGE)
    assert (logged.object_id, logged.object_repr) == (str(item.pk), str(item))
