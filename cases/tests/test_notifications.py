"""The notification centre (issue 10 "alerts reach people"; R26.1, R27.1, R24.1, R22.1).

Notifications the services write reach each person of their audience (the agency's staff,
the department's staff, the grid's workers), who sees a bounded unread count in every
workbench's header, a keyset-paginated list of their own notifications only, each linking to
its case where they may open it, and marks one or all read (audited, idempotent).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditRecord
from cases import primitives, services
from cases.inputs import ReportInput
from cases.models import Case, Notification, State
from cases.notify import inbox
from cases.notify.models import NotificationReceipt
from gridgov.access import roles as R
from gridgov.testing import people
from people import services as people_services

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def report(world: Any, actor: Any = None, **kw: Any) -> Case:
    lng, lat = world.point
    kw.setdefault("matter", world.entry_code)
    kw.setdefault("description", "小区门口路灯损坏,夜间有治安隐患")
    return services.intake(actor or world.worker, ReportInput(lng=lng, lat=lat, **kw)).case


def department_head(world: Any, department: Any, username: str = "police_head") -> Any:
    user = people.make_account(username)
    people_services.grant_role("test", user, R.Role.DEPT_HEAD, department=department)
    return user


def received(user: Any) -> list[tuple[str, int | None]]:
    """(kind, case id) of the user's notifications, oldest first."""
    return list(
        NotificationReceipt.objects.filter(user=user)
        .order_by("pk")
        .values_list("notification__kind", "notification__case_id")
    )


def many(world: Any, n: int, user: Any, kind: str = Notification.Kind.AMBER) -> list[int]:
    """``n`` notifications to the township agency (the dispatcher's); their receipt ids."""
    for i in range(n):
        primitives.notify(kind, f"test:{kind}:{i}", f"提醒 {i}", agency_code="440703002")
    return list(
        NotificationReceipt.objects.filter(user=user).order_by("pk").values_list("pk", flat=True)
    )


# --- who gets what ---------------------------------------------------------------------------


def test_r26_1_an_urgent_report_reaches_the_agency_and_the_departments(world):
    """R26.1, R24.2: an urgent case notifies the agency holding it (each of its staff) and the
    departments the list names; nobody else."""
    case = report(world, urgent=True)
    assert received(world.dispatcher) == [("urgent", case.pk)]
    assert received(world.police_handler) == [("urgent", case.pk)]
    assert received(world.urban_handler) == [("urgent", case.pk)]
    for other in (world.county_dispatcher, world.foreign_dispatcher, world.housing_handler):
        assert received(other) == []
    # the notification itself is still written once per key, whatever the retries
    assert Notification.objects.filter(case=case, kind="urgent").count() == 3


def test_r24_1_a_residents_report_asks_the_grids_workers_to_verify(world):
    """R24.1 收集核实: a report from the portal waits for the grid's workers, who are told."""
    case = report(world, world.resident, channel="portal")
    assert case.state == State.REPORTED
    assert received(world.worker) == [("verify", case.pk)]
    assert received(world.leader) == [("verify", case.pk)]
    assert received(world.dispatcher) == []  # the console's queue shows it; no notice
    # a worker's own report starts verified: nobody is asked to verify it
    mine = report(world)
    assert ("verify", mine.pk) not in received(world.worker)


def test_r26_1_a_handled_case_asks_the_grids_workers_to_check_it(world):
    """R26.1 核查: the lead department's feedback puts the case before the grid on site."""
    case = report(world)
    services.accept(world.dispatcher, case.pk)
    services.dispatch(world.dispatcher, case.pk)
    services.sign(world.police_handler, case.pk)
    services.feedback(world.police_handler, case.pk, note="已处理")
    assert ("check", case.pk) in received(world.worker)
    assert ("dispatched", case.pk) in received(world.police_handler)


def test_r27_1_a_warning_reaches_the_department_head_not_the_handlers(world):
    """R27.1: a warning goes to the head who answers for the unit."""
    head = department_head(world, world.police)
    warning = _warning(world)
    primitives.notify("warning", f"warning:{warning.pk}", warning.reason, department=world.police)
    assert received(head) == [("warning", None)]
    assert received(world.police_handler) == []


def _warning(world: Any, department: Any = None, reason: str = "超期办理 3 件") -> Any:
    from cases.models import Warning

    today = timezone.localdate()
    return Warning.objects.create(
        department=department or world.police,
        region_code="440703",
        period_start=today - dt.timedelta(days=30),
        period_end=today,
        late_count=3,
        reason=reason,
    )


def test_r26_1_inactive_accounts_and_ended_roles_get_nothing(world):
    world.dispatcher.is_active = False
    world.dispatcher.save()
    case = report(world, urgent=True)
    assert received(world.dispatcher) == []
    assert received(world.police_handler) == [("urgent", case.pk)]


# --- the badge: a bounded count, one cheap query -----------------------------------------------


def test_r26_1_the_unread_count_is_bounded_and_cheap(world, django_assert_max_num_queries):
    """R26.1: the badge reads at most 100 index entries and says "99+" beyond; counting a
    person's unread notifications is one query whatever their number."""
    many(world, 120, world.dispatcher)
    inbox.badge(world.dispatcher)  # a warm process: the person's roles are cached
    with django_assert_max_num_queries(1):
        badge = inbox.badge(world.dispatcher)
    assert (badge.count, badge.label) == (100, "99+")
    assert inbox.badge(world.county_dispatcher).label == "0"


def test_r26_1_the_unread_count_query_uses_the_partial_index(world):
    """The count's query is the range the partial index ``receipt_unread_newest_first``
    holds: the person's unread receipts, newest first."""
    from django.db import connection

    many(world, 3, world.dispatcher)
    unread = inbox.receipts(world.dispatcher).filter(read_at__isnull=True).order_by("-id")
    sql = str(unread.values("pk").query)
    assert '"read_at" IS NULL' in sql and '"user_id" =' in sql
    sql, params = unread.values("pk")[:100].query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # a test table is tiny: make the planner show which index it would use at scale
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql, params)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "receipt_unread_newest_first" in plan, plan


def test_r26_1_the_badge_names_a_new_urgent_notification_once(world):
    """The console's cue: the badge says which urgent or red notification is new since the
    state the page showed, and only then."""
    first = inbox.badge(world.dispatcher)
    assert first.state == "0-0" and first.alert is None
    case = report(world, urgent=True)
    after = inbox.badge(world.dispatcher, since=first.newest)
    assert after.count == 1 and after.alert is not None
    assert after.alert.notification.case_id == case.pk
    assert inbox.badge(world.dispatcher, since=after.newest).alert is None
    many(world, 1, world.dispatcher, kind=Notification.Kind.AMBER)  # amber: no cue
    assert inbox.badge(world.dispatcher, since=after.newest).alert is None


# --- the list: own notifications only, keyset pages, links where the case may be opened --------


def test_r22_1_the_list_shows_only_the_persons_own_notifications_newest_first(world):
    mine = many(world, 35, world.dispatcher)
    primitives.notify("amber", "other", "县级提醒", agency_code="440703")
    first = inbox.page(world.dispatcher)
    assert [e.receipt.pk for e in first.entries] == mine[::-1][:30]
    assert first.next_before == mine[5]
    second = inbox.page(world.dispatcher, before=first.next_before)
    assert [e.receipt.pk for e in second.entries] == mine[::-1][30:]
    assert second.next_before is None
    assert [e.notification.message for e in inbox.page(world.county_dispatcher).entries] == [
        "县级提醒"
    ]


def test_r22_1_the_superuser_sees_only_their_own_notifications_too(world):
    many(world, 2, world.dispatcher)
    boss = people.make_account("boss")
    boss.is_superuser = True
    boss.save()
    assert inbox.page(boss).entries == []
    assert inbox.badge(boss).count == 0


def test_r26_1_each_notification_links_to_its_case_on_the_audiences_workbench(world):
    case = report(world, urgent=True)
    resident_case = report(world, world.resident, channel="portal")
    [agency] = inbox.page(world.dispatcher).entries
    assert agency.link == reverse("cases:case", args=[case.pk])
    # a department opens a case once it is dispatched to it: before, the notice is text only
    [department] = inbox.page(world.police_handler).entries
    assert department.link == ""
    services.accept(world.dispatcher, case.pk)
    services.dispatch(world.dispatcher, case.pk)
    department = inbox.page(world.police_handler).entries[-1]
    assert department.notification.kind == "urgent"
    assert department.link == reverse("cases:dept-case", args=[case.pk])
    [grid] = [e for e in inbox.page(world.worker).entries if e.notification.kind == "verify"]
    assert grid.link == reverse("fieldwork:case", args=[resident_case.pk])


def test_r22_1_no_link_to_a_case_the_person_may_not_open(world):
    """A notification kept after the person's reach changed links to nothing."""
    case = report(world, urgent=True)
    notice = Notification.objects.get(case=case, agency_code="440703002")
    stale = NotificationReceipt.objects.create(notification=notice, user=world.foreign_dispatcher)
    [entry] = inbox.page(world.foreign_dispatcher).entries
    assert entry.receipt == stale and entry.link == ""


def test_r27_1_a_warning_notification_links_to_the_warnings_page(world):
    head = department_head(world, world.police)
    warning = _warning(world)
    primitives.notify("warning", f"warning:{warning.pk}", warning.reason, department=world.police)
    [entry] = inbox.page(head).entries
    assert entry.link == reverse("cases:dept-warnings")


# --- marking read: audited, idempotent ----------------------------------------------------------


def test_r28_1_marking_read_is_audited_once_and_idempotent(world):
    [receipt_id] = many(world, 1, world.dispatcher)
    inbox.mark_read(world.dispatcher, receipt_id)
    inbox.mark_read(world.dispatcher, str(receipt_id))
    assert NotificationReceipt.objects.get(pk=receipt_id).read_at is not None
    record = AuditRecord.objects.get(action="notifications.read")
    assert record.actor == world.dispatcher and record.role == R.Role.DISPATCHER
    assert inbox.badge(world.dispatcher).count == 0


def test_r22_1_nobody_marks_another_persons_notification(world):
    from gridgov.errors import DomainError, NotFound

    [receipt_id] = many(world, 1, world.dispatcher)
    with pytest.raises(NotFound):
        inbox.mark_read(world.county_dispatcher, receipt_id)
    with pytest.raises(DomainError):
        inbox.mark_read(world.dispatcher, "¹")
    assert NotificationReceipt.objects.get(pk=receipt_id).read_at is None


def test_r28_1_mark_all_read_stops_at_the_newest_the_page_showed(world):
    ids = many(world, 4, world.dispatcher)
    assert inbox.mark_all_read(world.dispatcher, up_to=ids[2]) == 3
    assert inbox.mark_all_read(world.dispatcher, up_to=ids[2]) == 0
    assert inbox.badge(world.dispatcher).count == 1  # the one that came after the page
    assert AuditRecord.objects.filter(action="notifications.read_all").count() == 1


# --- the pages -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("dispatcher", "/console/"),
        ("police_handler", "/dept/"),
        ("worker", "/m/"),
        ("dispatcher", "/people/"),
        ("dispatcher", "/notifications/"),
    ],
)
def test_r26_1_every_workbench_header_has_the_badge(world, who, url):
    many(world, 3, world.dispatcher)
    report(world, world.resident, channel="portal")  # a verify notice for the worker
    response = client_for(getattr(world, who)).get(url)
    assert response.status_code == 200, url
    body = response.content.decode()
    assert 'id="notify-badge"' in body
    assert 'hx-get="/notifications/badge/"' in body
    if who == "dispatcher":
        assert '<span class="notify-count" aria-hidden="false">3</span>' in body
    if url == "/m/":
        assert 'href="/m/notifications/"' in body  # the phone app keeps its own list


def test_the_badge_is_not_shown_to_people_without_notifications(world):
    body = client_for(world.resident).get("/public/").content.decode()
    assert 'id="notify-badge"' not in body
    assert 'id="notify-badge"' not in Client().get("/").content.decode()


def test_r26_1_the_badge_answers_204_until_something_changes(world):
    client = client_for(world.dispatcher)
    first = client.get("/notifications/badge/", **HTMX)
    assert first.status_code == 200 and 'data-state="0-0"' in first.content.decode()
    assert "no-cache" in first["Cache-Control"] or "no-store" in first["Cache-Control"]
    assert client.get("/notifications/badge/", {"seen": "0-0"}, **HTMX).status_code == 204
    case = report(world, urgent=True)
    changed = client.get("/notifications/badge/", {"seen": "0-0"}, **HTMX)
    body = changed.content.decode()
    assert changed.status_code == 200
    assert 'data-alert="urgent"' in body and case.tracking_code in body
    assert client.get("/notifications/badge/", {"seen": "¹-0"}, **HTMX).status_code == 400


def test_r22_1_a_signed_out_page_stops_polling(world):
    assert Client().get("/notifications/badge/", **HTMX).status_code == 286
    assert client_for(world.resident).get("/notifications/badge/", **HTMX).status_code == 286
    plain = Client().get("/notifications/badge/")
    assert plain.status_code == 302 and "/accounts/login/" in plain["Location"]


def test_r26_1_the_list_page_marks_read_one_and_all(world):
    ids = many(world, 3, world.dispatcher)
    client = client_for(world.dispatcher)
    page = client.get("/notifications/")
    body = page.content.decode()
    assert page.status_code == 200 and body.count('class="notice kind-amber unread"') == 3
    assert f'name="up_to" value="{ids[-1]}"' in body
    swapped = client.post(f"/notifications/{ids[0]}/read/", {"next": "/notifications/"}, **HTMX)
    assert swapped.status_code == 200 and "notificationsChanged" in swapped["HX-Trigger"]
    assert 'class="notice kind-amber"' in swapped.content.decode()
    done = client.post("/notifications/read-all/", {"up_to": ids[-1], "next": "/notifications/"})
    assert done.status_code == 302 and done["Location"] == "/notifications/"
    assert inbox.badge(world.dispatcher).count == 0
    assert client.get("/notifications/", {"before": "x"}).status_code == 400
    assert client.post("/notifications/read-all/", {"up_to": "²"}).status_code == 400
    other = client_for(world.county_dispatcher).post(f"/notifications/{ids[0]}/read/")
    assert other.status_code == 404


def test_r26_1_the_phone_app_has_its_own_list_page(world):
    case = report(world, world.resident, channel="portal")
    response = client_for(world.worker).get("/m/notifications/")
    body = response.content.decode()
    assert response.status_code == 200
    assert f'href="/m/cases/{case.pk}/"' in body
    assert "data-outbox" in body  # the phone app's shell (offline queue) is still there


# --- warnings pages (R27.1) --------------------------------------------------------------------


def test_r27_1_the_agency_and_the_department_head_see_the_warnings(world):
    head = department_head(world, world.police)
    urban_head = department_head(world, world.urban, "urban_head")
    mine = _warning(world, reason="公安超期办理 3 件")
    _warning(world, world.urban, reason="城管超期办理 4 件")
    console = client_for(world.supervisor).get("/console/warnings/").content.decode()
    assert "公安超期办理 3 件" in console and "城管超期办理 4 件" in console
    dept = client_for(head).get("/dept/warnings/")
    assert dept.status_code == 200
    assert f'id="warning-{mine.pk}"' in dept.content.decode()
    assert "城管超期办理" not in dept.content.decode()
    assert "公安超期办理" not in client_for(urban_head).get("/dept/warnings/").content.decode()
    assert client_for(world.police_handler).get("/dept/warnings/").status_code == 403
    assert client_for(world.police_handler).get("/console/warnings/").status_code == 403
    foreign = client_for(world.foreign_dispatcher).get("/console/warnings/").content.decode()
    assert "公安超期办理" not in foreign and "城管超期办理" not in foreign
    # the menu leads there
    assert 'href="/dept/warnings/"' in client_for(head).get("/dept/").content.decode()
    console_page = client_for(world.supervisor).get("/console/").content.decode()
    assert 'href="/console/warnings/"' in console_page


def test_r26_1_notifications_written_before_the_centre_reach_their_audience(world):
    """Issue 10: notifications nobody saw are delivered by ``backfill_receipts``, once."""
    import io

    from django.core.management import CommandError, call_command

    case = report(world, urgent=True)
    NotificationReceipt.objects.all().delete()  # as before the notification centre
    old = Notification.objects.create(
        key="old",
        kind="red",
        message="很久以前",
        agency_code="440703002",
        created_at=timezone.now() - dt.timedelta(days=90),
    )
    out = io.StringIO()
    call_command("backfill_receipts", stdout=out)
    call_command("backfill_receipts", stdout=out)
    assert received(world.dispatcher) == [("urgent", case.pk)]
    assert received(world.police_handler) == [("urgent", case.pk)]
    assert not NotificationReceipt.objects.filter(notification=old).exists()
    call_command("backfill_receipts", "--days", "100", stdout=out)
    assert NotificationReceipt.objects.filter(notification=old).count() == 1
    with pytest.raises(CommandError):
        call_command("backfill_receipts", "--days", "0")
