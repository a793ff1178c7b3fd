from django.urls import path

from cases.notify.views import NotificationListView
from fieldwork import pwa, views, views_registry

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
    # basic information: houses, residents, places, things; proposals (R11.1 (二))
    path("registry/", views_registry.RegistryHomeView.as_view(), name="registry"),
    path("registry/houses/<int:pk>/", views_registry.HouseView.as_view(), name="registry-house"),
    path("registry/places/new/", views_registry.PlaceAddView.as_view(), name="registry-place-add"),
    path("registry/places/<int:pk>/", views_registry.PlaceView.as_view(), name="registry-place"),
    path("registry/things/<int:pk>/", views_registry.ThingView.as_view(), name="registry-thing"),
    path(
        "registry/proposals/", views_registry.MyProposalsView.as_view(), name="registry-proposals"
    ),
    path("sw.js", pwa.service_worker, name="service-worker"),
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
]
