"""What the matters API shows and accepts (R9.1–R9.3)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from gridgov.access.api import ScopedPrimaryKeyField
from gridgov.parsing import INT32_MAX, IntegerField, ModelSerializer
from matters import services
from matters.models import (
    AdmissionEntry,
    AdmissionList,
    AdmissionListVersion,
    ChangeKind,
    ChangeRequest,
    LimitUnit,
    MatterCategory,
    MatterItem,
    VersionStatus,
)
from people.api.serializers import DepartmentRefSerializer, RegionBriefSerializer
from people.models import Department, GridAgency

# --- catalogue --------------------------------------------------------------------------


class CategoryRefSerializer(ModelSerializer):
    class Meta:
        model = MatterCategory
        fields = ["id", "code", "name"]


class MatterItemSerializer(ModelSerializer):
    category = CategoryRefSerializer(read_only=True)
    city = serializers.CharField(source="city.code", read_only=True)
    keywords = serializers.SerializerMethodField()

    class Meta:
        model = MatterItem
        fields = ["id", "city", "category", "code", "name", "description", "keywords",
                  "settle_on_spot_allowed", "sort_order", "is_active", "created_at",
                  "updated_at"]  # fmt: skip

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_keywords(self, obj: MatterItem) -> list[str]:
        return obj.keyword_list()


class ItemInCategorySerializer(ModelSerializer):
    class Meta:
        model = MatterItem
        fields = ["id", "code", "name", "settle_on_spot_allowed", "is_active"]


class MatterCategorySerializer(ModelSerializer):
    city = serializers.CharField(source="city.code", read_only=True)
    items = ItemInCategorySerializer(many=True, read_only=True)

    class Meta:
        model = MatterCategory
        fields = ["id", "city", "code", "name", "description", "sort_order", "is_active", "items"]


class CategoryCreateSerializer(serializers.Serializer):
    city = serializers.CharField(help_text="4-digit city code, e.g. 4407")
    code = serializers.CharField(max_length=16)
    name = serializers.CharField(max_length=60)
    description = serializers.CharField(required=False, allow_blank=True)
    sort_order = IntegerField(required=False, min_value=0, max_value=INT32_MAX)


class CategoryUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(required=False, max_length=60)
    description = serializers.CharField(required=False, allow_blank=True)
    sort_order = IntegerField(required=False, min_value=0, max_value=INT32_MAX)
    is_active = serializers.BooleanField(required=False)


class ItemCreateSerializer(serializers.Serializer):
    category = ScopedPrimaryKeyField(queryset=MatterCategory.objects.all())
    code = serializers.CharField(max_length=16, help_text="stable code, e.g. 0101")
    name = serializers.CharField(max_length=100)
    description = serializers.CharField(required=False, allow_blank=True)
    keywords = serializers.CharField(required=False, allow_blank=True, max_length=300)
    settle_on_spot_allowed = serializers.BooleanField(required=False, default=False)
    sort_order = IntegerField(required=False, min_value=0, max_value=INT32_MAX)


class ItemUpdateSerializer(serializers.Serializer):
    category = ScopedPrimaryKeyField(queryset=MatterCategory.objects.all(), required=False)
    name = serializers.CharField(required=False, max_length=100)
    description = serializers.CharField(required=False, allow_blank=True)
    keywords = serializers.CharField(required=False, allow_blank=True, max_length=300)
    settle_on_spot_allowed = serializers.BooleanField(required=False)
    sort_order = IntegerField(required=False, min_value=0, max_value=INT32_MAX)
    is_active = serializers.BooleanField(required=False)


# --- versions and entries ---------------------------------------------------------------


class VersionRefSerializer(ModelSerializer):
    county = serializers.CharField(source="admission_list.county.code", read_only=True)

    class Meta:
        model = AdmissionListVersion
        fields = ["id", "county", "number", "status", "published_at"]


class ListVersionSerializer(serializers.Serializer):
    """A version as a list shows it (``AdmissionListSerializer._ref``, R24.2)."""

    id = serializers.IntegerField()
    number = serializers.IntegerField()
    status = serializers.ChoiceField(choices=VersionStatus.choices)
    status_display = serializers.CharField()
    note = serializers.CharField()
    published_at = serializers.DateTimeField(allow_null=True)
    filed_at = serializers.DateTimeField(allow_null=True)
    acknowledged_at = serializers.DateTimeField(allow_null=True)


class EntrySerializer(ModelSerializer):
    """An admitted matter: what an intake form offers (R9.2, R24.2, R24.3)."""

    code = serializers.CharField(source="item.code", read_only=True)
    name = serializers.CharField(source="item.name", read_only=True)
    description = serializers.CharField(source="item.description", read_only=True)
    keywords = serializers.SerializerMethodField()
    category = CategoryRefSerializer(source="item.category", read_only=True)
    settle_on_spot_allowed = serializers.BooleanField(
        source="item.settle_on_spot_allowed", read_only=True
    )
    lead_department = DepartmentRefSerializer(read_only=True)
    co_departments = DepartmentRefSerializer(many=True, read_only=True)
    version = VersionRefSerializer(read_only=True)

    class Meta:
        model = AdmissionEntry
        fields = ["id", "code", "name", "description", "keywords", "category",
                  "settle_on_spot_allowed", "lead_department", "co_departments",
                  "dispatch_limit_amount", "dispatch_limit_unit", "handling_limit_amount",
                  "handling_limit_unit", "amber_threshold_percent", "notes",
                  "version"]  # fmt: skip

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_keywords(self, obj: AdmissionEntry) -> list[str]:
        return obj.item.keyword_list()


class EntryInVersionSerializer(EntrySerializer):
    class Meta(EntrySerializer.Meta):
        fields = [f for f in EntrySerializer.Meta.fields if f != "version"]


def _departments_field(**kwargs: Any) -> serializers.ManyRelatedField:
    return ScopedPrimaryKeyField(queryset=Department.objects.all(), many=True, **kwargs)


UNIT_HELP = "workhours (工作小时) or workdays (工作日)"


class EntryCreateSerializer(serializers.Serializer):
    version = ScopedPrimaryKeyField(
        queryset=AdmissionListVersion.objects.all(), help_text="id of the draft version"
    )
    item = serializers.CharField(help_text="catalogue item code, e.g. 0101")
    lead_department = ScopedPrimaryKeyField(queryset=Department.objects.all())
    co_departments = _departments_field(required=False)
    dispatch_limit_amount = IntegerField(min_value=1, max_value=INT32_MAX)
    dispatch_limit_unit = serializers.ChoiceField(LimitUnit.choices, help_text=UNIT_HELP)
    handling_limit_amount = IntegerField(min_value=1, max_value=INT32_MAX)
    handling_limit_unit = serializers.ChoiceField(LimitUnit.choices, help_text=UNIT_HELP)
    amber_threshold_percent = IntegerField(required=False, min_value=1, max_value=99)
    notes = serializers.CharField(required=False, allow_blank=True)


class EntryUpdateSerializer(serializers.Serializer):
    lead_department = ScopedPrimaryKeyField(queryset=Department.objects.all(), required=False)
    co_departments = _departments_field(required=False)
    dispatch_limit_amount = IntegerField(required=False, min_value=1, max_value=INT32_MAX)
    dispatch_limit_unit = serializers.ChoiceField(LimitUnit.choices, required=False)
    handling_limit_amount = IntegerField(required=False, min_value=1, max_value=INT32_MAX)
    handling_limit_unit = serializers.ChoiceField(LimitUnit.choices, required=False)
    amber_threshold_percent = IntegerField(required=False, min_value=1, max_value=99)
    notes = serializers.CharField(required=False, allow_blank=True)


class UserNameField(serializers.CharField):
    def to_representation(self, value: Any) -> str:
        return value.get_username() if value is not None else ""


def _user_field() -> UserNameField:
    return UserNameField(read_only=True, allow_null=True)


class VersionSerializer(ModelSerializer):
    county = RegionBriefSerializer(source="admission_list.county", read_only=True)
    admission_list = serializers.PrimaryKeyRelatedField(read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    based_on = IntegerField(source="based_on.number", read_only=True, default=None, allow_null=True)
    entry_count = serializers.SerializerMethodField()
    in_force = serializers.SerializerMethodField()
    created_by = _user_field()
    published_by = _user_field()
    filed_by = _user_field()
    acknowledged_by = _user_field()
    xlsx = serializers.SerializerMethodField()

    class Meta:
        model = AdmissionListVersion
        fields = ["id", "admission_list", "county", "number", "status", "status_display",
                  "in_force", "based_on", "note", "entry_count", "created_at", "created_by",
                  "published_at", "published_by", "filed_at", "filed_by", "acknowledged_at",
                  "acknowledged_by", "acknowledgement_note", "xlsx"]  # fmt: skip

    def get_entry_count(self, obj: AdmissionListVersion) -> int:
        count = getattr(obj, "entry_count", None)
        return count if count is not None else obj.entries.count()

    def get_in_force(self, obj: AdmissionListVersion) -> bool:
        in_force = self.context.get("in_force_ids")
        if in_force is None:
            current = services.version_in_force(obj.admission_list.county.code)
            return current is not None and current.pk == obj.pk
        return obj.pk in in_force

    def get_xlsx(self, obj: AdmissionListVersion) -> str:
        return reverse("matters-api:version-xlsx", args=[obj.pk])


class DiffEntrySerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    fields = serializers.ListField(child=serializers.CharField(), required=False)


class VersionDiffSerializer(serializers.Serializer):
    compared_with = IntegerField(allow_null=True)
    added = DiffEntrySerializer(many=True)
    removed = DiffEntrySerializer(many=True)
    changed = DiffEntrySerializer(many=True)


def diff_data(version: AdmissionListVersion) -> dict[str, Any]:
    base = version.based_on
    diff = services.compare_versions(base, version)

    def ref(entry: AdmissionEntry, fields: list[str] | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {"code": entry.item.code, "name": entry.item.name}
        if fields is not None:
            out["fields"] = fields
        return out

    return {
        "compared_with": base.number if base else None,
        "added": [ref(e) for e in diff.added],
        "removed": [ref(e) for e in diff.removed],
        "changed": [ref(new, f) for _old, new, f in diff.changed],
    }


class VersionDetailSerializer(VersionSerializer):
    entries = serializers.SerializerMethodField()
    changes = serializers.SerializerMethodField()

    class Meta(VersionSerializer.Meta):
        fields = [*VersionSerializer.Meta.fields, "changes", "entries"]

    @extend_schema_field(EntryInVersionSerializer(many=True))
    def get_entries(self, obj: AdmissionListVersion) -> list[dict[str, Any]]:
        return EntryInVersionSerializer(services.entries_of(obj), many=True).data

    @extend_schema_field(VersionDiffSerializer)
    def get_changes(self, obj: AdmissionListVersion) -> dict[str, Any]:
        return diff_data(obj)


class AdmissionListSerializer(ModelSerializer):
    county = RegionBriefSerializer(read_only=True)
    in_force = serializers.SerializerMethodField()
    draft = serializers.SerializerMethodField()
    versions = serializers.SerializerMethodField()
    pending_requests = serializers.SerializerMethodField()

    class Meta:
        model = AdmissionList
        fields = ["id", "county", "in_force", "draft", "pending_requests", "versions",
                  "created_at"]  # fmt: skip

    def _versions(self, obj: AdmissionList) -> list[AdmissionListVersion]:
        return sorted(obj.versions.all(), key=lambda v: -v.number)

    def _ref(self, version: AdmissionListVersion | None) -> dict[str, Any] | None:
        if version is None:
            return None
        return {
            "id": version.pk,
            "number": version.number,
            "status": version.status,
            "status_display": str(version.get_status_display()),
            "note": version.note,
            "published_at": version.published_at,
            "filed_at": version.filed_at,
            "acknowledged_at": version.acknowledged_at,
        }

    @extend_schema_field(ListVersionSerializer(allow_null=True))
    def get_in_force(self, obj: AdmissionList) -> dict[str, Any] | None:
        return self._ref(next((v for v in self._versions(obj) if v.is_published), None))

    @extend_schema_field(ListVersionSerializer(allow_null=True))
    def get_draft(self, obj: AdmissionList) -> dict[str, Any] | None:
        return self._ref(next((v for v in self._versions(obj) if v.is_draft), None))

    @extend_schema_field(ListVersionSerializer(many=True))
    def get_versions(self, obj: AdmissionList) -> list[dict[str, Any]]:
        return [self._ref(v) for v in self._versions(obj)]

    def get_pending_requests(self, obj: AdmissionList) -> int:
        count = getattr(obj, "pending_count", None)
        return count if count is not None else obj.change_requests.filter(status="pending").count()


class ListCreateSerializer(serializers.Serializer):
    county = serializers.CharField(help_text="6-digit county code")


class VersionNumberSerializer(serializers.Serializer):
    version = IntegerField(
        required=False, min_value=1, help_text="version number (default: see the action)"
    )
    note = serializers.CharField(required=False, allow_blank=True)


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=".xlsx in the format of the download")


# --- change requests --------------------------------------------------------------------


class AgencyRefSerializer(ModelSerializer):
    region = serializers.CharField(source="region.code", read_only=True)

    class Meta:
        model = GridAgency
        fields = ["id", "name", "region"]


class ChangeRequestSerializer(ModelSerializer):
    county = RegionBriefSerializer(source="admission_list.county", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    item = serializers.SerializerMethodField()
    lead_department = DepartmentRefSerializer(read_only=True, allow_null=True)
    co_departments = serializers.SerializerMethodField()
    requesting_department = DepartmentRefSerializer(read_only=True, allow_null=True)
    requesting_agency = AgencyRefSerializer(read_only=True, allow_null=True)
    requested_by = _user_field()
    reviewed_by = _user_field()
    applied_to = VersionRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = ChangeRequest
        fields = ["id", "county", "admission_list", "kind", "kind_display", "item", "reason",
                  "lead_department", "co_departments", "dispatch_limit_amount",
                  "dispatch_limit_unit", "handling_limit_amount", "handling_limit_unit",
                  "amber_threshold_percent", "notes", "requesting_department",
                  "requesting_agency", "requested_by", "requested_at", "status",
                  "status_display", "reviewed_by", "reviewed_at", "review_reason",
                  "applied_to"]  # fmt: skip

    @extend_schema_field(CategoryRefSerializer)
    def get_item(self, obj: ChangeRequest) -> dict[str, Any]:
        return {"id": obj.item_id, "code": obj.item.code, "name": obj.item.name}

    @extend_schema_field(DepartmentRefSerializer(many=True, allow_null=True))
    def get_co_departments(self, obj: ChangeRequest) -> list[dict[str, Any]] | None:
        if not obj.replace_co_departments:
            return None  # unchanged (for "change") or none proposed
        return DepartmentRefSerializer(obj.co_departments.all(), many=True).data


class ChangeRequestCreateSerializer(serializers.Serializer):
    county = serializers.CharField(help_text="6-digit county code")
    kind = serializers.ChoiceField(ChangeKind.choices)
    item = serializers.CharField(help_text="catalogue item code")
    reason = serializers.CharField()
    lead_department = ScopedPrimaryKeyField(
        queryset=Department.objects.all(), required=False, allow_null=True
    )
    co_departments = _departments_field(
        required=False,
        help_text="add: the co-departments; change: replaces them when given (omit to keep)",
    )
    dispatch_limit_amount = IntegerField(
        required=False, min_value=1, max_value=INT32_MAX, allow_null=True
    )
    dispatch_limit_unit = serializers.ChoiceField(LimitUnit.choices, required=False)
    handling_limit_amount = IntegerField(
        required=False, min_value=1, max_value=INT32_MAX, allow_null=True
    )
    handling_limit_unit = serializers.ChoiceField(LimitUnit.choices, required=False)
    amber_threshold_percent = IntegerField(
        required=False, min_value=1, max_value=99, allow_null=True
    )
    notes = serializers.CharField(required=False, allow_blank=True)
    department = ScopedPrimaryKeyField(
        queryset=Department.objects.all(),
        required=False,
        allow_null=True,
        help_text="requesting department, when the user heads several",
    )


class ReviewSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False, allow_blank=True, help_text="the review's reasons (required to reject)"
    )


class AdmissionSerializer(serializers.Serializer):
    admitted = serializers.BooleanField()
    reason = serializers.CharField(help_text="why not (empty when admitted)")
    detail = serializers.CharField(help_text="the refusal's message (empty when admitted)")
    county = serializers.CharField(required=False)
    grid = serializers.CharField(required=False, allow_null=True)
    version = VersionRefSerializer(required=False)
    entry = EntryInVersionSerializer(required=False)
