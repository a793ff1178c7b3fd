from django.urls import path

from cases.notify.views import NotificationListView
from fieldwork import pwa, views

app_name = "fieldwork"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("report/", views.ReportView.as_view(), name="report"),
    path("cases/<int:pk>/", views.CaseView.as_view(), name="case"),
    path(
        "notifications/",
        NotificationListView.as_view(template_name="fieldwork/notifications.html"),
        name="notifications",
    ),
    path("sw.js", pwa.service_worker, name="service-worker"),
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
]
