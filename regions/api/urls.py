from django.urls import path
from rest_framework.routers import SimpleRouter

from regions.api import views

router = SimpleRouter()
router.register("regions", views.RegionViewSet, basename="region")
router.register("grids", views.GridViewSet, basename="grid")

urlpatterns = [
    path("grids/locate/", views.locate, name="grid-locate"),
    *router.urls,
]
