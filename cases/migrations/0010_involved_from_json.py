"""The free-form ``Case.involved`` JSON becomes protected InvolvedPerson rows (R22.1).

The field took any JSON, so its shape is unknown: a list of objects with Chinese or English
keys, strings such as "张三 13800138000", a single object, nested lists. Each item becomes one
person; what fits a field goes there (name, role, a valid mobile, a valid ID-card number,
encrypted with a keyed digest and masked, as the services store them); everything else is kept
in the person's ``note`` with every number in it masked. Nothing is kept in clear: after this
migration 0009 drops the column. Going back writes the masked forms only.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.db import migrations

from audit import personal_data as pd
from gridgov.errors import DomainError

BATCH = 2000
NOTE_MAX = 2000

NAME_KEYS = {"name", "姓名", "名字", "名称", "full_name", "fullname", "person", "人员", "当事人"}
ROLE_KEYS = {"role", "角色", "身份", "类型", "type", "relation", "关系", "kind"}
PHONE_KEYS = {
    "phone", "mobile", "tel", "telephone", "cell", "电话", "手机", "手机号", "手机号码",
    "联系电话", "联系方式", "contact",
}  # fmt: skip
ID_KEYS = {
    "id_number", "idnumber", "id", "idcard", "id_card", "id_no", "idno", "身份证", "身份证号",
    "身份证号码", "证件号", "证件号码",
}  # fmt: skip
ROLES = {
    "party": "party", "当事人": "party",
    "respondent": "respondent", "被反映人": "respondent", "被投诉人": "respondent",
    "victim": "victim", "受害人": "victim",
    "witness": "witness", "证人": "witness",
    "guardian": "guardian", "监护人": "guardian", "代理人": "guardian",
    "other": "other", "其他": "other",
}  # fmt: skip
PURPOSES = {
    "phone": ("mobile", "cases.involvedperson.phone"),
    "id_number": ("id_number", "cases.involvedperson.id_number"),
}
_LONG_DIGITS = re.compile(r"[0-9][0-9Xx\-\s]{4,}[0-9Xx]")
# An ID-card or a mobile number inside a string, with the separators people type (as
# audit.personal_data.mask_numbers_in_text finds them); kept here, as a migration keeps
# what it runs.
ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])[0-9](?:[\s\-]?[0-9]){16}[\s\-]?[0-9Xx](?![0-9A-Za-z])")
MOBILE_IN_TEXT = re.compile(r"(?<![0-9])(?:\+86[\s\-]?|0086[\s\-]?)?1[3-9](?:[\s\-]?[0-9]){9}(?![0-9])")


def mask_all(text: str) -> str:
    """Every ID-card or mobile number masked as usual; any other run of 6 or more digits
    (a landline, a partial number) keeps only its first and last two."""
    text = pd.mask_numbers_in_text(text)

    def hide(match: re.Match[str]) -> str:
        digits = re.sub(r"[^0-9Xx]", "", match.group())
        if "*" in match.group() or len(digits) < 6:
            return match.group()
        return digits[:2] + "*" * (len(digits) - 4) + digits[-2:]

    return _LONG_DIGITS.sub(hide, text)


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value.strip()
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def _items(value: Any) -> list[Any]:
    if value in (None, "", [], {}):
        return []
    if isinstance(value, list):
        return [item for item in value if item not in (None, "", [], {})]
    if isinstance(value, dict):
        keys = {str(k).strip().lower() for k in value}
        if keys & (NAME_KEYS | PHONE_KEYS | ID_KEYS | ROLE_KEYS):
            return [value]
        if all(isinstance(v, list) for v in value.values()):  # {"persons": [...], ...}
            return [item for v in value.values() for item in v]
        return [value]
    return [value]


def classify(item: Any) -> dict[str, str]:
    """One legacy item → {name, role, phone, id_number, note}: the numbers clean (to be
    protected) or blank, the note masked."""
    out = {"name": "", "role": "other", "phone": "", "id_number": "", "note": ""}
    notes: list[str] = []

    def number(kind: str, raw: str, label: str) -> None:
        normalize = pd.normalize_mobile if kind == "phone" else pd.normalize_id_number
        try:
            clean = normalize(raw)
        except DomainError:
            notes.append(f"{label}: {raw}")
            return
        if out[kind] and out[kind] != clean:
            notes.append(f"{label}: {raw}")
        else:
            out[kind] = clean

    if isinstance(item, dict):
        out["role"] = "party"
        for key, value in item.items():
            label = str(key).strip()
            lower = label.lower()
            text = _as_text(value)
            if not text:
                continue
            if lower in NAME_KEYS and not out["name"] and len(text) <= 64:
                out["name"] = text
            elif lower in ROLE_KEYS and text.lower() in ROLES:
                out["role"] = ROLES[text.lower()]
            elif lower in PHONE_KEYS:
                number("phone", text, label)
            elif lower in ID_KEYS:
                number("id_number", text, label)
            else:
                notes.append(f"{label}: {text}")
    elif isinstance(item, str):
        rest = item.strip()
        for match in ID_IN_TEXT.finditer(item):
            number("id_number", match.group(), "身份证号")
            rest = rest.replace(match.group(), " ")
        for match in MOBILE_IN_TEXT.finditer(rest):
            number("phone", match.group(), "电话")
            rest = rest.replace(match.group(), " ")
        rest = " ".join(rest.replace(",", " ").replace(",", " ").split())
        if (out["phone"] or out["id_number"]) and rest and len(rest) <= 64:
            out["name"], out["role"] = rest, "party"
        elif rest:
            notes.append(rest)
    else:
        notes.append(_as_text(item))
    # A name must not carry a number in clear either.
    masked_name = mask_all(out["name"])
    if masked_name != out["name"]:
        out["name"] = masked_name[:64]
    out["note"] = mask_all(";".join(notes))[:NOTE_MAX]
    return out


def forwards(apps: Any, schema_editor: Any) -> None:
    Case = apps.get_model("cases", "Case")
    InvolvedPerson = apps.get_model("cases", "InvolvedPerson")
    cases = (
        Case.objects.using(schema_editor.connection.alias)
        .exclude(involved=[])
        .exclude(involved__isnull=True)
        .only("pk", "involved")
        .order_by("pk")
    )
    batch: list[Any] = []
    for case in cases.iterator(chunk_size=BATCH):
        for position, item in enumerate(_items(case.involved)):
            fields = classify(item)
            if not any(fields[k] for k in ("name", "phone", "id_number", "note")):
                continue
            person = InvolvedPerson(
                case_id=case.pk,
                position=position,
                name=fields["name"],
                role=fields["role"],
                note=fields["note"],
            )
            for field, (kind, purpose) in PURPOSES.items():
                if fields[field]:
                    protected = pd.protect_clean(fields[field], kind=kind, purpose=purpose)
                    setattr(person, f"{field}_encrypted", protected.encrypted)
                    setattr(person, f"{field}_digest", protected.digest)
                    setattr(person, f"{field}_masked", protected.masked)
            batch.append(person)
        if len(batch) >= BATCH:
            InvolvedPerson.objects.using(schema_editor.connection.alias).bulk_create(batch)
            batch = []
    if batch:
        InvolvedPerson.objects.using(schema_editor.connection.alias).bulk_create(batch)
    # Nothing of the old JSON is left in clear, even before 0009 drops the column.
    cases.update(involved=[])


def backwards(apps: Any, schema_editor: Any) -> None:
    """The masked forms only: the clear numbers never go back into free-form JSON."""
    Case = apps.get_model("cases", "Case")
    InvolvedPerson = apps.get_model("cases", "InvolvedPerson")
    alias = schema_editor.connection.alias
    by_case: dict[int, list[dict[str, str]]] = {}
    for p in InvolvedPerson.objects.using(alias).order_by("case_id", "position", "pk"):
        by_case.setdefault(p.case_id, []).append(
            {
                "name": p.name,
                "role": p.role,
                "phone": p.phone_masked,
                "id_number": p.id_number_masked,
                "note": p.note,
            }
        )
    for pk, persons in by_case.items():
        Case.objects.using(alias).filter(pk=pk).update(involved=persons)
    InvolvedPerson.objects.using(alias).all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0009_involvedperson"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
