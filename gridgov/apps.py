from django.apps import AppConfig


class GridgovConfig(AppConfig):
    name = "gridgov"
    verbose_name = "gridgov"
