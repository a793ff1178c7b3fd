"""The project's settings plus the bench's minimal endpoint (never used by a deployment).

Everything else - production mode, database, cache, secret and data keys - comes from the
environment exactly as for a deployment (``bench/intake.py`` sets it).
"""

from gridgov.settings import *  # noqa: F403
from gridgov.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "bench.intake_site.apps.IntakeSiteConfig"]
ROOT_URLCONF = "bench.intake_site.urls"
