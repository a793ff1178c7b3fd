"""The reporter of a case as the addressee of progress messages (R18.1, R22.1).

The reporter's phone stays encrypted on the case. :func:`reporter_phone_for_sms` is the one
system-side place that decrypts it, for sending only (the SMS channel,
:mod:`cases.notify.channels`), and logs each use in the personal-data access log (R22.1), like
a reveal by a person. :mod:`cases.notify.progress` asks :func:`wants_progress_sms` before it
queues a message; the channel asks again when it sends (consent may have been withdrawn).
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from audit import personal_data
from audit.models import PersonalDataAccess
from cases.models import Case
from gridgov import context

# The purpose the reporter's phone is encrypted under (cases.services.reports.intake).
REPORTER_PHONE = ("reporter_phone", "cases.reporter_phone")


def wants_progress_sms(case: Case) -> bool:
    """The reporter gave a phone and agreed to progress messages (``Case.progress_sms``)."""
    return bool(case.progress_sms and case.reporter_phone_encrypted)


def masked_phone(case: Case) -> str:
    return case.reporter_phone_masked


def reporter_phone_for_sms(case: Case) -> str | None:
    """The reporter's phone in clear, for the SMS channel only; None without a phone or
    consent. Each use is logged as a system access to personal data (R22.1)."""
    if not wants_progress_sms(case):
        return None
    field, purpose = REPORTER_PHONE
    try:
        phone = personal_data.decrypt(case.reporter_phone_encrypted, purpose=purpose)
    except personal_data.UndecryptableError:
        return None
    ctx = context.current()
    with transaction.atomic():
        PersonalDataAccess.objects.create(
            actor=None,
            actor_name="system:sms",
            subject_type=case._meta.label_lower,
            subject_id=str(case.pk),
            subject_repr=str(case)[:200],
            field=field,
            reason=_("发送办理进度短信"),
            granted=True,
            region_code=case.grid_code,
            request_id=ctx.request_id,
            channel="task",
        )
    return phone
