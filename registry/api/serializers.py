"""What the registry API shows and accepts (R11.1, R22.1). Personal numbers are always masked
here; the clear value comes only from the reveal action, logged.

Input: one serializer per action, each producing the typed value object of
:mod:`registry.inputs` that the service takes (:meth:`ValueSerializer.value`). References are
``ScopedPrimaryKeyField``s: an id outside the user's jurisdiction is "unknown" (400).
"""

from __future__ import annotations

import math
from dataclasses import fields as dataclass_fields
from decimal import Decimal
from typing import Any, ClassVar

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from gridgov.access import scoping
from gridgov.access.api import ScopedPrimaryKeyField
from gridgov.parsing import IntegerField, ModelSerializer
from people.models import Gender
from registry import inputs
from registry.models import (
    AddressLevel,
    CareLevel,
    House,
    Household,
    HouseRelation,
    HouseUse,
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    Place,
    PlaceKind,
    Relation,
    RentalStatus,
    Resident,
    ResidentKind,
    RiskLevel,
    SpecialGroupTag,
    StandardAddress,
    Thing,
    ThingKind,
    ThingState,
)
from registry.validation import IdType
from registry.visibility import SpecialGroupKind

WHERE_FIELDS = ("region_code", "grid_code", "lng", "lat")
RESIDENT_REVEAL_FIELDS = [("id_number", "证件号码"), ("phone", "联系电话")]
ORGANISATION_REVEAL_FIELDS = [("contact_phone", "联系人手机")]


class FiniteFloatField(serializers.FloatField):
    """A coordinate: a finite number (no NaN or infinity from a form)."""

    def to_internal_value(self, data: Any) -> float:
        value = super().to_internal_value(data)
        if not math.isfinite(value):
            self.fail("invalid")
        return value


def _ref(model: type, **kwargs: Any) -> ScopedPrimaryKeyField:
    kwargs.setdefault("required", False)
    kwargs.setdefault("allow_null", True)
    return ScopedPrimaryKeyField(queryset=model.objects.all(), **kwargs)


def _text(max_length: int, **kwargs: Any) -> serializers.CharField:
    kwargs.setdefault("required", False)
    kwargs.setdefault("allow_blank", True)
    return serializers.CharField(max_length=max_length, **kwargs)


class ValueSerializer(serializers.Serializer):
    """An input serializer whose validated data is one value object of ``registry.inputs``;
    the location fields (``region_code``, ``grid_code``, ``lng``, ``lat``) make its ``where``."""

    value_class: ClassVar[type]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # The schema describes each request body by its serializer's docstring; one without
        # its own says what its value object is, not what this base class does.
        super().__init_subclass__(**kwargs)
        if cls.__doc__ is None and "value_class" in cls.__dict__:
            cls.__doc__ = cls.value_class.__doc__

    def value(self) -> Any:
        data = dict(self.validated_data)
        names = {f.name for f in dataclass_fields(self.value_class)}
        where = {k: data.pop(k) for k in WHERE_FIELDS if k in data}
        if "where" in names:
            data["where"] = inputs.Where(**{k: v for k, v in where.items() if v is not None})
        return self.value_class(**{k: v for k, v in data.items() if k in names})


class WhereFields(serializers.Serializer):
    region_code = serializers.RegexField(
        r"^[0-9]{12}$", required=False, allow_blank=True, help_text="village code (12 digits)"
    )
    grid_code = serializers.RegexField(r"^[0-9]{15}$", required=False, allow_blank=True)
    lng = FiniteFloatField(required=False, allow_null=True, min_value=-180, max_value=180)
    lat = FiniteFloatField(required=False, allow_null=True, min_value=-90, max_value=90)


# --- addresses and houses --------------------------------------------------------------------


class AddressSerializer(ModelSerializer):
    class Meta:
        model = StandardAddress
        fields = ["id", "code", "level", "parent", "road", "number", "name", "full_text",
                  "region_code", "grid_code", "lng", "lat", "retired_at", "successor",
                  "retire_reason", "created_at"]  # fmt: skip
        read_only_fields = fields


class AddressCreateSerializer(WhereFields, ValueSerializer):
    value_class = inputs.NewAddress
    level = serializers.ChoiceField(choices=AddressLevel.choices)
    parent = _ref(StandardAddress)
    road = _text(100)
    number = _text(30)
    name = _text(60)


class AddressRetireSerializer(ValueSerializer):
    value_class = inputs.RetireAddress
    reason = serializers.CharField(max_length=200)
    successor = _ref(StandardAddress)


class HouseResidentSerializer(ModelSerializer):
    house_relation = serializers.CharField(read_only=True)  # blank or a HouseRelation

    class Meta:
        model = Resident
        fields = ["id", "name", "kind", "house_relation", "living_since"]
        read_only_fields = fields


class HouseSerializer(ModelSerializer):
    address = AddressSerializer(read_only=True)
    residents = serializers.SerializerMethodField()

    class Meta:
        model = House
        fields = ["id", "address", "use", "owner", "owner_name", "rental_status", "area_m2",
                  "note", "residents", "created_at", "updated_at"]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(HouseResidentSerializer(many=True))
    def get_residents(self, house: House) -> list[dict[str, Any]]:
        """Everyone living in the house now (tenants with house_relation "tenant")."""
        living = house.residents.filter(status="living", merged_into__isnull=True)
        return HouseResidentSerializer(living.order_by("name", "pk"), many=True).data


class HouseUpdateSerializer(ValueSerializer):
    value_class = inputs.HouseChanges
    use = serializers.ChoiceField(choices=HouseUse.choices, required=False)
    owner = _ref(Resident)
    owner_name = _text(100)
    rental_status = serializers.ChoiceField(choices=RentalStatus.choices, required=False)
    area_m2 = serializers.DecimalField(
        max_digits=9, decimal_places=2, min_value=Decimal("0.01"), required=False, allow_null=True
    )
    note = _text(2000)


class HouseCreateSerializer(HouseUpdateSerializer):
    """A house: the fields of a correction, with the address and the use required."""

    value_class = inputs.NewHouse
    address = _ref(StandardAddress, required=True, allow_null=False)
    use = serializers.ChoiceField(choices=HouseUse.choices)


# --- residents and tags ----------------------------------------------------------------------


class TagSerializer(ModelSerializer):
    resident_name = serializers.CharField(source="resident.name", read_only=True)

    class Meta:
        model = SpecialGroupTag
        fields = ["id", "resident", "resident_name", "kind", "started_on", "ended_on",
                  "end_reason", "department_kind", "care_level", "visit_days",
                  "last_visited_on", "next_visit_on", "region_code", "grid_code",
                  "note"]  # fmt: skip
        read_only_fields = fields


class ResidentSerializer(ModelSerializer):
    tags = serializers.SerializerMethodField()
    # Blank or one of their choices (an enum in the schema would refuse the blank).
    gender = serializers.CharField(read_only=True)
    relation = serializers.CharField(read_only=True)
    house_relation = serializers.CharField(read_only=True)

    class Meta:
        model = Resident
        fields = ["id", "kind", "name", "gender", "birth_date", "id_type", "id_number_masked",
                  "phone_masked", "household", "relation", "house", "house_relation",
                  "living_since", "status", "status_on", "region_code", "grid_code",
                  "merged_into", "note", "tags", "created_at", "updated_at"]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(TagSerializer(many=True))
    def get_tags(self, resident: Resident) -> list[dict[str, Any]]:
        """Only the tags the requesting user may see (the visibility table, R22.1)."""
        tags = getattr(resident, "visible_tags", None)
        if tags is None:
            request = self.context.get("request")
            tags = scoping.scope_queryset(
                getattr(request, "user", None), SpecialGroupTag.objects.filter(resident=resident)
            )
        return TagSerializer(tags, many=True).data


class ResidentCreateSerializer(WhereFields, ValueSerializer):
    value_class = inputs.NewResident
    kind = serializers.ChoiceField(choices=ResidentKind.choices)
    name = serializers.CharField(max_length=64)
    id_type = serializers.ChoiceField(choices=IdType.choices, required=False)
    id_number = serializers.CharField(max_length=40)
    gender = serializers.ChoiceField(choices=Gender.choices, required=False, allow_blank=True)
    birth_date = serializers.DateField(required=False, allow_null=True)
    phone = _text(20)
    household = _ref(Household)
    relation = serializers.ChoiceField(choices=Relation.choices, required=False, allow_blank=True)
    house = _ref(House)
    house_relation = serializers.ChoiceField(
        choices=HouseRelation.choices, required=False, allow_blank=True
    )
    living_since = serializers.DateField(required=False, allow_null=True)
    note = _text(2000)
    client_id = _text(64)

    def value(self) -> inputs.NewResident:
        self.validated_data.setdefault("id_type", IdType.RESIDENT_ID)
        return super().value()


class ResidentUpdateSerializer(ValueSerializer):
    value_class = inputs.ResidentChanges
    kind = serializers.ChoiceField(choices=ResidentKind.choices, required=False)
    name = serializers.CharField(max_length=64, required=False)
    gender = serializers.ChoiceField(choices=Gender.choices, required=False, allow_blank=True)
    birth_date = serializers.DateField(required=False)
    id_type = serializers.ChoiceField(choices=IdType.choices, required=False)
    id_number = serializers.CharField(max_length=40, required=False)
    phone = _text(20)
    household = _ref(Household, allow_null=False)
    relation = serializers.ChoiceField(choices=Relation.choices, required=False, allow_blank=True)
    note = _text(2000)


class MoveInSerializer(ValueSerializer):
    value_class = inputs.MoveIn
    house = _ref(House, required=True, allow_null=False)
    house_relation = serializers.ChoiceField(choices=HouseRelation.choices)
    on = serializers.DateField()
    client_id = _text(64)


class StatusChangeSerializer(ValueSerializer):
    value_class = inputs.StatusChange
    on = serializers.DateField()
    note = _text(2000)
    client_id = _text(64)


class ResidentMergeSerializer(ValueSerializer):
    value_class = inputs.Merge
    merged = _ref(Resident, required=True, allow_null=False)
    reason = serializers.CharField(max_length=200)


class TagCreateSerializer(ValueSerializer):
    value_class = inputs.NewTag
    resident = _ref(Resident, required=True, allow_null=False)
    kind = serializers.ChoiceField(choices=SpecialGroupKind.choices)
    started_on = serializers.DateField()
    department_kind = serializers.SlugField(max_length=40, required=False, allow_blank=True)
    care_level = serializers.ChoiceField(choices=CareLevel.choices, required=False)
    visit_days = IntegerField(min_value=1, max_value=366, required=False, allow_null=True)
    note = _text(2000)
    client_id = _text(64)


class TagEndSerializer(ValueSerializer):
    value_class = inputs.EndTag
    ended_on = serializers.DateField()
    reason = serializers.CharField(max_length=200)


class ResidentRevealSerializer(serializers.Serializer):
    field = serializers.ChoiceField(choices=RESIDENT_REVEAL_FIELDS)
    reason = serializers.CharField(max_length=2000, help_text="why the full value is needed")


class OrganisationRevealSerializer(serializers.Serializer):
    field = serializers.ChoiceField(choices=ORGANISATION_REVEAL_FIELDS)
    reason = serializers.CharField(max_length=2000, help_text="why the full value is needed")


class RegistryRevealResultSerializer(serializers.Serializer):
    field = serializers.CharField()
    value = serializers.CharField()


class DuplicateGroupSerializer(serializers.Serializer):
    name = serializers.CharField()
    birth_date = serializers.DateField()
    region_code = serializers.CharField()
    count = serializers.IntegerField()


class GridDueSerializer(serializers.Serializer):
    grid_code = serializers.CharField()
    overdue = serializers.IntegerField()
    due = serializers.IntegerField()


# --- organisations, places, things -----------------------------------------------------------


class OrganisationSerializer(ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "kind", "name", "credit_code", "address", "contact_name",
                  "contact_phone_masked", "status", "region_code", "grid_code", "note",
                  "created_at", "updated_at"]  # fmt: skip
        read_only_fields = fields


class OrganisationCreateSerializer(WhereFields, ValueSerializer):
    value_class = inputs.NewOrganisation
    kind = serializers.ChoiceField(choices=OrganisationKind.choices)
    name = serializers.CharField(max_length=200)
    credit_code = _text(30)
    address = _ref(StandardAddress)
    contact_name = _text(64)
    contact_phone = _text(20)
    note = _text(2000)


class OrganisationUpdateSerializer(ValueSerializer):
    value_class = inputs.OrganisationChanges
    kind = serializers.ChoiceField(choices=OrganisationKind.choices, required=False)
    name = serializers.CharField(max_length=200, required=False)
    credit_code = _text(30)
    contact_name = _text(64)
    contact_phone = _text(20)
    status = serializers.ChoiceField(choices=OrganisationStatus.choices, required=False)
    note = _text(2000)


class PlaceSerializer(ModelSerializer):
    class Meta:
        model = Place
        fields = ["id", "kind", "name", "address", "organisation", "risk_level",
                  "inspection_days", "last_inspected_on", "is_active", "region_code",
                  "grid_code", "lng", "lat", "note", "created_at", "updated_at"]  # fmt: skip
        read_only_fields = fields


class PlaceCreateSerializer(WhereFields, ValueSerializer):
    value_class = inputs.NewPlace
    kind = serializers.ChoiceField(choices=PlaceKind.choices)
    name = serializers.CharField(max_length=200)
    address = _ref(StandardAddress)
    organisation = _ref(Organisation)
    risk_level = serializers.ChoiceField(choices=RiskLevel.choices, required=False)
    inspection_days = IntegerField(min_value=1, max_value=366, required=False)
    note = _text(2000)


class PlaceUpdateSerializer(ValueSerializer):
    value_class = inputs.PlaceChanges
    name = serializers.CharField(max_length=200, required=False)
    risk_level = serializers.ChoiceField(choices=RiskLevel.choices, required=False)
    inspection_days = IntegerField(min_value=1, max_value=366, required=False)
    last_inspected_on = serializers.DateField(required=False)
    is_active = serializers.BooleanField(required=False)
    note = _text(2000)


class ThingSerializer(ModelSerializer):
    class Meta:
        model = Thing
        fields = ["id", "kind", "code", "name", "state", "owner_department", "region_code",
                  "grid_code", "lng", "lat", "note", "created_at", "updated_at"]  # fmt: skip
        read_only_fields = fields


class ThingCreateSerializer(WhereFields, ValueSerializer):
    value_class = inputs.NewThing
    kind = serializers.ChoiceField(choices=ThingKind.choices)
    code = _text(40)
    name = _text(100)
    state = serializers.ChoiceField(choices=ThingState.choices, required=False)
    owner_department = _text(100)
    note = _text(2000)


class ThingUpdateSerializer(ValueSerializer):
    value_class = inputs.ThingChanges
    state = serializers.ChoiceField(choices=ThingState.choices, required=False)
    name = _text(100)
    owner_department = _text(100)
    note = _text(2000)
