"""The city agency acknowledges a filed grid change (R8.2)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from audit import services as audit
from gridgov.access import scoping
from gridgov.actors import Actor
from gridgov.errors import NotFound
from regions.actions import RegionAction
from regions.models import GridChange
from regions.services.authority import require_acknowledger


@transaction.atomic
def acknowledge_filing(actor: Actor, change_id: int, *, note: str = "") -> GridChange:
    """The city agency acknowledges a filed grid change (R8.2: submitted → acknowledged).
    Only the administrator of the city agency it is filed with may; acknowledging again
    changes nothing."""
    change = GridChange.objects.select_for_update().filter(pk=change_id).first()
    if change is None:
        raise NotFound(gettext("no grid change #%(id)s") % {"id": change_id})
    grant = require_acknowledger(actor, change)
    if change.filing_status == GridChange.Filing.ACKNOWLEDGED:
        return change
    change.filing_status = GridChange.Filing.ACKNOWLEDGED
    change.acknowledged_by = actor if getattr(actor, "is_authenticated", False) else None
    change.acknowledged_at = timezone.now()
    change.acknowledgement_note = note.strip()
    change.save(
        update_fields=[
            "filing_status",
            "acknowledged_by",
            "acknowledged_at",
            "acknowledgement_note",
        ]
    )
    audit.record(
        actor,
        RegionAction.GRID_CHANGE_ACKNOWLEDGE,
        change,
        before={"filing_status": GridChange.Filing.SUBMITTED},
        after={
            "filing_status": GridChange.Filing.ACKNOWLEDGED,
            "note": change.acknowledgement_note,
        },
        region_code=change.region.code,
        role=scoping.acting_role(actor, grant),
    )
    return change
