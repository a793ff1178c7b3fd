"""The archive's hash chain in plain Python (R26.1, R26.2): no Django, no database.

One definition of the canonical form of an event and of the walk along a chain, used by the
archive itself (:mod:`cases.archive` hashes and verifies what the database holds) and by anyone
holding an exported case file (``gridgov-case-file/2``, :func:`cases.exports.case_file`)::

    python -m cases.chain EXPORT.json            # this file alone, no settings, no database
    python manage.py verify_archive --file EXPORT.json

The form is documented in docs/archive.md, with a verifier of a dozen lines in any language:

- an event's content is the object with the keys :data:`CANONICAL_KEYS`; its canonical bytes are
  that object as JSON with sorted keys, no whitespace, non-ASCII characters as themselves, UTF-8;
  ``at`` is the UTC time with microseconds (``2025-03-01T01:02:03.456789Z``);
- ``hash = SHA-256(prev_hash + canonical bytes)`` as lowercase hex, where ``prev_hash`` is the
  previous event's hash, and 64 zeros for the first event.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

GENESIS = "0" * 64
FORMAT = "gridgov-case-file/2"
CANONICAL_KEYS = (
    "case",
    "seq",
    "at",
    "actor",
    "actor_name",
    "role",
    "action",
    "from",
    "to",
    "note",
    "data",
)
# What each attachment of the file must match in its event's manifest (``data.attachments``);
# ``public`` is in a manifest only when true.
ATTACHMENT_KEYS = ("name", "sha256", "size", "content_type")


def _attachment_key(item: Mapping[str, Any]) -> tuple[Any, ...]:
    return (*(item.get(k) for k in ATTACHMENT_KEYS), item.get("public", False) is True)


def utc(value: dt.datetime) -> str:
    """A time as the canonical form writes it: UTC, microseconds, ``Z``."""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(content: Mapping[str, Any]) -> bytes:
    """The bytes an event's hash covers (``content`` holds at least :data:`CANONICAL_KEYS`)."""
    chosen = {key: content[key] for key in CANONICAL_KEYS}
    return json.dumps(chosen, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def event_hash(prev_hash: str, content: Mapping[str, Any]) -> str:
    return hashlib.sha256(prev_hash.encode() + canonical(content)).hexdigest()


@dataclass(frozen=True)
class Break:
    """A broken link: the case, the event (0: the file as a whole) and what is wrong."""

    case_id: Any
    seq: Any
    reason: str

    def __str__(self) -> str:
        return f"case {self.case_id}: event {self.seq}: {self.reason}"


@dataclass(frozen=True)
class Link:
    """One event as the chain sees it: its number, the hashes it carries and its content."""

    seq: Any
    prev_hash: Any
    hash: Any
    content: Mapping[str, Any]


def first_break(
    case_id: Any, links: Iterable[Link], head: tuple[Any, Any] | None = None
) -> Break | None:
    """The first broken link of one case's chain, or None when it is intact.

    ``head`` is the (seq, hash) recorded for the last event (on the case row, or in the file's
    ``chain``): it catches the removal of events at the end of the chain.
    """
    prev_hash = GENESIS
    expected_seq = 1
    for link in links:
        if link.seq != expected_seq:
            return Break(case_id, expected_seq, f"missing (found event {link.seq} next)")
        if link.prev_hash != prev_hash:
            return Break(case_id, link.seq, "does not follow the previous event's hash")
        if event_hash(prev_hash, link.content) != link.hash:
            return Break(case_id, link.seq, "content does not match its hash (altered)")
        prev_hash = link.hash
        expected_seq += 1
    if head is not None and tuple(head) != (expected_seq - 1, prev_hash):
        return Break(case_id, head[0], "the case records a last event the chain does not end with")
    return None


# --- an exported case file ---------------------------------------------------------------------


def _links(case_id: Any, events: Sequence[Any]) -> tuple[list[Link], list[Break]]:
    links, problems = [], []
    for position, event in enumerate(events, start=1):
        if not isinstance(event, Mapping):
            problems.append(Break(case_id, position, "is not an object"))
            continue
        missing = [k for k in (*CANONICAL_KEYS, "prev_hash", "hash") if k not in event]
        if missing:
            seq = event.get("seq", position)
            problems.append(Break(case_id, seq, f"lacks {', '.join(missing)}"))
            continue
        if event["case"] != case_id:
            problems.append(Break(case_id, event["seq"], f"belongs to case {event['case']}"))
        links.append(Link(event["seq"], event["prev_hash"], event["hash"], event))
    return links, problems


def _manifests(events: Sequence[Any]) -> dict[Any, list[Mapping[str, Any]]]:
    found: dict[Any, list[Mapping[str, Any]]] = {}
    for event in events:
        if isinstance(event, Mapping) and isinstance(event.get("data"), Mapping):
            listed = event["data"].get("attachments") or []
            found[event.get("seq")] = [m for m in listed if isinstance(m, Mapping)]
    return found


def _attachment_breaks(case_id: Any, data: Mapping[str, Any]) -> list[Break]:
    """Each attachment of the file is in its event's manifest, and each manifest entry is an
    attachment of the file: the hashes cover the photos' SHA-256 through the manifests."""
    manifests = _manifests(data.get("events") or [])
    attachments = data.get("attachments")
    if not isinstance(attachments, list):
        return [Break(case_id, 0, "the file has no list of attachments")]
    problems = []
    carried: dict[Any, list[tuple[Any, ...]]] = {}
    for item in attachments:
        if not isinstance(item, Mapping):
            problems.append(Break(case_id, 0, "an attachment is not an object"))
            continue
        key = _attachment_key(item)
        listed = [_attachment_key(m) for m in manifests.get(item.get("event"), [])]
        if key not in listed:
            problems.append(
                Break(
                    case_id,
                    item.get("event"),
                    f"attachment {item.get('sha256')} is not in the event's manifest",
                )
            )
        carried.setdefault(item.get("event"), []).append(key)
    for seq, listed in manifests.items():
        for manifest in listed:
            key = _attachment_key(manifest)
            if key not in carried.get(seq, []):
                problems.append(
                    Break(case_id, seq, f"attachment {manifest.get('sha256')} is not in the file")
                )
    return problems


def verify_case_file(data: Any) -> list[Break]:
    """Every problem of an exported case file (empty: the chain in it is intact).

    Checks the chain of its events from the first to the head the file records, that every
    event belongs to the file's case, that the case is in the state its last event left it
    in, and that its attachments are exactly those its events' manifests list.
    """
    if not isinstance(data, Mapping) or data.get("format") != FORMAT:
        found = data.get("format") if isinstance(data, Mapping) else type(data).__name__
        return [Break("?", 0, f"not a {FORMAT} file (format: {found})")]
    case = data.get("case") if isinstance(data.get("case"), Mapping) else {}
    case_id = case.get("id", "?")
    events = data.get("events")
    if not isinstance(events, list):
        return [Break(case_id, 0, "the file has no list of events")]
    links, problems = _links(case_id, events)
    chain = data.get("chain") if isinstance(data.get("chain"), Mapping) else {}
    head = (chain.get("seq"), chain.get("head"))
    broken = first_break(case_id, links, head)
    if broken is not None:
        problems.append(broken)
    if links and case.get("state") != links[-1].content.get("to"):
        problems.append(
            Break(case_id, links[-1].seq, "the case's state is not where its last event left it")
        )
    return problems + _attachment_breaks(case_id, data)


def verify_file(path: str | Path) -> tuple[dict[str, Any], list[Break]]:
    """Read and verify an exported case file; ValueError when it is not readable JSON."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise ValueError(f"cannot read {path}: {exc}") from None
    return data, verify_case_file(data)


def summary(data: Mapping[str, Any]) -> str:
    case = data.get("case") or {}
    return (
        f"case {case.get('id')} ({case.get('tracking_code')}): "
        f"{len(data.get('events') or [])} events, "
        f"{len(data.get('attachments') or [])} attachments: intact"
    )


def main(argv: Sequence[str]) -> int:
    """``python -m cases.chain FILE…``: 0 when every file's chain is intact."""
    if len(argv) < 2:
        print("usage: python -m cases.chain EXPORT.json [...]", file=sys.stderr)
        return 2
    status = 0
    for path in argv[1:]:
        try:
            data, problems = verify_file(path)
        except ValueError as exc:
            print(exc, file=sys.stderr)
            status = 1
            continue
        for problem in problems:
            print(f"{path}: broken: {problem}", file=sys.stderr)
        if problems:
            status = 1
        else:
            print(f"{path}: {summary(data)}")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
