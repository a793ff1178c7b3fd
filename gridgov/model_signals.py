"""Following the changes of models by label, for the per-process caches that must drop what
they hold when the data changes (the grants, the lists in force; see :mod:`gridgov.generations`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import signals


def on_save_or_delete(receiver: Callable[..., Any], labels: Iterable[str], uid: str) -> None:
    """Call ``receiver`` after every save and every delete of the models named by ``labels``
    (``"app.Model"``); ``uid`` makes the connection idempotent (``uid:label``, ``uid-d:label``)."""
    for label in labels:
        signals.post_save.connect(receiver, sender=label, dispatch_uid=f"{uid}:{label}")
        signals.post_delete.connect(receiver, sender=label, dispatch_uid=f"{uid}-d:{label}")
