"""A person's notification centre (R26.1, R27.1, R22.1): the badge, the list, marking read.

Every query starts from :func:`receipts`: the person's own receipts, through the scoping
mechanism (a rule that admits only ``user = me``; the superuser, unscoped elsewhere, still sees
only their own here). Counting is bounded: the badge reads at most :data:`BADGE_BOUND` rows of
the partial index of unread receipts and shows "99+" beyond. The list is keyset-paginated on
the receipt id (newest first), so page 1000 costs what page 1 does.

A notification links to its case only when the person may open the case on the workbench of
the audience it was sent to (the console for an agency, the department inbox for a department,
the phone app for a grid's workers), checked with one scoped query per page.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import services as audit
from cases import worklists
from cases.actions import CaseAction
from cases.models import Case, Notification
from cases.notify.models import NOTIFICATION_RECEIVERS, NotificationReceipt
from gridgov.access import scoping
from gridgov.errors import DomainError, NotFound

BADGE_BOUND = 100  # the badge counts up to 99 and shows "99+" beyond
PAGE_SIZE = 30
# New unread notifications of these kinds draw the console's attention (sound, highlight).
ALERT_KINDS = frozenset({Notification.Kind.URGENT, Notification.Kind.RED})

AGENCY = "agency"
DEPARTMENT = "department"
GRID = "grid"


def audience_of(notification: Notification) -> str:
    if notification.grid_code:
        return GRID
    if notification.department_id:
        return DEPARTMENT
    return AGENCY


# --- where a notification leads (a hook: fieldwork registers the phone app's pages) -----------


@dataclass(frozen=True)
class CaseLink:
    url_name: str  # reversed with the case's pk
    roles: frozenset[str]  # the person must see the case through one of these roles


_case_links: dict[str, CaseLink] = {
    AGENCY: CaseLink("cases:case", worklists.CONSOLE_ROLES),
    DEPARTMENT: CaseLink("cases:dept-case", worklists.DEPARTMENT_ROLES),
}
_other_links: dict[tuple[str, str], str] = {
    (Notification.Kind.WARNING, AGENCY): "cases:warnings",
    (Notification.Kind.WARNING, DEPARTMENT): "cases:dept-warnings",
}
_list_pages: dict[str, str] = {}


def register_case_link(audience: str, url_name: str, roles: Iterable[str]) -> None:
    """Where a notification sent to ``audience`` opens its case (an app above ``cases``)."""
    _case_links[audience] = CaseLink(url_name, frozenset(roles))


def register_list_page(namespace: str, url_name: str) -> None:
    """The notification list of a workbench whose pages live under URL ``namespace`` (the
    phone app keeps its own, inside the app)."""
    _list_pages[namespace] = url_name


def list_url(namespace: str | None) -> str:
    return reverse(_list_pages.get(namespace or "", "cases:notifications"))


# --- reading ----------------------------------------------------------------------------------


def receipts(user: Any) -> QuerySet[NotificationReceipt]:
    """The person's own receipts (nothing for anonymous or role-less users)."""
    if not getattr(user, "is_authenticated", False):
        return NotificationReceipt.objects.none()
    return scoping.scope_queryset(user, NotificationReceipt.objects.filter(user=user))


def may_receive(user: Any) -> bool:
    return scoping.has_role(user, NOTIFICATION_RECEIVERS)


_SEEN = re.compile(r"([0-9]{1,18})-([0-9]{1,3})")
_ID = re.compile(r"[0-9]{1,18}")


def parse_id(value: Any, field: str) -> int | None:
    """A receipt id given by a page (ASCII digits only: ``"¹"`` is not one); None if blank."""
    text = str(value or "").strip()
    if not text:
        return None
    if _ID.fullmatch(text) is None:
        raise DomainError(_("%(field)s 须为正整数") % {"field": field}, field=field)
    return int(text)


def parse_seen(value: str | None) -> tuple[int, int] | None:
    """The badge state a page last showed (``"<newest>-<count>"``), None when blank."""
    if not value:
        return None
    match = _SEEN.fullmatch(value)
    if match is None:
        raise DomainError(_("seen 的格式应为 <编号>-<数量>"), field="seen", code="invalid")
    return int(match[1]), int(match[2])


@dataclass(frozen=True)
class Badge:
    count: int  # unread, up to BADGE_BOUND
    newest: int  # the newest unread receipt's id (0: none)
    alert: NotificationReceipt | None = None  # a new urgent/red one since the page's last state

    @property
    def label(self) -> str:
        return f"{BADGE_BOUND - 1}+" if self.count >= BADGE_BOUND else str(self.count)

    @property
    def state(self) -> str:
        return f"{self.newest}-{self.count}"


def badge(user: Any, *, since: int | None = None) -> Badge:
    """The unread count (bounded) and, when ``since`` (the newest id the page knew, 0 for
    none) is given, the newest urgent or red notification that arrived after it."""
    unread = receipts(user).filter(read_at__isnull=True)
    ids = list(unread.order_by("-id").values_list("pk", flat=True)[:BADGE_BOUND])
    newest = ids[0] if ids else 0
    alert = None
    if since is not None and newest > since:
        alert = (
            unread.filter(pk__gt=since, notification__kind__in=ALERT_KINDS)
            .select_related("notification")
            .order_by("-id")
            .first()
        )
    return Badge(len(ids), newest, alert)


@dataclass(frozen=True)
class Entry:
    receipt: NotificationReceipt
    link: str  # "" when the person may not open the case (any more)

    @property
    def notification(self) -> Notification:
        return self.receipt.notification


@dataclass(frozen=True)
class Page:
    entries: list[Entry]
    next_before: int | None  # the ``before`` of the next (older) page, None on the last


def page(
    user: Any, *, before: int | None = None, unread_only: bool = False, size: int = PAGE_SIZE
) -> Page:
    """One page of the person's notifications, newest first (keyset on the receipt id)."""
    queryset = receipts(user).select_related("notification__case")
    if unread_only:
        queryset = queryset.filter(read_at__isnull=True)
    if before is not None:
        queryset = queryset.filter(pk__lt=before)
    rows = list(queryset.order_by("-id")[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    links = links_for(user, rows)
    return Page(
        [Entry(r, links.get(r.pk, "")) for r in rows], rows[-1].pk if more and rows else None
    )


def links_for(user: Any, rows: list[NotificationReceipt]) -> dict[int, str]:
    """The link of each receipt: its case's page on the audience's workbench if the person
    may open it there, the warnings page for a warning, else none."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for row in rows:
        n = row.notification
        if n.case_id and audience_of(n) in _case_links:
            wanted[audience_of(n)].add(n.case_id)
    visible: dict[str, set[int]] = {}
    for audience, ids in wanted.items():
        link = _case_links[audience]
        cases = scoping.scope_queryset(user, Case.objects.filter(pk__in=ids), roles=link.roles)
        visible[audience] = set(cases.values_list("pk", flat=True))
    links: dict[int, str] = {}
    for row in rows:
        n = row.notification
        audience = audience_of(n)
        try:
            if n.case_id and n.case_id in visible.get(audience, ()):
                links[row.pk] = reverse(_case_links[audience].url_name, args=[n.case_id])
            elif (n.kind, audience) in _other_links:
                links[row.pk] = reverse(_other_links[n.kind, audience])
        except NoReverseMatch:  # a workbench not installed
            continue
    return links


# --- marking read (R28.1: audited; idempotent) --------------------------------------------


def _role(user: Any) -> str:
    grants = scoping.grants_for(user, NOTIFICATION_RECEIVERS)
    return scoping.acting_role(user, grants[0] if grants else None)


def _region_of(notification: Notification) -> str:
    if notification.case_id:
        return notification.case.grid_code
    return notification.agency_code or notification.grid_code


@transaction.atomic
def mark_read(user: Any, receipt_id: Any) -> NotificationReceipt:
    """Mark one of the person's notifications read (again: no change, no record)."""
    pk = receipt_id if isinstance(receipt_id, int) else parse_id(receipt_id, "id")
    receipt = (
        receipts(user)
        .select_for_update(of=("self",))
        .select_related("notification__case")
        .filter(pk=pk)
        .first()
    )
    if receipt is None:
        raise NotFound(_("没有这条通知"))
    if receipt.read_at is None:
        receipt.read_at = timezone.now()
        receipt.save(update_fields=["read_at"])
        audit.record(
            user,
            CaseAction.NOTIFICATION_READ,
            receipt.notification,
            after={"receipt": receipt.pk, "read_at": receipt.read_at},
            region_code=_region_of(receipt.notification),
            role=_role(user),
        )
    return receipt


@transaction.atomic
def mark_all_read(user: Any, *, up_to: int | None = None) -> int:
    """Mark every unread notification of the person read, up to the receipt ``up_to`` (the
    newest the page showed: one that arrived since stays unread). Returns how many changed."""
    unread = receipts(user).filter(read_at__isnull=True)
    if up_to is not None:
        unread = unread.filter(pk__lte=up_to)
    now = timezone.now()
    changed = unread.update(read_at=now)
    if changed:
        audit.record(
            user,
            CaseAction.NOTIFICATIONS_READ_ALL,
            None,
            after={"count": changed, "up_to": up_to, "read_at": now},
            object_type=NotificationReceipt._meta.label_lower,
            object_repr=str(user)[:200],
            role=_role(user),
        )
    return changed
