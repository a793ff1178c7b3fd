"""The Django site that ``bench/intake.py`` serves: the project plus one minimal endpoint.

Only the bench points ``DJANGO_SETTINGS_MODULE`` here; a deployment runs ``gridgov.settings``
and ``gridgov.urls``, where the minimal endpoint does not exist.
"""
