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

from cases.models import Case, InvolvedPerson
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


def subject(case: Case, field: str, person: Any = None) -> Case | InvolvedPerson:
    """The row holding ``field``: the case for the reporter's phone, else one of its
    involved persons."""
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
    return found


def reveal(actor: Any, case: Case, field: str, *, person: Any = None, reason: str) -> str:
    """The clear value, logged in the personal-data access log (refusals too)."""
    return people_services.reveal(actor, subject(case, field, person), field, reason=reason)
