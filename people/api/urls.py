from django.urls import path
from rest_framework.routers import SimpleRouter

from people.api import views

router = SimpleRouter()
router.register("agencies", views.GridAgencyViewSet, basename="agency")
router.register("department-kinds", views.DepartmentKindViewSet, basename="department-kind")
router.register("departments", views.DepartmentViewSet, basename="department")
router.register("committees", views.VillageCommitteeViewSet, basename="committee")
router.register("committee-members", views.CommitteeMemberViewSet, basename="committee-member")
router.register("workers", views.GridWorkerViewSet, basename="worker")
router.register("assignments", views.GridAssignmentViewSet, basename="assignment")
router.register("employments", views.EmploymentViewSet, basename="employment")
router.register("trainings", views.TrainingViewSet, basename="training")
router.register("equipment", views.EquipmentIssueViewSet, basename="equipment")
router.register("vacant-grids", views.VacantGridViewSet, basename="vacant-grid")
router.register("accounts", views.AccountViewSet, basename="account")
router.register("role-assignments", views.RoleAssignmentViewSet, basename="role-assignment")

urlpatterns = [
    path("auth/token/", views.token, name="auth-token"),
    path("me/", views.me, name="me"),
    *router.urls,
]
