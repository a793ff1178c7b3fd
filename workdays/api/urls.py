from django.urls import path

from workdays.api import views

urlpatterns = [
    path("workdays/", views.add_workdays, name="calendar-workdays"),
    path("days/", views.days, name="calendar-days"),
    path("years/", views.years, name="calendar-years"),
]
