from rest_framework.routers import SimpleRouter

from cases.api import calendar, views

router = SimpleRouter()
router.register("cases", views.CaseViewSet, basename="case")
router.register("calendar-notices", calendar.CalendarNoticeViewSet, basename="calendar-notice")

urlpatterns = router.urls
