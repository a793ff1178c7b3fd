"""Organisations, key places and things (组织、重点场所、部件; R11.1): registering and updating
them. Each lies at an address or a point, placed in its grid by the grid index."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from gridgov.errors import DomainError
from gridgov.text import clean_text
from registry.actions import RegistryAction
from registry.inputs import (
    NewOrganisation,
    NewPlace,
    NewThing,
    OrganisationChanges,
    PlaceChanges,
    ThingChanges,
    Where,
)
from registry.models import (
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    Place,
    PlaceKind,
    RiskLevel,
    StandardAddress,
    Thing,
    ThingKind,
    ThingState,
)
from registry.services.common import (
    Actor,
    choice,
    clean_mobile,
    created,
    given,
    place,
    protect_into,
    require_editor,
    update,
    where_code,
)
from registry.validation import normalize_uscc

ORGANISATION_FIELDS = ["kind", "name", "credit_code", "address", "contact_name",
                       "contact_phone_masked", "status", "region_code", "grid_code",
                       "note"]  # fmt: skip
PLACE_FIELDS = ["kind", "name", "risk_level", "inspection_days", "last_inspected_on",
                "is_active", "note"]  # fmt: skip
THING_FIELDS = ["kind", "code", "name", "state", "owner_department", "note"]
TEXT_LIMITS = {"name": 200, "contact_name": 64, "owner_department": 100, "note": 2000}


def _at(address: StandardAddress | None, where: Where) -> tuple[str, str]:
    """(village, grid) of a record at ``address``, else at ``where``."""
    if address is not None:
        if address.retired_at is not None:
            raise DomainError(_("地址已注销"), field="address", code="retired_address")
        return address.region_code, address.grid_code
    return place(where)


def _texts(values: dict, *, required: tuple[str, ...] = ()) -> dict:
    for name, limit in TEXT_LIMITS.items():
        if name in values:
            values[name] = clean_text(
                values[name], name, required=name in required, max_length=limit
            )
    return values


def _credit_code(value: str, exclude_pk: int | None = None) -> str:
    code = normalize_uscc(value)
    others = Organisation.objects.filter(credit_code=code)
    if code and others.exclude(pk=exclude_pk).exists():
        raise DomainError(_("该统一社会信用代码已登记"), field="credit_code", code="duplicate")
    return code


@transaction.atomic
def create_organisation(actor: Actor, new: NewOrganisation) -> Organisation:
    """An organisation with its validated unified social credit code (GB 32100-2015)."""
    choice(new.kind, OrganisationKind, "kind")
    region_code, grid_code = _at(new.address, new.where)
    grant = require_editor(actor, grid_code or region_code)
    values = _texts(
        {"name": new.name, "contact_name": new.contact_name, "note": new.note}, required=("name",)
    )
    organisation = Organisation(
        kind=new.kind,
        credit_code=_credit_code(new.credit_code),
        address=new.address,
        region_code=region_code,
        grid_code=grid_code,
        **values,
    )
    protect_into(organisation, "contact_phone", clean_mobile(new.contact_phone, "contact_phone"))
    created(
        actor,
        RegistryAction.ORGANISATION_CREATE,
        organisation,
        grant,
        shown=ORGANISATION_FIELDS,
        unique=("credit_code", _("该统一社会信用代码已登记")),
    )
    return organisation


@transaction.atomic
def update_organisation(
    actor: Actor, organisation: Organisation, changes: OrganisationChanges
) -> Organisation:
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    grant = require_editor(actor, where_code(organisation))
    values = _texts(given(changes), required=("name",))
    if "kind" in values:
        choice(values["kind"], OrganisationKind, "kind")
    if "status" in values:
        choice(values["status"], OrganisationStatus, "status")
    if "credit_code" in values:
        values["credit_code"] = _credit_code(values["credit_code"], exclude_pk=organisation.pk)
    if "contact_phone" in values:
        probe = Organisation()
        protect_into(
            probe, "contact_phone", clean_mobile(values.pop("contact_phone"), "contact_phone")
        )
        for part in ("encrypted", "digest", "masked"):
            values[f"contact_phone_{part}"] = getattr(probe, f"contact_phone_{part}")
    update(
        actor, RegistryAction.ORGANISATION_UPDATE, organisation, values, grant,
        fields=ORGANISATION_FIELDS,
    )  # fmt: skip
    return organisation


def _inspection_days(days: int) -> int:
    if not 1 <= int(days) <= 366:
        raise DomainError(_("巡查周期应为 1–366 天"), field="inspection_days", code="out_of_range")
    return int(days)


@transaction.atomic
def create_place(actor: Actor, new: NewPlace) -> Place:
    """A key place (九小场所, a crowded place) with its risk level and inspection frequency."""
    choice(new.kind, PlaceKind, "kind")
    choice(new.risk_level, RiskLevel, "risk_level")
    region_code, grid_code = _at(new.address, new.where)
    grant = require_editor(actor, grid_code or region_code)
    point = new.address if new.address is not None and new.where.lng is None else new.where
    place_row = Place(
        kind=new.kind,
        address=new.address,
        organisation=new.organisation,
        risk_level=new.risk_level,
        inspection_days=_inspection_days(new.inspection_days),
        region_code=region_code,
        grid_code=grid_code,
        lng=point.lng,
        lat=point.lat,
        **_texts({"name": new.name, "note": new.note}, required=("name",)),
    )
    created(actor, RegistryAction.PLACE_CREATE, place_row, grant, shown=PLACE_FIELDS)
    return place_row


@transaction.atomic
def update_place(actor: Actor, place_row: Place, changes: PlaceChanges) -> Place:
    place_row = Place.objects.select_for_update().get(pk=place_row.pk)
    grant = require_editor(actor, where_code(place_row))
    values = _texts(given(changes), required=("name",))
    if "risk_level" in values:
        choice(values["risk_level"], RiskLevel, "risk_level")
    if "inspection_days" in values:
        values["inspection_days"] = _inspection_days(values["inspection_days"])
    update(actor, RegistryAction.PLACE_UPDATE, place_row, values, grant, fields=PLACE_FIELDS)
    return place_row


@transaction.atomic
def create_thing(actor: Actor, new: NewThing) -> Thing:
    """A thing (部件) at a point, placed in its grid; its code is unique in the village."""
    choice(new.kind, ThingKind, "kind")
    choice(new.state, ThingState, "state")
    if new.where.lng is None or new.where.lat is None:
        raise DomainError(_("请填写部件的坐标"), field="lng", code="required")
    region_code, grid_code = place(new.where)
    grant = require_editor(actor, grid_code or region_code)
    thing = Thing(
        kind=new.kind,
        code=clean_text(new.code, "code", max_length=40),
        state=new.state,
        region_code=region_code,
        grid_code=grid_code,
        lng=new.where.lng,
        lat=new.where.lat,
        **_texts({"name": new.name, "owner_department": new.owner_department, "note": new.note}),
    )
    created(
        actor,
        RegistryAction.THING_CREATE,
        thing,
        grant,
        shown=THING_FIELDS,
        unique=("code", _("该部件编号已登记")),
    )
    return thing


@transaction.atomic
def update_thing(actor: Actor, thing: Thing, changes: ThingChanges) -> Thing:
    thing = Thing.objects.select_for_update().get(pk=thing.pk)
    grant = require_editor(actor, where_code(thing))
    values = _texts(given(changes))
    if "state" in values:
        choice(values["state"], ThingState, "state")
    update(actor, RegistryAction.THING_UPDATE, thing, values, grant, fields=THING_FIELDS)
    return thing
