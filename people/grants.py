"""Where the grants come from (R10–R11, R22.1): people's role assignments and the active grid
assignments of grid workers, registered with the core's scoping at start-up (people.apps).

The core (:mod:`gridgov.access.scoping`) caches the grants per process under the access
generation; the signals here change that generation whenever an account, token, role, worker
or grid assignment is saved or deleted, and :meth:`PeopleGrants.generation` adds the grid
index's token (grid roles follow the grids that still exist).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.utils import timezone

from gridgov.access import roles as R
from gridgov.access import scoping
from gridgov.access.scoping import Grant
from gridgov.model_signals import on_save_or_delete
from people.models import GridAssignment, RoleAssignment
from regions import index as grid_index
from regions.models import Grid


class PeopleGrants:
    """The :class:`gridgov.access.scoping.GrantSource` of the people app."""

    def load(self, user: Any) -> list[Grant]:
        now = timezone.now()
        grants = [
            Grant(
                role=str(a.role),
                code=a.region.code if a.region_id else "",
                department_id=a.department_id,
                source="role",
                source_id=a.pk,
            )
            for a in RoleAssignment.objects.active(now)
            .filter(user=user)
            .select_related("region")
            .only("role", "region__code", "department_id")
            .order_by("pk")
        ]
        # Grid roles follow the person's active assignments to grids that still exist (R10–R11).
        current_codes = Grid.objects.current().values("code")
        for a in (
            GridAssignment.objects.active()
            .filter(worker__user=user, worker__status="active", grid_code__in=current_codes)
            .select_related("worker")
            .only("kind", "grid_code", "worker__department_id")
            .order_by("pk")
        ):
            grants.append(
                Grant(
                    role=str(R.GRID_ROLE_BY_WORKER_KIND[a.kind]),
                    code=a.grid_code,
                    department_id=a.worker.department_id,
                    source="grid",
                    source_id=a.pk,
                )
            )
        return grants

    def valid_until(self, user: Any, now: dt.datetime) -> dt.datetime | None:
        """The next moment one of the user's roles starts or ends (roles can be time-limited)."""
        moments = [
            m
            for start, end in RoleAssignment.objects.filter(user=user)
            .filter(Q(valid_from__gt=now) | Q(valid_to__gt=now))
            .values_list("valid_from", "valid_to")
            for m in (start, end)
            if m is not None and m > now
        ]
        return min(moments, default=None)

    def generation(self) -> tuple[str, ...]:
        return (grid_index.current_generation(),)


def _access_changed(sender: Any, **kwargs: Any) -> None:
    update_fields = kwargs.get("update_fields")
    if update_fields is not None and set(update_fields) <= {"last_login", "last_used_at"}:
        return  # bookkeeping of a login or token use: access itself did not change
    scoping.invalidate_access()


def connect() -> None:
    """Register the source and follow every change of access (people.apps.ready)."""
    scoping.set_grant_source(PeopleGrants())
    on_save_or_delete(
        _access_changed,
        [
            "people.User",
            "people.ApiToken",
            "people.RoleAssignment",
            "people.GridWorker",
            "people.GridAssignment",
        ],
        "access",
    )
