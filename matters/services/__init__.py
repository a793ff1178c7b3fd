"""Every change to the catalogue, the admission lists and the change requests (R9.1–R9.3).

Each service runs in one transaction, refuses bad input with a ``DomainError`` naming the field
and writes one audit record (R28.1). A version is frozen once published: every service that
edits entries refuses a non-draft version. ``actor`` is a user, or a string / None for the
system.

One module per concern; the package exports what callers use, so they write
``services.publish_version(...)``:

- :mod:`~matters.services.catalogue`: the city's categories and items (R9.2);
- :mod:`~matters.services.lists`: a county's list, its drafts and their entries (R9.1, R9.2);
- :mod:`~matters.services.publishing`: publishing a draft, filing it, the city's
  acknowledgement (R9.1–R9.3);
- :mod:`~matters.services.change_requests`: requests to change a list and their review (R9.3);
- :mod:`~matters.services.reading`: the version in force, entries, comparing versions, search.

What they build on: :mod:`~matters.services.authority` (who may take which step),
:mod:`~matters.services.terms` (an entry's departments and time limits),
:mod:`~matters.services.shared` (regions and items by code, the locked list, a new draft).
"""

from matters.services.authority import require_city_admin, require_county_admin
from matters.services.catalogue import create_category, create_item, update_category, update_item
from matters.services.change_requests import (
    approve_change_request,
    reject_change_request,
    submit_change_request,
    withdraw_change_request,
)
from matters.services.lists import (
    ImportRow,
    add_entry,
    create_list,
    open_draft,
    remove_entry,
    replace_draft_entries,
    update_entry,
)
from matters.services.publishing import (
    acknowledge_version,
    file_version,
    publication_problems,
    publish_version,
)
from matters.services.reading import (
    compare_versions,
    entries_of,
    get_version,
    search_q,
    version_in_force,
)
from matters.services.shared import catalogue_item
from matters.services.terms import (
    DEFAULT_AMBER_PERCENT,
    ENTRY_TERMS,
    LIMIT_TERMS,
    EntryTerms,
    check_limit,
    parse_amber,
    parse_amount,
    parse_unit,
)

__all__ = [
    "DEFAULT_AMBER_PERCENT",
    "ENTRY_TERMS",
    "LIMIT_TERMS",
    "EntryTerms",
    "ImportRow",
    "acknowledge_version",
    "add_entry",
    "approve_change_request",
    "catalogue_item",
    "check_limit",
    "compare_versions",
    "create_category",
    "create_item",
    "create_list",
    "entries_of",
    "file_version",
    "get_version",
    "open_draft",
    "parse_amber",
    "parse_amount",
    "parse_unit",
    "publication_problems",
    "publish_version",
    "reject_change_request",
    "remove_entry",
    "replace_draft_entries",
    "require_city_admin",
    "require_county_admin",
    "search_q",
    "submit_change_request",
    "update_category",
    "update_entry",
    "update_item",
    "version_in_force",
    "withdraw_change_request",
]
