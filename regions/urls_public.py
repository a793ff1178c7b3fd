from django.urls import path

from regions import views_public, views_search

urlpatterns = [
    path("grids/", views_public.public_grid_list, name="public-grids"),
    path("places/search.json", views_search.public_place_search, name="public-place-search"),
    path("grids/<str:code>/", views_public.public_grid_detail, name="public-grid"),
    path("grids/<str:code>/qr.svg", views_public.public_grid_qr, name="public-grid-qr"),
]
