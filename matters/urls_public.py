from django.urls import path

from matters import views_public

urlpatterns = [
    path("", views_public.public_index, name="public-matters"),
    path("<str:county>/", views_public.public_list, name="public-matters-list"),
    path("<str:county>/list.xlsx", views_public.public_xlsx, name="public-matters-xlsx"),
    path("<str:county>/entries.json", views_public.public_entries_json, name="public-matters-json"),
]
