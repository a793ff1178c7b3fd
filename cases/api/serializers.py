from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cases import machine
from cases.models import (
    FINAL_STATES,
    Assignment,
    Attachment,
    Case,
    CaseEvent,
    Channel,
    Extension,
    Rating,
    Supervision,
    Suspension,
)
from regions import geometry as geo


class CaseDepartmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class AssignmentSerializer(serializers.ModelSerializer):
    department = CaseDepartmentSerializer(read_only=True)

    class Meta:
        model = Assignment
        fields = [
            "id",
            "department",
            "role",
            "state",
            "dispatched_at",
            "due_at",
            "original_due_at",
            "deadline_status",
            "signed_at",
            "feedback",
            "public_result",
            "fed_back_at",
            "return_reason",
            "returned_at",
            "was_late",
            "end_reason",
            "ended_at",
        ]


class AttachmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = [
            "id",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "width",
            "height",
            "uploaded_at",
            "public",
            "url",
        ]

    def get_url(self, obj: Attachment) -> str:
        return obj.url if obj.file else ""


class ExtensionSerializer(serializers.ModelSerializer):
    department = serializers.IntegerField(source="assignment.department_id", read_only=True)

    class Meta:
        model = Extension
        fields = [
            "id",
            "department",
            "amount",
            "unit",
            "reason",
            "requested_at",
            "status",
            "decided_at",
            "decision_note",
            "new_due_at",
        ]


class SuspensionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Suspension
        fields = [
            "id",
            "reason",
            "requested_at",
            "status",
            "decided_at",
            "decision_note",
            "resumed_at",
        ]


class SupervisionSerializer(serializers.ModelSerializer):
    department = serializers.IntegerField(source="assignment.department_id", read_only=True)

    class Meta:
        model = Supervision
        fields = ["id", "department", "note", "at", "answer", "answered_at"]


class CaseSerializer(serializers.ModelSerializer):
    """A case as clients see it; field names are a contract (mobile app, web UI, Open311)."""

    grid = serializers.CharField(source="grid_code", read_only=True)
    matter = serializers.CharField(source="matter_code", read_only=True)
    matter_name = serializers.CharField(source="entry.item.name", read_only=True)
    lead_department = CaseDepartmentSerializer(read_only=True, allow_null=True)
    urgent = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField(help_text="Open311: open or closed")
    reporter_phone = serializers.CharField(source="reporter_phone_masked", read_only=True)
    available_actions = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "id",
            "tracking_code",
            "state",
            "status",
            "channel",
            "urgent",
            "description",
            "address",
            "lng",
            "lat",
            "grid",
            "matter",
            "matter_name",
            "level",
            "agency_code",
            "lead_department",
            "dispatch_due_at",
            "due_at",
            "deadline_status",
            "settled_on_spot",
            "decline_reason",
            "rating",
            "rating_comment",
            "review_pending",
            "return_count",
            "rework_count",
            "reporter_name",
            "reporter_phone",
            "created_at",
            "verified_at",
            "accepted_at",
            "dispatched_at",
            "handled_at",
            "closed_at",
            "evaluated_at",
            "updated_at",
            "available_actions",
        ]

    def get_urgent(self, obj: Case) -> bool:
        return obj.urgency == "urgent"

    def get_status(self, obj: Case) -> str:
        return "closed" if obj.state in FINAL_STATES else "open"

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_available_actions(self, obj: Case) -> list[str]:
        request = self.context.get("request")
        if request is None:
            return []
        return machine.available_actions(request.user, obj)


class CaseDetailSerializer(CaseSerializer):
    assignments = AssignmentSerializer(many=True, read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)
    extensions = serializers.SerializerMethodField()
    suspensions = SuspensionSerializer(many=True, read_only=True)
    supervisions = SupervisionSerializer(many=True, read_only=True)
    involved = serializers.JSONField(read_only=True)

    class Meta(CaseSerializer.Meta):
        fields = [
            *CaseSerializer.Meta.fields,
            "involved",
            "assignments",
            "attachments",
            "extensions",
            "suspensions",
            "supervisions",
        ]

    @extend_schema_field(ExtensionSerializer(many=True))
    def get_extensions(self, obj: Case) -> list[dict[str, Any]]:
        if not obj.assignments.all():  # extensions belong to assignments (prefetched on detail)
            return []
        qs = Extension.objects.filter(assignment__case=obj).select_related("assignment")
        return ExtensionSerializer(qs, many=True).data


class CaseEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = CaseEvent
        fields = [
            "seq",
            "at",
            "actor_name",
            "role",
            "action",
            "from_state",
            "to_state",
            "note",
            "data",
            "prev_hash",
            "hash",
        ]


class IntakeSerializer(serializers.Serializer):
    lng = serializers.FloatField()
    lat = serializers.FloatField()
    coord = serializers.ChoiceField(choices=list(geo.COORD_SYSTEMS), default="wgs84")
    matter = serializers.CharField(max_length=32, help_text="admission entry (catalogue item) code")
    description = serializers.CharField(max_length=4000)
    client_id = serializers.CharField(
        max_length=64,
        required=False,
        allow_blank=True,
        help_text="idempotency key generated by the client: resends return the same case",
    )
    urgent = serializers.BooleanField(default=False)
    photos = serializers.ListField(child=serializers.FileField(), required=False, max_length=9)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    channel = serializers.ChoiceField(
        choices=[Channel.HOTLINE],
        required=False,
        help_text="hotline: entered by 12345 staff for a caller",
    )
    reporter_name = serializers.CharField(max_length=64, required=False, allow_blank=True)
    reporter_phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    involved = serializers.JSONField(required=False)
    settle_note = serializers.CharField(
        max_length=4000,
        required=False,
        allow_blank=True,
        help_text="settled on the spot: what the worker did (closes the case at once)",
    )


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    client_id = serializers.CharField(max_length=64, required=False, allow_blank=True)
    photos = serializers.ListField(child=serializers.FileField(), required=False, max_length=9)


class RequiredNoteSerializer(NoteSerializer):
    note = serializers.CharField(max_length=4000)


class FeedbackSerializer(RequiredNoteSerializer):
    """反馈: ``note``/``photos`` for the agency; ``public_note``/``public_photos`` shown to the
    reporter on the tracking page (R18.1), without personal data."""

    public_note = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    public_photos = serializers.ListField(
        child=serializers.FileField(), required=False, max_length=9
    )


class VerifySerializer(NoteSerializer):
    valid = serializers.BooleanField(default=True)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=4000)
    client_id = serializers.CharField(max_length=64, required=False, allow_blank=True)


class DispatchSerializer(serializers.Serializer):
    lead_department = serializers.IntegerField(required=False)
    co_departments = serializers.ListField(child=serializers.IntegerField(), required=False)
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    ruling = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    client_id = serializers.CharField(max_length=64, required=False, allow_blank=True)


class CheckSerializer(NoteSerializer):
    passed = serializers.BooleanField()


class EvaluateSerializer(serializers.Serializer):
    rating = serializers.ChoiceField(choices=Rating.choices)
    comment = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    client_id = serializers.CharField(max_length=64, required=False, allow_blank=True)


class ExtendSerializer(serializers.Serializer):
    amount = serializers.IntegerField(min_value=1)
    unit = serializers.ChoiceField(choices=["workdays", "workhours"])
    reason = serializers.CharField(max_length=4000)
    client_id = serializers.CharField(max_length=64, required=False, allow_blank=True)


class DecideSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    client_id = serializers.CharField(max_length=64, required=False, allow_blank=True)


class DecideExtensionSerializer(DecideSerializer):
    extension = serializers.IntegerField()


class DecideSuspensionSerializer(DecideSerializer):
    suspension = serializers.IntegerField()


class SuperviseSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=4000)
    department = serializers.IntegerField(required=False)
    client_id = serializers.CharField(max_length=64, required=False, allow_blank=True)


class EndAssignmentSerializer(serializers.Serializer):
    """终止协办 (R25.1), for the API and the case page alike."""

    assignment = serializers.IntegerField(help_text="the co-department's assignment to end")
    reason = serializers.CharField(max_length=4000)
    client_id = serializers.CharField(max_length=64, required=False, allow_blank=True)


class ReviewSerializer(serializers.Serializer):
    """复核评价 (R27.1): reopen the case for the lead department, or confirm its result."""

    reopen = serializers.BooleanField()
    reason = serializers.CharField(max_length=4000)
    client_id = serializers.CharField(max_length=64, required=False, allow_blank=True)


class AnswerSerializer(serializers.Serializer):
    supervision = serializers.IntegerField()
    answer = serializers.CharField(max_length=4000)
    client_id = serializers.CharField(max_length=64, required=False, allow_blank=True)
