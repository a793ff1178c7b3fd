"""Households and residents (实有人口; R11.1, R22.1): registering and correcting a resident,
moving in and out, death. ID numbers and phones are validated and stored protected; the audit
trail holds their masked forms only."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.errors import DomainError
from gridgov.text import clean_text
from registry.actions import RegistryAction
from registry.inputs import MoveIn, NewHousehold, NewResident, ResidentChanges, StatusChange
from registry.models import (
    Gender,
    House,
    Household,
    HouseRelation,
    Relation,
    ResidenceSpell,
    Resident,
    ResidentKind,
    ResidentStatus,
    SpecialGroupTag,
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
from registry.services.tags import end_open_tags
from registry.validation import IdType, check_consistent, normalize_document

# What the trail shows of a resident: never the ciphertext or the digest (R22.1).
RESIDENT_FIELDS = ["kind", "name", "gender", "birth_date", "id_type", "id_number_masked",
                   "phone_masked", "household", "relation", "house", "house_relation",
                   "living_since", "status", "status_on", "region_code", "grid_code",
                   "merged_into", "note"]  # fmt: skip
HOUSEHOLD_FIELDS = ["number", "address", "head", "region_code", "grid_code"]
PARTS = ("encrypted", "digest", "masked")  # the stored forms of a protected value


def lock(resident: Resident) -> Resident:
    """The resident's row, locked for this transaction (one change at a time)."""
    return Resident.objects.select_for_update().get(pk=resident.pk)


def _not_future(day: dt.date, field: str) -> dt.date:
    if day > timezone.localdate():
        raise DomainError(_("日期不能晚于今天"), field=field, code="future_date")
    return day


@transaction.atomic
def create_household(actor: Actor, new: NewHousehold) -> Household:
    """A household, registered at an address (or in a village)."""
    if new.address is not None:
        region_code, grid_code = new.address.region_code, new.address.grid_code
    else:
        region_code, grid_code = place(new.where)
    grant = require_editor(actor, grid_code or region_code)
    number = clean_text(new.number, "number", max_length=32)
    if number and Household.objects.filter(region_code=region_code, number=number).exists():
        raise DomainError(_("该户号已登记"), field="number", code="duplicate_household")
    household = Household(
        number=number, address=new.address, region_code=region_code, grid_code=grid_code
    )
    created(
        actor, RegistryAction.HOUSEHOLD_CREATE, household, grant, shown=HOUSEHOLD_FIELDS,
        unique=("number", _("该户号已登记")),
    )  # fmt: skip
    return household


def _document(id_type: str, id_number: str) -> str:
    choice(id_type, IdType, "id_type")
    return normalize_document(id_type, id_number)


def _refuse_duplicate(id_type: str, digest: str, exclude_pk: int | None = None) -> None:
    others = Resident.objects.filter(
        id_type=id_type, id_number_digest=digest, merged_into__isnull=True
    )
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    if others.exists():
        raise DomainError(
            _("该证件号码已登记,请在原记录上办理迁入或更正"),
            field="id_number",
            code="duplicate_person",
        )


def _check_household(household: Household | None, relation: str) -> str:
    if household is None:
        if relation:
            raise DomainError(
                _("未指定家庭户时不填与户主关系"), field="relation", code="no_household"
            )
        return ""
    if not relation:
        raise DomainError(_("请填写与户主关系"), field="relation", code="required")
    choice(relation, Relation, "relation")
    if relation == Relation.HEAD and household.head_id is not None:
        raise DomainError(_("该户已有户主"), field="relation", code="household_has_head")
    return relation


def _set_head(actor: Actor, resident: Resident) -> None:
    household = resident.household
    if household is not None and resident.relation == Relation.HEAD:
        household = Household.objects.select_for_update().get(pk=household.pk)
        if household.head_id not in (None, resident.pk):
            raise DomainError(_("该户已有户主"), field="relation", code="household_has_head")
        update(actor, RegistryAction.HOUSEHOLD_HEAD, household, {"head": resident}, None)


@transaction.atomic
def register_resident(actor: Actor, new: NewResident) -> Resident:
    """A resident in a house (or a household, or a village), with a validated ID document
    whose birth date and gender agree with those given (R11.1, R22.1). A resend with the same
    ``client_id`` returns the first registration."""
    client_id = clean_text(new.client_id, "client_id", max_length=64)
    if client_id:
        found = Resident.objects.filter(client_id=client_id).first()
        if found is not None:
            return found
    choice(new.kind, ResidentKind, "kind")
    name = clean_text(new.name, "name", required=True, max_length=64, label=_("姓名"))
    id_number = _document(new.id_type, new.id_number)
    birth_date, gender = new.birth_date, new.gender
    if gender:
        choice(gender, Gender, "gender")
    if new.id_type == IdType.RESIDENT_ID:
        birth_date, gender = check_consistent(id_number, birth_date=birth_date, gender=gender)
    if birth_date is not None:
        _not_future(birth_date, "birth_date")
    relation = _check_household(new.household, new.relation)
    house = new.house
    if house is not None:
        choice(new.house_relation, HouseRelation, "house_relation")
        region_code, grid_code = house.address.region_code, house.address.grid_code
    elif new.house_relation:
        raise DomainError(_("未指定房屋时不填与房屋关系"), field="house_relation", code="no_house")
    elif new.household is not None:
        region_code, grid_code = new.household.region_code, new.household.grid_code
    else:
        region_code, grid_code = place(new.where)
    grant = require_editor(actor, grid_code or region_code)
    resident = Resident(
        kind=new.kind,
        name=name,
        gender=gender,
        birth_date=birth_date,
        id_type=new.id_type,
        household=new.household,
        relation=relation,
        house=house,
        house_relation=new.house_relation if house is not None else "",
        living_since=(new.living_since or timezone.localdate()) if house is not None else None,
        region_code=region_code,
        grid_code=grid_code,
        client_id=client_id,
        note=clean_text(new.note, "note", max_length=2000),
    )
    protect_into(resident, "id_number", id_number)
    protect_into(resident, "phone", clean_mobile(new.phone, "phone"))
    _refuse_duplicate(resident.id_type, resident.id_number_digest)
    # unique: the same person registered at the same moment elsewhere
    created(
        actor, RegistryAction.RESIDENT_REGISTER, resident, grant, shown=RESIDENT_FIELDS,
        unique=("id_number", _("该证件号码已登记")),
    )  # fmt: skip
    if house is not None:
        ResidenceSpell.objects.create(
            resident=resident,
            house=house,
            house_relation=resident.house_relation,
            started_on=resident.living_since,
        )
    _set_head(actor, resident)
    return resident


@transaction.atomic
def update_resident(actor: Actor, resident: Resident, changes: ResidentChanges) -> Resident:
    """Correct a resident's facts; a new ID number or phone is validated and protected again."""
    resident = lock(resident)
    grant = require_editor(actor, where_code(resident))
    if resident.merged_into_id is not None:
        raise DomainError(_("该记录已合并,请修改保留的记录"), field="resident", code="merged")
    values = given(changes)
    if "kind" in values:
        choice(values["kind"], ResidentKind, "kind")
    if "name" in values:
        values["name"] = clean_text(
            values["name"], "name", required=True, max_length=64, label=_("姓名")
        )
    if "note" in values:
        values["note"] = clean_text(values["note"], "note", max_length=2000)
    if values.get("gender"):
        choice(values["gender"], Gender, "gender")
    id_type = values.pop("id_type", resident.id_type)
    id_number = values.pop("id_number", None)
    if id_number is not None or id_type != resident.id_type:
        if id_number is None:
            raise DomainError(_("更换证件类型时须填写证件号码"), field="id_number", code="required")
        clean = _document(id_type, id_number)
        probe = Resident()
        protect_into(probe, "id_number", clean)
        _refuse_duplicate(id_type, probe.id_number_digest, exclude_pk=resident.pk)
        values["id_type"] = id_type
        values.update({f"id_number_{p}": getattr(probe, f"id_number_{p}") for p in PARTS})
        if id_type == IdType.RESIDENT_ID:
            values["birth_date"], values["gender"] = check_consistent(
                clean, birth_date=values.get("birth_date"), gender=values.get("gender", "")
            )
    elif resident.id_type == IdType.RESIDENT_ID and (
        values.get("birth_date", resident.birth_date) != resident.birth_date
        or values.get("gender", resident.gender) != resident.gender
    ):
        # Both were read from the number at registration: correct the number instead.
        raise DomainError(
            _("出生日期和性别由身份证号码确定,请更正身份证号码"),
            field="birth_date" if "birth_date" in values else "gender",
            code="derived_from_id",
        )
    if "phone" in values:
        probe = Resident()
        protect_into(probe, "phone", clean_mobile(values.pop("phone"), "phone"))
        values.update({f"phone_{p}": getattr(probe, f"phone_{p}") for p in PARTS})
    if "household" in values or "relation" in values:
        household = values.get("household", resident.household)
        relation = values.get("relation", resident.relation)
        if not (relation == Relation.HEAD and household and household.head_id == resident.pk):
            values["relation"] = _check_household(household, relation)
    try:
        with transaction.atomic():
            update(
                actor, RegistryAction.RESIDENT_UPDATE, resident, values, grant,
                fields=RESIDENT_FIELDS,
            )  # fmt: skip
    except IntegrityError:
        raise DomainError(
            _("该证件号码已登记"), field="id_number", code="duplicate_person"
        ) from None
    _set_head(actor, resident)
    return resident


def _follow(resident: Resident) -> None:
    """The resident's open tags lie where the resident does (the due-visit lists by grid)."""
    SpecialGroupTag.objects.filter(resident=resident).update(
        region_code=resident.region_code, grid_code=resident.grid_code
    )


def _end_spell(resident: Resident, on: dt.date) -> None:
    current = ResidenceSpell.objects.filter(resident=resident, ended_on__isnull=True).first()
    if current is not None:
        if on < current.started_on:
            raise DomainError(
                _("日期不能早于入住日期 %(date)s") % {"date": current.started_on.isoformat()},
                field="on",
                code="before_move_in",
            )
        current.ended_on = on
        current.save(update_fields=["ended_on"])


@transaction.atomic
def move_in(actor: Actor, resident: Resident, move: MoveIn) -> Resident:
    """The resident lives in ``move.house`` from ``move.on`` (leaving the house before)."""
    if move.client_id and ResidenceSpell.objects.filter(client_id=move.client_id).exists():
        return Resident.objects.get(pk=resident.pk)
    resident = lock(resident)
    if resident.merged_into_id is not None or resident.status == ResidentStatus.DECEASED:
        raise DomainError(_("该人口不能迁入"), field="resident", code="not_movable")
    choice(move.house_relation, HouseRelation, "house_relation")
    on = _not_future(move.on, "on")
    house = House.objects.select_related("address").get(pk=move.house.pk)
    if house.address.retired_at is not None:
        raise DomainError(_("房屋地址已注销"), field="house", code="retired_address")
    grant = require_editor(actor, where_code(house.address))
    if resident.house_id == house.pk and resident.status == ResidentStatus.LIVING:
        raise DomainError(_("已住在该房屋"), field="house", code="same_house")
    _end_spell(resident, on)
    ResidenceSpell.objects.create(
        resident=resident,
        house=house,
        house_relation=move.house_relation,
        started_on=on,
        client_id=clean_text(move.client_id, "client_id", max_length=64),
    )
    changes = {
        "house": house,
        "house_relation": move.house_relation,
        "living_since": on,
        "status": ResidentStatus.LIVING,
        "status_on": None,
        "region_code": house.address.region_code,
        "grid_code": house.address.grid_code,
    }
    update(actor, RegistryAction.RESIDENT_MOVE_IN, resident, changes, grant, fields=RESIDENT_FIELDS)
    _follow(resident)
    return resident


def _leave(
    actor: Actor, resident: Resident, change: StatusChange, status: str, action: str
) -> Resident:
    resident = lock(resident)
    grant = require_editor(actor, where_code(resident))
    if resident.merged_into_id is not None:
        raise DomainError(_("该记录已合并"), field="resident", code="merged")
    if resident.status == status:
        return resident  # a resend: already recorded
    if resident.status == ResidentStatus.DECEASED:
        raise DomainError(_("该人口已登记死亡"), field="resident", code="deceased")
    on = _not_future(change.on, "on")
    _end_spell(resident, on)
    changes = {"house": None, "house_relation": "", "status": status, "status_on": on}
    update(
        actor,
        action,
        resident,
        changes,
        grant,
        fields=RESIDENT_FIELDS,
        note=clean_text(change.note, "note", max_length=2000),
    )
    return resident


@transaction.atomic
def move_out(actor: Actor, resident: Resident, change: StatusChange) -> Resident:
    """The resident moved away on ``change.on``: the record stays, with its history."""
    return _leave(
        actor, resident, change, ResidentStatus.MOVED_OUT, RegistryAction.RESIDENT_MOVE_OUT
    )


@transaction.atomic
def record_death(actor: Actor, resident: Resident, change: StatusChange) -> Resident:
    """The resident died on ``change.on``; the open tags end that day."""
    resident = _leave(
        actor, resident, change, ResidentStatus.DECEASED, RegistryAction.RESIDENT_DECEASED
    )
    end_open_tags(actor, resident, on=change.on, reason=_("人员死亡"))
    return resident
