"""The bench's WSGI entry: the project's application, with the URLconf and so every view
module imported once in gunicorn's master (``--preload``) instead of in each worker's first
request. A deployment can do the same with ``gridgov.wsgi`` and ``--preload``."""

import os

from django.core.wsgi import get_wsgi_application
from django.db import connections
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.intake_site.settings")
application = get_wsgi_application()
get_resolver().url_patterns  # noqa: B018 - imports every view module now
connections.close_all()  # nothing opened before the fork may be shared by the workers
