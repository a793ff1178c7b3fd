"""Every change to a case (R18.1, R24–R27). The state machine is :mod:`cases.machine`.

Each service: locks the case row, asks the machine whether this actor may take this action in
this state, does the work, appends an archive event (R26.2) and an audit record (R28.1), all in
one transaction. Actions a phone may resend take a ``client_id``: a second call with the same
one returns the first result and changes nothing.

One module per stage of a case; the package exports every service, so callers write
``services.dispatch(...)``:

- :mod:`~cases.services.reports`: intake of a report, verification on site, settlement on the
  spot (R24.1, R18.1);
- :mod:`~cases.services.triage`: the agency accepts, declines, escalates, dispatches (R24.2);
- :mod:`~cases.services.handling`: the departments sign, return, feed back (R24.3, R24.4);
- :mod:`~cases.services.closing`: the check of the result and the reporter's rating (R26.1,
  R27.1);
- :mod:`~cases.services.requests`: extensions and suspensions (R24.3);
- :mod:`~cases.services.supervision`: urging, answers, warnings (R27.1).

What they build on: :mod:`cases.steps` (recording a step), :mod:`cases.clock` (deadlines and
their checks), :mod:`cases.primitives` (the step's time, its entry's terms, notifications).
The review of an unsatisfied rating is :mod:`cases.reviews`, the end of a co-department's part
:mod:`cases.co_departments`.
"""

from cases.services.closing import check, evaluate
from cases.services.handling import feedback, return_case, sign
from cases.services.reports import IntakeResult, intake, settle, verify
from cases.services.requests import (
    decide_extension,
    decide_suspension,
    request_extension,
    request_suspension,
    resume,
)
from cases.services.supervision import answer_supervision, issue_warnings, supervise
from cases.services.triage import accept, decline, dispatch, escalate

__all__ = [
    "IntakeResult",
    "accept",
    "answer_supervision",
    "check",
    "decide_extension",
    "decide_suspension",
    "decline",
    "dispatch",
    "escalate",
    "evaluate",
    "feedback",
    "intake",
    "issue_warnings",
    "request_extension",
    "request_suspension",
    "resume",
    "return_case",
    "settle",
    "sign",
    "supervise",
    "verify",
]
