"""Catalogue, lists and versions: who may take each step, freezing, versions kept (R9.1, R9.2)."""

from __future__ import annotations

import pytest

from audit.models import AuditRecord
from gridgov.errors import DomainError, Forbidden
from matters import services
from matters.models import AdmissionListVersion, VersionStatus
from matters.tests.conftest import HS, PJ
from matters.tests.factories import make_item, make_published_list

TERMS = {
    "dispatch_limit_amount": 2,
    "dispatch_limit_unit": "workhours",
    "handling_limit_amount": 3,
    "handling_limit_unit": "workdays",
}


def _draft_with(admin, department, *items):
    admission_list = services.create_list(admin, county_code=PJ)
    draft = services.open_draft(admin, admission_list)
    for item in items:
        services.add_entry(admin, draft, item=item.code, lead_department=department, **TERMS)
    return draft


# --- catalogue ------------------------------------------------------------------------------


def test_r9_2_city_agency_keeps_the_catalogue(people):
    """R9.2: the city agency creates categories and items with stable codes."""
    category = services.create_category(
        people.city_admin, city_code="4407", code="03", name="安全隐患"
    )
    item = services.create_item(
        people.city_admin,
        category=category,
        code="0301",
        name="消防安全隐患",
        keywords="消防 通道堵塞,灭火器",
        settle_on_spot_allowed=True,
    )
    assert item.keyword_list() == ["消防", "通道堵塞", "灭火器"]
    assert AuditRecord.objects.filter(action="matters.item.create", object_id=str(item.pk)).exists()
    services.update_item(people.city_admin, item, name="消防隐患", is_active=False)
    item.refresh_from_db()
    assert (item.code, item.name, item.is_active) == ("0301", "消防隐患", False)
    with pytest.raises(DomainError) as err:
        services.update_item(people.city_admin, item, code="0399")
    assert err.value.field == "code"


def test_r28_1_catalogue_updates_record_the_whole_row_before_and_after(people):
    """R28.1, R9.2: an update of a category or an item records its whole row before and after,
    in the city's region; an update that changes nothing records nothing."""
    category = services.create_category(
        people.city_admin, city_code="4407", code="03", name="安全隐患"
    )
    item = services.create_item(people.city_admin, category=category, code="0301", name="消防")
    services.update_category(people.city_admin, category, name="安全隐患排查", sort_order=5)
    services.update_item(people.city_admin, item, name="消防隐患", keywords=["通道", "灭火器"])
    services.update_item(people.city_admin, item, name="消防隐患")  # nothing changes
    updates = AuditRecord.objects.filter(
        action__in=["matters.category.update", "matters.item.update"]
    )
    assert [(r.action, r.region_code) for r in updates.order_by("pk")] == [
        ("matters.category.update", "4407"),
        ("matters.item.update", "4407"),
    ]
    category_record, item_record = updates.order_by("pk")
    assert set(category_record.before) == set(category_record.after) == {
        "city", "code", "name", "description", "sort_order", "is_active"
    }  # fmt: skip
    assert (category_record.before["name"], category_record.after["name"]) == (
        "安全隐患",
        "安全隐患排查",
    )
    assert (category_record.before["sort_order"], category_record.after["sort_order"]) == (100, 5)
    assert category_record.before["code"] == category_record.after["code"] == "03"
    assert (item_record.before["name"], item_record.after["name"]) == ("消防", "消防隐患")
    assert (item_record.before["keywords"], item_record.after["keywords"]) == ("", "通道 灭火器")
    assert item_record.after["settle_on_spot_allowed"] is False
    item.refresh_from_db()
    assert (item.name, item.keywords) == ("消防隐患", "通道 灭火器")


def test_r9_2_county_and_department_cannot_change_the_catalogue(people):
    """R9.2: the catalogue is the city's; a county administrator is refused."""
    for user in (people.pj_admin, people.pj_police_head):
        with pytest.raises(Forbidden) as err:
            services.create_category(user, city_code="4407", code="09", name="其他")
        assert "市网格化机构管理员" in err.value.message


def test_catalogue_codes_are_unique_and_well_formed(people, catalogue):
    category = catalogue.i0101.category
    with pytest.raises(DomainError) as err:
        services.create_item(people.city_admin, category=category, code="0101", name="重复")
    assert err.value.code == "exists"
    with pytest.raises(DomainError) as err:
        services.create_item(people.city_admin, category=category, code="01 01", name="坏编码")
    assert err.value.code == "bad_code"


# --- versions and freezing ------------------------------------------------------------------


def test_r9_2_publish_freezes_and_next_change_makes_a_new_draft(people, catalogue):
    """R9.2/R9.3: publishing freezes a version; the next change goes into a new draft that
    starts as a copy; every version stays readable."""
    draft = _draft_with(people.pj_admin, people.pj_police, catalogue.i0101, catalogue.i0102)
    v1 = services.publish_version(people.pj_admin, draft, note="首版")
    assert (v1.number, v1.status) == (1, VersionStatus.PUBLISHED)
    assert v1.published_at is not None and v1.published_by == people.pj_admin

    entry = v1.entries.get(item=catalogue.i0101)
    with pytest.raises(DomainError) as err:
        services.update_entry(people.pj_admin, entry, handling_limit_amount=5)
    assert err.value.code == "frozen"
    with pytest.raises(DomainError):
        services.remove_entry(people.pj_admin, entry)
    with pytest.raises(DomainError):
        services.add_entry(
            people.pj_admin, v1, item="0201", lead_department=people.pj_justice, **TERMS
        )

    v2 = services.open_draft(people.pj_admin, v1.admission_list)
    assert v2.number == 2 and v2.based_on == v1
    assert services.open_draft(people.pj_admin, v1.admission_list) == v2  # idempotent
    assert sorted(v2.entries.values_list("item__code", flat=True)) == ["0101", "0102"]
    services.update_entry(
        people.pj_admin, v2.entries.get(item=catalogue.i0101), handling_limit_amount=5
    )
    services.remove_entry(people.pj_admin, v2.entries.get(item=catalogue.i0102))
    services.publish_version(people.pj_admin, v2)

    v1.refresh_from_db()
    assert v1.entries.get(item=catalogue.i0101).handling_limit_amount == 3  # old terms kept
    assert v1.entries.count() == 2
    assert services.version_in_force(PJ).number == 2
    diff = services.compare_versions(v1, v2)
    assert diff.summary() == {"added": [], "removed": ["0102"], "changed": ["0101"]}
    assert diff.changed[0][2] == ["handling_limit_amount"]


def test_publish_refuses_empty_list_and_retired_items(people, catalogue):
    admission_list = services.create_list(people.pj_admin, county_code=PJ)
    draft = services.open_draft(people.pj_admin, admission_list)
    with pytest.raises(DomainError) as err:
        services.publish_version(people.pj_admin, draft)
    assert err.value.code == "not_publishable"
    services.add_entry(
        people.pj_admin, draft, item="0101", lead_department=people.pj_police, **TERMS
    )
    services.update_item(people.city_admin, catalogue.i0101, is_active=False)
    with pytest.raises(DomainError) as err:
        services.publish_version(people.pj_admin, draft)
    assert "已在目录中停用" in err.value.message
    assert err.value.extra["problems"]
    with pytest.raises(DomainError) as err:
        services.add_entry(
            people.pj_admin, draft, item="0101", lead_department=people.pj_police, **TERMS
        )
    assert err.value.code in {"inactive_item", "exists"}


def test_r9_2_entry_terms_are_validated(people, catalogue):
    draft = _draft_with(people.pj_admin, people.pj_police)
    cases = [
        ({"item": "9999"}, "item", "unknown_item"),
        ({"lead_department": people.hs_police}, "lead_department", "unknown_department"),
        ({"dispatch_limit_amount": 0}, "dispatch_limit_amount", "bad_limit"),
        ({"dispatch_limit_amount": "两"}, "dispatch_limit_amount", "bad_limit"),
        ({"handling_limit_unit": "weeks"}, "handling_limit_unit", "bad_unit"),
        (
            {"dispatch_limit_amount": 30, "dispatch_limit_unit": "workdays"},
            "dispatch_limit_amount",
            "bad_limit",
        ),
        ({"amber_threshold_percent": 100}, "amber_threshold_percent", "bad_amber"),
        ({"co_departments": [people.pj_police]}, "co_departments", "duplicate_department"),
    ]
    for change, field, code in cases:
        kwargs = {"item": "0101", "lead_department": people.pj_police, **TERMS, **change}
        with pytest.raises(DomainError) as err:
            services.add_entry(people.pj_admin, draft, **kwargs)
        assert (err.value.field, err.value.code) == (field, code), change
    assert draft.entries.count() == 0
    entry = services.add_entry(
        people.pj_admin,
        draft,
        item="0101",
        lead_department="公安",  # the county's department of that kind
        co_departments=[people.pj_justice.pk],
        **TERMS,
    )
    assert entry.lead_department == people.pj_police
    assert list(entry.co_departments.all()) == [people.pj_justice]


# --- who may take each step (R9.2, R9.3) ----------------------------------------------------


def test_r9_3_only_the_county_agency_edits_publishes_and_files(people, catalogue):
    """R9.3: a township cannot publish; a department cannot publish; another county cannot."""
    draft = _draft_with(people.pj_admin, people.pj_police, catalogue.i0101)
    for user in (
        people.baisha_admin,
        people.pj_police_head,
        people.pj_dispatcher,
        people.hs_admin,
        people.city_admin,
    ):
        with pytest.raises(Forbidden) as err:
            services.publish_version(user, draft)
        assert "蓬江区网格化机构管理员" in err.value.message
        with pytest.raises(Forbidden):
            services.add_entry(user, draft, item="0102", lead_department=people.pj_police, **TERMS)
    version = services.publish_version(people.pj_admin, draft)
    with pytest.raises(Forbidden):
        services.file_version(people.baisha_admin, version)
    with pytest.raises(DomainError) as err:
        services.acknowledge_version(people.city_admin, version)
    assert err.value.code == "not_filed"
    version = services.file_version(people.pj_admin, version)
    assert version.status == VersionStatus.FILED and version.filed_by == people.pj_admin


def test_r9_2_city_acknowledges_the_filing(people, catalogue):
    """R9.2: filing is with the city agency; only the city acknowledges it."""
    version = make_published_list(PJ, ["0101"], filed=True)
    for user in (people.pj_admin, people.hs_admin, people.baisha_admin):
        with pytest.raises(Forbidden) as err:
            services.acknowledge_version(user, version)
        assert "市网格化机构管理员" in err.value.message
    version = services.acknowledge_version(people.city_admin, version, note="同意备案")
    assert version.status == VersionStatus.ACKNOWLEDGED
    assert version.acknowledged_by == people.city_admin
    assert version.acknowledgement_note == "同意备案"
    # Resent: nothing more happens.
    services.acknowledge_version(people.city_admin, version)
    assert AuditRecord.objects.filter(action="matters.version.acknowledge").count() == 1


def test_every_step_leaves_an_audit_record(people, catalogue):
    """R28.1 for R9: each step is attributable to a person and a role."""
    draft = _draft_with(people.pj_admin, people.pj_police, catalogue.i0101)
    version = services.publish_version(people.pj_admin, draft)
    services.file_version(people.pj_admin, version)
    records = AuditRecord.objects.filter(action__startswith="matters.", region_code=PJ)
    actions = set(records.values_list("action", flat=True))
    assert {
        "matters.list.create",
        "matters.version.open_draft",
        "matters.entry.add",
        "matters.version.publish",
        "matters.version.file",
    } <= actions
    publish = records.get(action="matters.version.publish")
    assert publish.actor == people.pj_admin and publish.role == "agency_admin"


def test_versions_are_numbered_per_county(people, catalogue):
    make_published_list(PJ, ["0101"])
    make_published_list(PJ, ["0101", "0102"])
    make_published_list(HS, ["0201"], department_kind="justice")
    assert list(
        AdmissionListVersion.objects.filter(admission_list__county__code=PJ)
        .order_by("number")
        .values_list("number", "status")
    ) == [(1, "published"), (2, "published")]
    assert services.version_in_force(HS).number == 1
    make_item("0301")
    assert services.version_in_force(PJ).entries.count() == 2
