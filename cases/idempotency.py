"""Resends of a report (R24.1, R18.1): the same ``client_id`` with the same content is the
stored case; with different content it is a conflict, never a silent loss of the new report.
A ``client_id`` counts only within its reporter's namespace (:func:`key_for`).

"Content" is the report as parsed, before anything on the server is consulted (grid, list in
force, roles): the matter code, the description, the point as given (converted to WGS-84), the
address, urgency, the channel asked for, the reporter's name and normalised phone, the
involved persons (normalised numbers), the photos' SHA-256 and the settle note. Its canonical
JSON is hashed with the personal-data digest key (HMAC-SHA256, :mod:`audit.personal_data`),
because it holds phone and ID numbers: a plain hash of a content otherwise known could be
brute-forced for a masked number. The digest is a column of the case, written by the same
single insert as the rest of the report (``gridgov.rows``), so a new report costs no query more
and a resend is still found by the unique key at insert (ADR 0006, docs/performance.md).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from audit import personal_data
from cases.involved import InvolvedInput
from cases.links import LinkInput
from cases.models import Case
from gridgov.access import scoping
from gridgov.errors import Conflict

DIGEST_KIND = "case-report-v1"
REPORTER_KEY_MAX = 40


def key_for(actor: Any, user: Any, client_id: str, reporter_key: str = "") -> str | None:
    """The unique key a report is stored under: the client's ``client_id`` in its reporter's
    own namespace, so that nobody gets another reporter's case (and its tracking code) by
    replaying a ``client_id`` (R18.1, R22.1).

    - an account: its user id;
    - a visitor without an account (the portal): ``reporter_key``, the server's hash of a
      secret of that browser (cases.views_public); without one there is no idempotency at
      all rather than one namespace shared by every visitor;
    - the system (the demo, commands): one namespace of its own, ``anon:`` as before.
    """
    if not client_id:
        return None
    if user is not None:
        return f"{user.pk}:{client_id}"
    if scoping.is_system(actor):
        return f"anon:{client_id}"
    if reporter_key:
        return f"b{reporter_key[:REPORTER_KEY_MAX]}:{client_id}"
    return None


@dataclass
class Received:
    """What intake learnt of a report before it failed: the digest of its content, once
    parsed (blank when the input did not parse: then the error is the answer)."""

    digest: str = ""


def content_digest(
    *,
    matter: str,
    description: str,
    point: tuple[float, float],
    address: str,
    urgent: bool,
    channel: str,
    reporter_name: str,
    reporter_phone: str,
    involved: Sequence[InvolvedInput],
    photos: Sequence[str],
    settle_note: str,
    links: Sequence[LinkInput] = (),
) -> str:
    content: list[Any] = [
        matter,
        description,
        list(point),
        address,
        bool(urgent),
        channel,
        reporter_name,
        reporter_phone,
        [p.canonical() for p in involved],
        list(photos),
        settle_note,
    ]
    if links:  # a report without links is covered as before links existed
        content.append([link.canonical() for link in links])
    canonical = json.dumps(
        content,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return personal_data.digest(canonical, kind=DIGEST_KIND)


def answer_resend(stored: Case, received: Received) -> Case:
    """The stored case for a resend of the same report; :class:`Conflict` (HTTP 409) naming
    it when the content differs. (Input that does not parse is refused as bad input before
    this.) A case stored before digests existed has none and is answered as before."""
    if stored.content_digest and stored.content_digest != received.digest:
        raise Conflict(
            _(
                "该 client_id 已用于事件 %(code)s,但内容不同:本次上报未保存。"
                "如是另一件事,请换一个 client_id 重新提交。"
            )
            % {"code": stored.tracking_code},
            field="client_id",
            code="client_id_conflict",
            extra={"case": {"id": stored.pk, "tracking_code": stored.tracking_code}},
        )
    return stored
