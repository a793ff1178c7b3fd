"""Revealing a case's personal data (R22.1): the reporter's phone (so staff can call back) and
an involved person's phone or ID-card number.

One door for the case page and the API; the decryption, the role check (a
``CASE_CONTACT_REVEALERS`` role over the case's region: agency staff and the departments that
see the case, so that they can call back) and the access log are
:func:`people.services.reveal`'s, as for a grid worker (ADR 0003, ADR 0010).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from cases.models import Case, InvolvedPerson, LinkedResident
from gridgov.access import scoping
from gridgov.errors import DomainError
from gridgov.parsing import parse_id
from people import services as people_services

REPORTER_FIELDS = frozenset(Case.PROTECTED_FIELDS)
PERSON_FIELDS = frozenset(InvolvedPerson.PROTECTED_FIELDS)
FIELDS = REPORTER_FIELDS | PERSON_FIELDS


def may_reveal(user: Any, case: Case) -> bool:
    """Whether the page offers the reveal buttons (the service decides again)."""
    return scoping.has_role(user, Case.REVEALERS, region_code=case.grid_code)


def subject(case: Case, field: str, person: Any = None) -> Case | InvolvedPerson | LinkedResident:
    """The row holding ``field``: the case for the reporter's phone, else one of its
    involved persons, or the registry resident that person is."""
    if field in REPORTER_FIELDS:
        return case
    if field not in PERSON_FIELDS:
        raise DomainError(
            _("%(field)s 不是受保护的个人信息字段") % {"field": field},
            field="field",
            code="not_protected",
        )
    pk = parse_id(person)
    found = case.involved_persons.filter(pk=pk).first() if pk is not None else None
    if found is None:
        raise DomainError(_("该事件没有这位涉及人员"), field="person", code="unknown_person")
    found.case = case  # its region is the case's
    if found.resident_id is None:
        return found
    # A registry resident linked to the case (ADR 0010): its own row is revealed, by the
    # roles that may reveal a case's contact data (LinkedResident.REVEALERS), over a case
    # they see that links it; the authority is this case's, so its region is the case's.
    linked = LinkedResident.objects.get(pk=found.resident_id)
    linked.region_code = case.grid_code  # never saved: the reveal only reads it
    return linked


def reveal(actor: Any, case: Case, field: str, *, person: Any = None, reason: str) -> str:
    """The clear value, logged in the personal-data access log (refusals too)."""
    return people_services.reveal(actor, subject(case, field, person), field, reason=reason)
