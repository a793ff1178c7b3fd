from rest_framework.routers import SimpleRouter

from matters.api import views

app_name = "matters-api"

router = SimpleRouter()
# Items first: "catalogue/items/" must not be read as a category id.
router.register("catalogue/items", views.MatterItemViewSet, basename="item")
router.register("catalogue", views.MatterCategoryViewSet, basename="category")
router.register("lists", views.AdmissionListViewSet, basename="list")
router.register("versions", views.AdmissionListVersionViewSet, basename="version")
router.register("entries", views.AdmissionEntryViewSet, basename="entry")
router.register("change-requests", views.ChangeRequestViewSet, basename="change-request")

urlpatterns = router.urls
