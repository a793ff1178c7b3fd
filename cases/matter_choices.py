"""What an intake form offers as "matter": the entries of the county's admission list in force
(R9.2, R23.3), as plain data a page can embed and a phone can keep offline.

Shared by the grid worker's phone app (``fieldwork``) and the resident portal. Intake itself
still passes the gate (:func:`matters.gate.admit`); this only keeps forms from offering what
the gate would refuse.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from matters import services as matters
from matters.models import AdmissionListVersion
from regions.models import Level, Region

# A county may put a catch-all matter on its list for residents who cannot tell which matter
# their problem is: an item with the keyword "不确定", or named "其他" / "其他事项".
GENERIC_KEYWORD = "不确定"
GENERIC_NAMES = frozenset({"其他", "其他事项"})


@dataclass
class CountyChoices:
    code: str
    name: str
    version: int
    entries: list[dict[str, Any]] = field(default_factory=list)

    @property
    def generic(self) -> str:
        """The code of the county's catch-all entry, or "" when the list has none."""
        for entry in self.entries:
            if entry["generic"]:
                return entry["code"]
        return ""

    def as_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "version": self.version,
            "generic": self.generic,
            "entries": self.entries,
        }


def _is_generic(item: Any) -> bool:
    return GENERIC_KEYWORD in item.keyword_list() or item.name.strip() in GENERIC_NAMES


def versions_in_force(county_codes: Iterable[str] | None = None) -> list[AdmissionListVersion]:
    """The version in force of each county's list (of the given counties, or all)."""
    versions = AdmissionListVersion.objects.published().select_related("admission_list__county")
    if county_codes is not None:
        versions = versions.filter(admission_list__county__code__in=set(county_codes))
    found: dict[int, AdmissionListVersion] = {}
    for version in versions.order_by("admission_list_id", "-number"):
        found.setdefault(version.admission_list_id, version)
    return sorted(found.values(), key=lambda v: v.admission_list.county.code)


def choices_for(county_codes: Iterable[str] | None = None) -> dict[str, CountyChoices]:
    """County code → the entries in force there, in list order."""
    out: dict[str, CountyChoices] = {}
    for version in versions_in_force(county_codes):
        county = version.admission_list.county
        choices = CountyChoices(county.code, county.name, version.number)
        for entry in matters.entries_of(version):
            item = entry.item
            choices.entries.append(
                {
                    "code": item.code,
                    "name": item.name,
                    "category": item.category.name,
                    "keywords": item.keyword_list(),
                    "settle": bool(item.settle_on_spot_allowed),
                    "generic": _is_generic(item),
                }
            )
        out[county.code] = choices
    return out


def counties_with_list() -> list[Region]:
    """Counties with an admission list in force (for the public home page)."""
    codes = [v.admission_list.county.code for v in versions_in_force()]
    return list(Region.objects.filter(code__in=codes, level=Level.COUNTY).order_by("code"))
