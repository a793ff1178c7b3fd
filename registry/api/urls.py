from rest_framework.routers import SimpleRouter

from registry.api import imports, proposals, views

router = SimpleRouter()
router.register("addresses", views.AddressViewSet, basename="registry-address")
router.register("houses", views.HouseViewSet, basename="registry-house")
router.register("residents", views.ResidentViewSet, basename="registry-resident")
router.register("tags", views.TagViewSet, basename="registry-tag")
router.register("organisations", views.OrganisationViewSet, basename="registry-organisation")
router.register("places", views.PlaceViewSet, basename="registry-place")
router.register("things", views.ThingViewSet, basename="registry-thing")
router.register("due-visits", views.DueVisitViewSet, basename="registry-due-visit")
router.register("proposals", proposals.ProposalViewSet, basename="registry-proposal")
router.register("imports", imports.ImportViewSet, basename="registry-import")

urlpatterns = router.urls
