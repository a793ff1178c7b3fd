"""The electronic archive (R26.1, R26.2): a hash chain of every step of every case.

Each :class:`~cases.models.CaseEvent` carries ``hash = SHA-256(prev_hash + canonical(event))``
where the first event's ``prev_hash`` is 64 zeros. The canonical form is JSON with sorted keys,
no whitespace, UTF-8, times in UTC with microseconds — the same bytes on SQLite and PostgreSQL —
so anyone holding an export can recompute the chain, and ``verify_archive`` finds the first row
altered or removed directly in the database. The form and the walk along a chain are defined
once, without Django, in :mod:`cases.chain` (docs/archive.md); this module applies them to the
rows of the database.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from typing import Any

from django.utils import timezone

from cases import chain
from cases.chain import GENESIS, Break
from cases.models import Case, CaseEvent

__all__ = ["GENESIS", "Break", "canonical", "compute_hash", "content", "verify", "verify_events"]


def content(event: CaseEvent) -> dict[str, Any]:
    """What an event's hash covers, as :mod:`cases.chain` (and an exported file) names it."""
    return {
        "case": event.case_id,
        "seq": event.seq,
        "at": chain.utc(event.at),
        "actor": event.actor_id,
        "actor_name": event.actor_name,
        "role": event.role,
        "action": event.action,
        "from": event.from_state,
        "to": event.to_state,
        "note": event.note,
        "data": event.data,
    }


def canonical(event: CaseEvent) -> bytes:
    return chain.canonical(content(event))


def compute_hash(prev_hash: str, event: CaseEvent) -> str:
    return chain.event_hash(prev_hash, content(event))


def store(event: CaseEvent) -> CaseEvent:
    """Store an event from :func:`next_event` and move its case's stored head to it."""
    event.save(force_insert=True)
    Case.objects.filter(pk=event.case_id).update(archive_seq=event.seq, archive_head=event.hash)
    return event


def next_event(
    case: Case,
    *,
    action: str,
    actor: Any,
    role: str,
    from_state: str,
    to_state: str,
    note: str = "",
    data: dict[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> CaseEvent:
    """The case's next event, hashed and not yet stored, with the case's head (``archive_seq``,
    ``archive_head``) moved to it in memory: the caller stores both in one transaction (a new
    case: the head goes into the case's own insert). The case needs its id."""
    # The case row is locked by the caller (or not stored yet); its head names the last event.
    seq = case.archive_seq + 1
    prev_hash = case.archive_head or GENESIS
    user = actor if getattr(actor, "is_authenticated", False) else None
    event = CaseEvent(
        case=case,
        seq=seq,
        at=at or timezone.now(),
        actor=user,
        actor_name=(user.get_username() if user else str(actor or "system")),
        role=role,
        action=action,
        from_state=from_state,
        to_state=to_state,
        note=note,
        data=json.loads(json.dumps(data or {}, ensure_ascii=False, default=str)),
        prev_hash=prev_hash,
    )
    event.hash = compute_hash(prev_hash, event)
    case.archive_seq, case.archive_head = seq, event.hash
    return event


def verify_events(
    case_id: int, events: Iterable[CaseEvent], head: tuple[int, str] | None = None
) -> Break | None:
    """The first broken link of one case's chain, or None when it is intact.

    ``head`` is the (seq, hash) the case itself records for its last event: it catches the
    removal of events at the end of the chain.
    """
    links = (chain.Link(e.seq, e.prev_hash, e.hash, content(e)) for e in events)
    return chain.first_break(case_id, links, head)


def verify(case_ids: Iterable[int] | None = None, chunk: int = 2000) -> Iterator[Break]:
    """Recompute the chains of the given cases (all by default), yielding each break."""
    cases = Case.objects.order_by("pk")
    if case_ids is not None:
        cases = cases.filter(pk__in=list(case_ids))
    heads = {
        pk: (seq, head) for pk, seq, head in cases.values_list("pk", "archive_seq", "archive_head")
    }
    qs = CaseEvent.objects.filter(case_id__in=list(heads)).order_by("case_id", "seq")
    seen: set[int] = set()
    current: int | None = None
    batch: list[CaseEvent] = []
    for event in qs.iterator(chunk_size=chunk):
        if event.case_id != current:
            if batch and (broken := verify_events(current, batch, heads.get(current))):
                yield broken
            current, batch = event.case_id, []
            seen.add(event.case_id)
        batch.append(event)
    if batch and (broken := verify_events(current, batch, heads.get(current))):
        yield broken
    for pk in sorted(set(heads) - seen):
        if heads[pk][0]:
            yield Break(pk, 1, "the case records events but none are left")
