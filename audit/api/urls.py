from rest_framework.routers import SimpleRouter

from audit.api import views

router = SimpleRouter()
router.register("audit/personal-data", views.PersonalDataAccessViewSet, basename="personal-data")
router.register("audit", views.AuditRecordViewSet, basename="audit-record")

urlpatterns = router.urls
