"""Who enters the State Council's holiday notice, and who is reminded to (R24.2).

The working-day calendar is one for the whole installation: the notice an administrator enters
moves the deadlines of every county. So entering it takes an administrator (agency
administrator or system administrator) whose jurisdiction covers every county of the
installation, or the superuser; commands act as the system. Every administrator is reminded
(the console and the calendar page) while a notice is due: next year's from 1 November while
next year is provisional, this year's whenever this year is (``workdays.notices``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from gridgov.access import roles as R
from gridgov.access import scoping
from gridgov.errors import Forbidden
from regions.models import Level, Region
from workdays import notices

NOTICE_ROLES = R.ADMIN_ROLES


def is_reminded(user: Any) -> bool:
    """Administrators see the reminder."""
    return scoping.is_unrestricted(user) or bool(scoping.grants_for(user, NOTICE_ROLES))


def may_enter(user: Any) -> bool:
    """May ``user`` enter a notice: an administrator covering every county, or the system."""
    if scoping.is_system(user) or scoping.is_unrestricted(user):
        return True
    prefixes = scoping.jurisdictions(user, NOTICE_ROLES)
    if not prefixes:
        return False
    outside = Region.objects.filter(level=Level.COUNTY).exclude(
        scoping.prefix_q(["code"], prefixes)
    )
    return not outside.exists()


def require(user: Any) -> None:
    if not may_enter(user):
        raise Forbidden(
            _(
                "录入国务院节假日安排通知会影响本平台所有区县的时限,须由管辖范围覆盖全部区县的"
                "管理员录入"
            )
        )


def enter(actor: Any, data: Any) -> notices.NoticeResult:
    """Enter a notice from its data form (the API body, the page's form), for an actor who
    may (403 otherwise; 400 naming the field for a notice that cannot be right)."""
    require(actor)
    notice = data if isinstance(data, notices.Notice) else notices.parse(data)
    return notices.enter_notice(actor, notice)


def reminder(user: Any, today: dt.date | None = None) -> list[int]:
    """The years whose notice ``user`` is reminded to enter (none for other roles)."""
    if not getattr(user, "is_authenticated", False) or not is_reminded(user):
        return []
    return notices.years_awaiting_notice(today)
