"""Migration 0010 (R22.1): the free-form ``involved`` JSON of existing cases, whatever its
shape, becomes protected InvolvedPerson rows; nothing of it is left in clear."""

from __future__ import annotations

import importlib
import json

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from audit import personal_data as pd
from cases.models import Case, InvolvedPerson
from matters.models import AdmissionEntry

legacy = importlib.import_module("cases.migrations.0010_involved_from_json")

ID = "44070319850101" + "123"
ID += pd.id_check_char(ID)
BAD_ID = ID[:-1] + ("1" if ID[-1] != "1" else "2")
BEFORE = [("cases", "0009_involvedperson")]

LEGACY_SHAPES = [
    # the intended shape, with English keys
    [{"name": "张三", "role": "party", "phone": "13800138000", "id_number": ID}],
    # Chinese keys, a landline, a role label, an extra key
    [{"姓名": "李四", "身份": "证人", "电话": "0750-3273605", "住址": "白沙街道 12 号"}],
    # strings: a person with numbers, a place
    ["王五 13912345678", "某某小区 3 栋"],
    # a single object, an ID with a bad check digit, a number
    {"name": "赵六", "idcard": BAD_ID, "age": 45},
    # nested lists under keys, something that is not a person at all
    {"persons": [{"name": "钱七", "mobile": "+86 137 1234 5678"}], "places": ["江门市场"]},
    [42, None, ["13600001111"]],
]
CLEAR = ("13800138000", ID, "3273605", "13912345678", BAD_ID, "13712345678", "13600001111")


def test_r22_1_classify_keeps_what_fits_and_masks_the_rest():
    """R22.1: what fits a field goes there; what does not is kept masked in the note."""
    person = legacy.classify({"姓名": "李四", "身份": "证人", "电话": "0750-3273605"})
    assert (person["name"], person["role"], person["phone"]) == ("李四", "witness", "")
    assert "3273605" not in person["note"] and "电话" in person["note"]
    text = legacy.classify("王五 13912345678")
    assert (text["name"], text["phone"], text["note"]) == ("王五", "13912345678", "")
    place = legacy.classify("某某小区 3 栋")
    assert (place["name"], place["role"], place["note"]) == ("", "other", "某某小区 3 栋")
    bad = legacy.classify({"name": "赵六", "idcard": BAD_ID})
    assert bad["id_number"] == "" and BAD_ID not in bad["note"]


@pytest.mark.django_db(transaction=True)
def test_r22_1_existing_involved_json_becomes_protected_rows(live_world):
    """R22.1: migrating real rows: each legacy item is one person, the valid numbers
    encrypted (and revealable), nothing in clear in any row, and the JSON column gone."""
    world = live_world
    entry = AdmissionEntry.objects.filter(item__code=world.entry_code).latest("pk")
    grid = world.grids[0]
    executor = MigrationExecutor(connection)
    try:
        executor.migrate(BEFORE)
        old = executor.loader.project_state(BEFORE).apps.get_model("cases", "Case")

        def legacy_case(code: str, **fields):
            return old.objects.create(
                tracking_code=code,
                channel="hotline",
                description="旧系统导入",
                lng=world.point[0],
                lat=world.point[1],
                grid_id=grid.pk,
                grid_code=grid.code,
                agency_code=grid.code[:9],
                entry_id=entry.pk,
                matter_code=world.entry_code,
                **fields,
            )

        ids = [
            legacy_case(f"LEGACY{n:04d}", involved=value).pk
            for n, value in enumerate(LEGACY_SHAPES)
        ]
        legacy_case("LEGACYNONE")
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    assert "involved" not in {f.name for f in Case._meta.get_fields() if f.concrete}
    rows = {
        case_id: list(InvolvedPerson.objects.filter(case_id=case_id).order_by("position"))
        for case_id in ids
    }
    first = rows[ids[0]][0]
    assert (first.name, first.role, first.phone_masked) == ("张三", "party", "138****8000")
    purpose = "cases.involvedperson.id_number"
    assert pd.decrypt(first.id_number_encrypted, purpose=purpose) == ID
    assert first.id_number_digest == pd.search_digest(ID, kind="id_number")
    li = rows[ids[1]][0]
    assert (li.name, li.role, li.phone_masked) == ("李四", "witness", "")
    assert "住址" in li.note and "3273605" not in li.note and "07*******05" in li.note
    wang, place = rows[ids[2]]
    assert (wang.name, wang.phone_masked) == ("王五", "139****5678")
    assert (place.role, place.note) == ("other", "某某小区 3 栋")
    zhao = rows[ids[3]][0]
    assert zhao.name == "赵六" and not zhao.id_number_encrypted and "age: 45" in zhao.note
    # (PostgreSQL's jsonb keeps an object's keys in its own order)
    qian, market = sorted(rows[ids[4]], key=lambda p: p.note)
    assert (qian.name, qian.phone_masked, market.note) == ("钱七", "137****5678", "江门市场")
    assert [p.note for p in rows[ids[5]]] == ["42", '["136****1111"]']
    assert not InvolvedPerson.objects.filter(case__tracking_code="LEGACYNONE").exists()
    everything = json.dumps(
        list(
            InvolvedPerson.objects.values(
                "name", "note", "phone_masked", "id_number_masked", "phone_digest"
            )
        ),
        ensure_ascii=False,
    )
    for number in CLEAR:
        assert number not in everything
