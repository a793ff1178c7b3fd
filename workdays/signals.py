"""What the calendar tells the apps above it (R24.2, R24.3).

``workdays`` sits below ``cases`` and must not import it: a change of days that deadlines
already counted is announced here, and ``cases`` recomputes the open deadlines it moves.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.dispatch import Signal

# Sent inside the transaction of a change of existing days (an administrator's edit, a notice
# entered, a package's update, a provisional year confirmed), after the in-memory calendar was
# told. Arguments: ``first`` and ``last`` (dates: the span of days that changed), ``actor``,
# ``reason`` (a short code: "set_day", "notice", "seed", "statutory"). Each receiver returns
# the number of open deadlines it moved.
days_changed = Signal()


def announce(first: dt.date, last: dt.date, actor: Any, reason: str) -> int:
    """Send :data:`days_changed`; the number of open deadlines the receivers moved."""
    responses = days_changed.send(
        sender="workdays", first=first, last=last, actor=actor, reason=reason
    )
    return sum(moved for _receiver, moved in responses if isinstance(moved, int))
