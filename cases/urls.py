"""The agency console (``/console/``), the department workbench (``/dept/``), issue 6, and
the notification centre (``/notifications/``, issue 10)."""

from django.urls import path
from django.views.decorators.gzip import gzip_page

from cases import views, views_calendar, views_case, views_links, views_reveal
from cases.files import AttachmentFileView
from cases.notify import views as notify

app_name = "cases"

urlpatterns = [
    path("console/", views.ConsoleHomeView.as_view(), name="console"),
    # the map layers are plain JSON without secrets: compressing them is safe (no BREACH)
    path("console/map/grids.json", gzip_page(views.GridLayerView.as_view()), name="map-grids"),
    path("console/map/cases.json", gzip_page(views.CasePointsView.as_view()), name="map-cases"),
    path("console/bulk/", views.BulkActionView.as_view(), name="bulk"),
    path("console/warnings/", notify.AgencyWarningsView.as_view(), name="warnings"),
    path("console/cases/<int:pk>/", views_case.CaseDetailView.as_view(), name="case"),
    path("console/cases/<int:pk>/act/", views_case.CaseActionView.as_view(), name="act"),
    path(
        "console/cases/<int:pk>/reveal/",
        views_reveal.CaseRevealView.as_view(),
        name="reveal",
    ),
    path("console/cases/<int:pk>/links/", views_links.CaseLinkView.as_view(), name="links"),
    path("console/calendar/", views_calendar.CalendarView.as_view(), name="calendar"),
    path(
        "console/calendar/<int:year>/notice/",
        views_calendar.NoticeView.as_view(),
        name="calendar-notice",
    ),
    path("files/cases/<int:pk>", AttachmentFileView.as_view(), name="attachment"),
    path("dept/", views.InboxView.as_view(), name="inbox"),
    path("dept/warnings/", notify.DepartmentWarningsView.as_view(), name="dept-warnings"),
    path(
        "dept/cases/<int:pk>/",
        views_case.CaseDetailView.as_view(workbench="dept"),
        name="dept-case",
    ),
    path(
        "dept/cases/<int:pk>/act/",
        views_case.CaseActionView.as_view(workbench="dept"),
        name="dept-act",
    ),
    # the notification centre of every workbench (R26.1, R27.1)
    path("notifications/", notify.NotificationListView.as_view(), name="notifications"),
    path("notifications/badge/", notify.BadgeView.as_view(), name="notification-badge"),
    path("notifications/read-all/", notify.MarkAllReadView.as_view(), name="notifications-read"),
    path("notifications/<int:pk>/read/", notify.MarkReadView.as_view(), name="notification-read"),
    path(
        "dept/cases/<int:pk>/reveal/",
        views_reveal.CaseRevealView.as_view(workbench="dept"),
        name="dept-reveal",
    ),
    path(
        "dept/cases/<int:pk>/links/",
        views_links.CaseLinkView.as_view(workbench="dept"),
        name="dept-links",
    ),
]
