from django.urls import path
from rest_framework.routers import SimpleRouter

from regions.api import changes, views

router = SimpleRouter()
router.register("regions", views.RegionViewSet, basename="region")
router.register("grids", views.GridViewSet, basename="grid")
# staff-only and scoped (R8.1, R8.2): grid changes, their filings, coverage reports
router.register("grids", changes.GridChangeActionsViewSet, basename="grid-actions")
router.register("grid-changes", changes.GridChangeViewSet, basename="grid-change")
router.register("regions", changes.RegionCoverageViewSet, basename="region-report")

urlpatterns = [
    path("grids/locate/", views.locate, name="grid-locate"),
    *router.urls,
]
