"""R11.1, R22.1: residents are registered with validated, encrypted ID numbers and phones
(masked everywhere, revealed only with a logged reason), move in and out with their history,
and one person keeps one record: duplicates are found and merged, history kept."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone
from freezegun import freeze_time

from audit.models import AuditRecord, PersonalDataAccess
from gridgov.errors import DomainError, Forbidden
from gridgov.testing import people as testing
from people.exact_search import exact_search
from people.services import reveal
from registry import inputs, services
from registry.models import Household, ResidenceSpell, Resident, SpecialGroupTag
from registry.tests import world as w

pytestmark = pytest.mark.django_db


def test_the_columns_hold_no_clear_number_and_the_answer_is_masked():
    number, phone = w.id_number(7), testing.mobile(7)
    resident = w.resident(w.house(), id_number=number, phone=phone)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id_number_encrypted, id_number_digest, phone_encrypted, phone_masked "
            "FROM registry_resident WHERE id = %s",
            [resident.pk],
        )
        row = cursor.fetchone()
    assert not any(number in str(v) or phone in str(v) for v in row)
    assert resident.id_number_masked == f"{number[:4]}**********{number[-4:]}"
    assert row[3] == f"{phone[:3]}****{phone[-4:]}"
    trail = AuditRecord.objects.filter(object_type="registry.resident")
    assert trail.exists()
    for record in trail:
        assert number not in str(record.before) + str(record.after) + record.note


def test_birth_date_and_gender_come_from_the_id_number():
    resident = w.resident(id_number=testing.id_number(2, birth="19760305"))
    assert resident.birth_date == dt.date(1976, 3, 5)
    assert resident.gender == "female"
    with pytest.raises(DomainError) as refused:
        w.resident(id_number=testing.id_number(3), birth_date=dt.date(2000, 1, 1))
    assert refused.value.code == "id_birth_date_mismatch"


def test_reveal_is_for_administrators_and_every_attempt_is_logged():
    resident = w.resident(phone=testing.mobile(11))
    admin = testing.make_user("agency_admin", "440703")
    worker = testing.make_user("grid_worker_fulltime", w.GRID)
    assert reveal(admin, resident, "phone", reason="回访核实情况") == testing.mobile(11)
    with pytest.raises(Forbidden):
        reveal(worker, resident, "id_number", reason="核实身份信息")
    log = PersonalDataAccess.objects.filter(subject_type="registry.resident")
    assert [(a.field, a.granted) for a in log.order_by("pk")] == [
        ("phone", True),
        ("id_number", False),
    ]


def test_exact_search_by_full_number_is_a_logged_reveal():
    number = w.id_number(21)
    resident = w.resident(id_number=number)
    admin = testing.make_user("agency_admin", "440703")
    found = exact_search(admin, Resident.objects.all(), number)
    assert list(found) == [resident]
    access = PersonalDataAccess.objects.get(subject_id="search")
    assert number not in access.subject_repr and access.granted
    worker = testing.make_user("grid_worker_fulltime", w.GRID)
    with pytest.raises(Forbidden):
        exact_search(worker, Resident.objects.all(), number)


def test_one_record_per_document_and_a_resend_registers_once():
    number = w.id_number(31)
    first = w.resident(id_number=number, client_id="phone-1")
    again = w.resident(id_number=w.id_number(32), client_id="phone-1")
    assert again.pk == first.pk
    with pytest.raises(DomainError) as refused:
        w.resident(id_number=number, name="李四")
    assert refused.value.code == "duplicate_person"


def test_moving_in_and_out_keeps_the_history_and_tags_follow():
    first, second = w.house(), w.house(w.room(w.street(number="9号", grid=w.OTHER_GRID)))
    resident = w.resident(first, living_since=dt.date(2020, 1, 1))
    tag = w.tag(resident)
    services.move_in(
        w.ACTOR,
        resident,
        inputs.MoveIn(house=second, house_relation="tenant", on=dt.date(2023, 5, 1)),
    )
    resident.refresh_from_db()
    tag.refresh_from_db()
    assert (resident.house, resident.grid_code, tag.grid_code) == (
        second,
        w.OTHER_GRID,
        w.OTHER_GRID,
    )
    spells = list(ResidenceSpell.objects.filter(resident=resident).order_by("started_on"))
    assert [(s.house, s.ended_on) for s in spells] == [
        (first, dt.date(2023, 5, 1)),
        (second, None),
    ]
    services.move_out(w.ACTOR, resident, inputs.StatusChange(on=dt.date(2024, 1, 1)))
    resident.refresh_from_db()
    assert (resident.status, resident.house) == ("moved_out", None)
    assert ResidenceSpell.objects.get(resident=resident, house=second).ended_on == dt.date(
        2024, 1, 1
    )


def test_death_ends_the_open_tags():
    resident = w.resident(w.house())
    tag = w.tag(resident)
    services.record_death(w.ACTOR, resident, inputs.StatusChange(on=timezone.localdate()))
    tag.refresh_from_db()
    assert tag.ended_on == timezone.localdate()
    with pytest.raises(DomainError):
        w.tag(resident, "disabled")


def test_a_household_has_one_head():
    testing.make_grid(w.GRID)
    household = services.create_household(
        w.ACTOR, inputs.NewHousehold(number="H001", where=inputs.Where(grid_code=w.GRID))
    )
    head = w.resident(household=household, relation="head")
    assert Household.objects.get(pk=household.pk).head == head
    # The head's change is its own step in the audit trail, not a second creation.
    assert AuditRecord.objects.filter(action="registry.household.head").count() == 1
    assert AuditRecord.objects.filter(action="registry.household.create").count() == 1
    with pytest.raises(DomainError) as refused:
        w.resident(household=household, relation="head", name="李四")
    assert refused.value.code == "household_has_head"


def test_duplicates_by_name_birth_date_and_address_are_found_and_merged_keeping_history():
    home = w.house()
    keep = w.resident(home, id_number=testing.id_number(41, birth="19600101"))
    other = w.resident(
        home,
        id_type="passport",
        id_number="E99887766",
        birth_date=dt.date(1960, 1, 1),
        gender="male",
    )
    assert list(services.find_duplicates(keep)) == [other]
    groups = list(services.duplicate_groups(Resident.objects.all()))
    assert [(g["name"], g["count"]) for g in groups] == [("张三", 2)]
    tag = w.tag(other, "disabled")
    services.merge_residents(w.ACTOR, keep, inputs.Merge(merged=other, reason="同一人重复登记"))
    other.refresh_from_db()
    tag.refresh_from_db()
    assert other.merged_into == keep  # kept, not deleted
    assert tag.resident == keep
    assert list(services.find_duplicates(keep)) == []
    merges = AuditRecord.objects.filter(action="registry.resident.merge")
    assert {r.object_id for r in merges} == {str(keep.pk), str(other.pk)}
    with pytest.raises(DomainError):
        services.merge_residents(w.ACTOR, keep, inputs.Merge(merged=other, reason="再次合并"))


def test_merging_frees_the_document_for_the_kept_record():
    keep = w.resident(id_number=w.id_number(51))
    merged = w.resident(id_type="passport", id_number="E11223344", name="张三")
    services.merge_residents(w.ACTOR, keep, inputs.Merge(merged=merged, reason="同一人"))
    # The merged record's passport may now be registered on another record.
    services.update_resident(
        w.ACTOR, keep, inputs.ResidentChanges(id_type="passport", id_number="E11223344")
    )
    keep.refresh_from_db()
    assert keep.id_type == "passport" and keep.id_number_masked.startswith("E112")
    assert SpecialGroupTag.objects.count() == 0


def test_moving_out_on_the_local_day_works_while_the_utc_day_is_still_yesterday():
    """R11.1 (二): the registry's days are the site's local days (Asia/Shanghai): at 01:00 in
    Jiangmen, 17:00 UTC of the day before, a resident moved in today can move out today."""
    with freeze_time("2026-12-03 17:00:00"):
        today = timezone.localdate()
        assert today == dt.date(2026, 12, 4)
        resident = w.resident(w.house())
        services.move_out(w.ACTOR, resident, inputs.StatusChange(on=today))
        resident.refresh_from_db()
        assert resident.status == "moved_out"
