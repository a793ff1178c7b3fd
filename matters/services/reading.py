"""Reading the lists (R9.1, R9.2): the version in force, a version's entries as pages, the API
and exports show them, the comparison of two versions, the catalogue search of intake forms.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from gridgov.errors import NotFound
from gridgov.parsing import parse_int
from matters.models import (
    AdmissionEntry,
    AdmissionList,
    AdmissionListVersion,
)
from matters.services.terms import (
    ENTRY_TERMS,
)
from people.models import Department


def version_in_force(county_code: str) -> AdmissionListVersion | None:
    """The version of the county's list in force now, or None (R9.1)."""
    return (
        AdmissionListVersion.objects.in_force()
        .filter(admission_list__county__code=county_code)
        .select_related("admission_list__county")
        .first()
    )


def entries_of(version: AdmissionListVersion) -> QuerySet[AdmissionEntry]:
    """The entries of a version with everything a list page, the API or an export shows."""
    return (
        version.entries.select_related("item__category", "lead_department__kind")
        .prefetch_related(
            Prefetch(
                "co_departments",
                queryset=Department.objects.select_related("kind").order_by("pk"),
            )
        )
        .order_by(
            "item__category__sort_order", "item__category__code", "item__sort_order", "item__code"
        )
    )


def get_version(admission_list: AdmissionList, number: int | str) -> AdmissionListVersion:
    """Version ``number`` of the list, or NotFound (a bad number too)."""
    number = parse_int(number, minimum=1)
    if number is None:
        raise NotFound(_("版本号无效"))
    found = admission_list.versions.filter(number=number).first()
    if found is None:
        raise NotFound(_("第 %(n)s 版不存在") % {"n": number})
    return found


def search_q(text: str) -> Q:
    """Items matching ``text`` by code, name, keywords or description (for intake forms)."""
    text = text.strip()
    return (
        Q(code__iexact=text)
        | Q(name__icontains=text)
        | Q(keywords__icontains=text)
        | Q(description__icontains=text)
    )


@dataclass
class VersionDiff:
    """What a version changed against another: the record a filing reviewer reads."""

    added: list[AdmissionEntry] = field(default_factory=list)
    removed: list[AdmissionEntry] = field(default_factory=list)
    changed: list[tuple[AdmissionEntry, AdmissionEntry, list[str]]] = field(default_factory=list)

    def summary(self) -> dict[str, list[str]]:
        return {
            "added": [e.item.code for e in self.added],
            "removed": [e.item.code for e in self.removed],
            "changed": [new.item.code for _old, new, _f in self.changed],
        }

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)


COMPARED_FIELDS = [*ENTRY_TERMS, "co_departments"]


def _entries_by_code(version: AdmissionListVersion) -> dict[str, AdmissionEntry]:
    entries = version.entries.select_related(
        "item__category", "lead_department__kind"
    ).prefetch_related(
        Prefetch(
            "co_departments", queryset=Department.objects.select_related("kind").order_by("pk")
        )
    )
    return {e.item.code: e for e in entries}


def _term_value(entry: AdmissionEntry, name: str) -> Any:
    return entry.lead_department_id if name == "lead_department" else getattr(entry, name)


def compare_versions(old: AdmissionListVersion | None, new: AdmissionListVersion) -> VersionDiff:
    """Entries added, removed and changed (with the names of the changed fields)."""
    diff = VersionDiff()
    before = _entries_by_code(old) if old is not None else {}
    after = _entries_by_code(new)
    for code, entry in after.items():
        if code not in before:
            diff.added.append(entry)
            continue
        old_entry = before[code]
        fields_changed = [
            name for name in ENTRY_TERMS if _term_value(old_entry, name) != _term_value(entry, name)
        ]
        if [d.pk for d in old_entry.co_departments.all()] != [
            d.pk for d in entry.co_departments.all()
        ]:
            fields_changed.append("co_departments")
        if fields_changed:
            diff.changed.append((old_entry, entry, fields_changed))
    diff.removed = [entry for code, entry in before.items() if code not in after]
    return diff
