from __future__ import annotations

from collections.abc import Callable
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cases import inputs, involved, links, machine
from cases.models import (
    FINAL_STATES,
    Assignment,
    Attachment,
    Case,
    CaseEvent,
    CaseLink,
    Channel,
    Extension,
    InvolvedPerson,
    InvolvedRole,
    LinkKind,
    Rating,
    Supervision,
    Suspension,
)
from gridgov.errors import DomainError
from gridgov.parsing import INT32_MAX, IdField, IntegerField, ModelSerializer
from regions import geometry as geo


class CaseDepartmentSerializer(serializers.Serializer):
    id = IntegerField()
    name = serializers.CharField()


PROVISIONAL_HELP = (
    "true when this deadline counted days of a provisional calendar year (statutory holidays "
    "only: the State Council's notice for the year is not entered yet, see "
    "/api/v1/calendar/years/); it is recomputed when the notice is entered (R24.2)"
)


class AssignmentSerializer(ModelSerializer):
    department = CaseDepartmentSerializer(read_only=True)
    due_provisional = serializers.BooleanField(read_only=True, help_text=PROVISIONAL_HELP)

    class Meta:
        model = Assignment
        fields = [
            "id",
            "department",
            "role",
            "state",
            "dispatched_at",
            "due_at",
            "due_provisional",
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


class AttachmentSerializer(ModelSerializer):
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


class ExtensionSerializer(ModelSerializer):
    department = IntegerField(source="assignment.department_id", read_only=True)

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


class SuspensionSerializer(ModelSerializer):
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


class SupervisionSerializer(ModelSerializer):
    department = IntegerField(source="assignment.department_id", read_only=True)

    class Meta:
        model = Supervision
        fields = ["id", "department", "note", "at", "answer", "answered_at"]


class InvolvedPersonSerializer(ModelSerializer):
    """An involved person as every case reader sees them: numbers masked; the full value
    only through the case's ``reveal`` action (logged, R22.1). A person linked to a registry
    resident shows the resident's name and masked numbers, and its id (``resident``)."""

    name = serializers.CharField(source="name_shown", read_only=True)
    phone = serializers.CharField(source="phone_shown", read_only=True)
    id_number = serializers.CharField(source="id_number_shown", read_only=True)
    resident = IntegerField(
        source="resident_id",
        read_only=True,
        allow_null=True,
        help_text="the registry resident this person is (null: typed in)",
    )

    class Meta:
        model = InvolvedPerson
        fields = ["id", "name", "role", "phone", "id_number", "resident", "note"]


class CaseLinkSerializer(serializers.Serializer):
    """A registry record the case involves, as every case reader sees it: kind, the record's
    id and name, an organisation's credit code and masked contact phone (ADR 0010)."""

    link = IntegerField(source="pk", read_only=True, help_text="the link's own id")
    kind = serializers.ChoiceField(choices=LinkKind.choices, read_only=True)
    id = IntegerField(source="record_id", read_only=True, help_text="the registry record's id")
    name = serializers.SerializerMethodField()
    credit_code = serializers.SerializerMethodField()
    contact_phone = serializers.SerializerMethodField()
    note = serializers.CharField(read_only=True)

    def get_name(self, obj: CaseLink) -> str:
        return str(obj.record)

    def get_credit_code(self, obj: CaseLink) -> str:
        return links.shown(obj).get("credit_code", "")

    def get_contact_phone(self, obj: CaseLink) -> str:
        """masked; an organisation's only"""
        return links.shown(obj).get("contact_phone", "")


class InvolvedPersonInputSerializer(serializers.Serializer):
    """The documented shape of one involved person in a report (parsed by cases.involved)."""

    name = serializers.CharField(
        max_length=involved.MAX_NAME, required=False, help_text="required unless resident"
    )
    role = serializers.ChoiceField(choices=InvolvedRole.choices, default=InvolvedRole.PARTY)
    resident = IdField(
        required=False,
        help_text="a registry resident visible to the reporter, instead of name, phone and "
        "id_number (its masked values are shown)",
    )
    phone = serializers.CharField(required=False, allow_blank=True, help_text="mainland mobile")
    id_number = serializers.CharField(
        required=False, allow_blank=True, help_text="18-character resident ID number"
    )


class ItemListField(serializers.Field):
    """A list of a report parsed once by its module's ``parse`` (:mod:`cases.item_lists`; the
    services parse the same shape from the web forms): errors name the item and field."""

    parse: Callable[[Any], tuple[Any, ...]]
    field_name_in_errors: str

    def to_internal_value(self, data: Any) -> tuple[Any, ...]:
        try:
            return self.parse(data)
        except DomainError as exc:
            raise serializers.ValidationError(
                exc.extra.get("errors", {}).get(self.field_name_in_errors) or [exc.message]
            ) from exc

    def to_representation(self, value: Any) -> Any:
        return [item.__dict__ for item in value]


@extend_schema_field(InvolvedPersonInputSerializer(many=True))
class InvolvedPersonsField(ItemListField):
    """The report's involved persons (:func:`cases.involved.parse`)."""

    parse = staticmethod(involved.parse)
    field_name_in_errors = involved.FIELD


class LinkInputSerializer(serializers.Serializer):
    """The documented shape of one registry record a case involves (parsed by cases.links)."""

    kind = serializers.ChoiceField(choices=LinkKind.choices)
    id = IdField(help_text="the registry record's id (visible to the account)")
    note = serializers.CharField(max_length=links.MAX_NOTE, required=False, allow_blank=True)


@extend_schema_field(LinkInputSerializer(many=True))
class LinksField(ItemListField):
    """Registry organisations, places and things (:func:`cases.links.parse`)."""

    parse = staticmethod(links.parse)
    field_name_in_errors = links.FIELD


class CaseSerializer(ModelSerializer):
    """A case as clients see it; field names are a contract (mobile app, web UI, Open311)."""

    grid = serializers.CharField(source="grid_code", read_only=True)
    matter = serializers.CharField(source="matter_code", read_only=True)
    matter_name = serializers.CharField(source="entry.item.name", read_only=True)
    lead_department = CaseDepartmentSerializer(read_only=True, allow_null=True)
    urgent = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField(help_text="Open311: open or closed")
    reporter_phone = serializers.CharField(source="reporter_phone_masked", read_only=True)
    available_actions = serializers.SerializerMethodField()
    dispatch_due_provisional = serializers.BooleanField(read_only=True, help_text=PROVISIONAL_HELP)
    due_provisional = serializers.BooleanField(read_only=True, help_text=PROVISIONAL_HELP)

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
            "dispatch_due_provisional",
            "due_at",
            "due_provisional",
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


# The context key naming the case's relations known to hold no rows (a new report's, given by
# the intake service): the answer shows them empty without reading them.
EMPTY_RELATIONS = "empty_relations"


class CaseRelation(serializers.ListSerializer):
    """A case's related rows, or none read at all for a relation the context says is empty."""

    def get_attribute(self, instance: Any) -> Any:
        if self.source in self.context.get(EMPTY_RELATIONS, ()):
            return []
        return super().get_attribute(instance)


class CaseDetailSerializer(CaseSerializer):
    assignments = CaseRelation(child=AssignmentSerializer(), read_only=True)
    attachments = CaseRelation(child=AttachmentSerializer(), read_only=True)
    extensions = serializers.SerializerMethodField()
    suspensions = CaseRelation(child=SuspensionSerializer(), read_only=True)
    supervisions = CaseRelation(child=SupervisionSerializer(), read_only=True)
    involved = CaseRelation(
        child=InvolvedPersonSerializer(), source="involved_persons", read_only=True
    )
    links = CaseRelation(child=CaseLinkSerializer(), read_only=True)

    class Meta(CaseSerializer.Meta):
        fields = [
            *CaseSerializer.Meta.fields,
            "involved",
            "links",
            "assignments",
            "attachments",
            "extensions",
            "suspensions",
            "supervisions",
        ]

    @extend_schema_field(ExtensionSerializer(many=True))
    def get_extensions(self, obj: Case) -> list[dict[str, Any]]:
        if "assignments" in self.context.get(EMPTY_RELATIONS, ()):
            return []
        if not obj.assignments.all():  # extensions belong to assignments (prefetched on detail)
            return []
        qs = Extension.objects.filter(assignment__case=obj).select_related("assignment")
        return ExtensionSerializer(qs, many=True).data


class CaseEventSerializer(ModelSerializer):
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
    progress_sms = serializers.BooleanField(
        default=False,
        help_text="the reporter agreed to SMS progress messages on reporter_phone (R18.1)",
    )
    involved = InvolvedPersonsField(required=False)
    links = LinksField(
        required=False,
        help_text="registry organisations, places and things the case involves (ADR 0010)",
    )
    settle_note = serializers.CharField(
        max_length=4000,
        required=False,
        allow_blank=True,
        help_text="settled on the spot: what the worker did (closes the case at once)",
    )

    def to_report(self, **known: Any) -> inputs.ReportInput:
        """The report as the intake service takes it, with what the page knows besides
        (the public portal's channel)."""
        return inputs.ReportInput(**(self.validated_data | known))


class CaseRevealSerializer(serializers.Serializer):
    field = serializers.ChoiceField(choices=["reporter_phone", "phone", "id_number"])
    person = IdField(required=False, help_text="the involved person (for phone and id_number)")
    reason = serializers.CharField(
        max_length=2000, help_text="why the full value is needed (logged, R22.1)"
    )


class CaseRevealResultSerializer(serializers.Serializer):
    field = serializers.CharField()
    person = IntegerField(allow_null=True)
    value = serializers.CharField()


class ToInput:
    """An action's serializer: its validated fields become the action's value object
    (:mod:`cases.inputs`), which the service takes (:mod:`cases.actions_io`)."""

    value_class: type[inputs.ActionInput]
    validated_data: dict[str, Any]

    def to_input(self) -> inputs.ActionInput:
        return self.value_class(**self.validated_data)


class NoteSerializer(ToInput, serializers.Serializer):
    value_class = inputs.NoteInput
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    client_id = serializers.CharField(max_length=64, required=False, allow_blank=True)
    photos = serializers.ListField(child=serializers.FileField(), required=False, max_length=9)


class RequiredNoteSerializer(NoteSerializer):
    note = serializers.CharField(max_length=4000)


class FeedbackSerializer(RequiredNoteSerializer):
    """反馈: ``note``/``photos`` for the agency; ``public_note``/``public_photos`` shown to the
    reporter on the tracking page (R18.1), without personal data."""

    value_class = inputs.FeedbackInput

    public_note = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    public_photos = serializers.ListField(
        child=serializers.FileField(), required=False, max_length=9
    )


class VerifySerializer(NoteSerializer):
    value_class = inputs.VerifyInput
    valid = serializers.BooleanField(default=True)


class LinkStepSerializer(ToInput, serializers.Serializer):
    """link or unlink one registry record on an open case (ADR 0010)."""

    value_class = inputs.LinkStepInput
    op = serializers.ChoiceField(choices=["link", "unlink"], help_text="link or unlink")
    kind = serializers.ChoiceField(choices=["resident", *LinkKind.values])
    record = IdField(help_text="the registry record's id (to link: visible to the account)")
    role = serializers.ChoiceField(
        choices=InvolvedRole.choices,
        default=InvolvedRole.PARTY,
        help_text="a resident's role in the case",
    )
    note = serializers.CharField(max_length=links.MAX_NOTE, required=False, allow_blank=True)
    client_id = serializers.CharField(max_length=64, required=False, allow_blank=True)

    def to_input(self) -> inputs.ActionInput:
        data = dict(self.validated_data)
        data.pop("op")
        return self.value_class(**data)


class ReasonSerializer(ToInput, serializers.Serializer):
    value_class = inputs.ReasonInput
    reason = serializers.CharField(max_length=4000)
    client_id = serializers.CharField(max_length=64, required=False, allow_blank=True)


class DispatchSerializer(ToInput, serializers.Serializer):
    value_class = inputs.DispatchInput
    lead_department = IdField(required=False)
    co_departments = serializers.ListField(child=IdField(), required=False, max_length=100)
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    ruling = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    client_id = serializers.CharField(max_length=64, required=False, allow_blank=True)


class CheckSerializer(NoteSerializer):
    value_class = inputs.CheckInput
    passed = serializers.BooleanField()


class EvaluateSerializer(ToInput, serializers.Serializer):
    value_class = inputs.EvaluateInput
    rating = serializers.ChoiceField(choices=Rating.choices)
    comment = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    client_id = serializers.CharField(max_length=64, required=False, allow_blank=True)


class ExtendSerializer(ToInput, serializers.Serializer):
    value_class = inputs.ExtendInput
    amount = IntegerField(min_value=1, max_value=INT32_MAX)
    unit = serializers.ChoiceField(choices=["workdays", "workhours"])
    reason = serializers.CharField(max_length=4000)
    client_id = serializers.CharField(max_length=64, required=False, allow_blank=True)


class DecideSerializer(ToInput, serializers.Serializer):
    approve = serializers.BooleanField()
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    client_id = serializers.CharField(max_length=64, required=False, allow_blank=True)


class DecideExtensionSerializer(DecideSerializer):
    value_class = inputs.DecideExtensionInput
    extension = IdField()


class DecideSuspensionSerializer(DecideSerializer):
    value_class = inputs.DecideSuspensionInput
    suspension = IdField()


class SuperviseSerializer(ToInput, serializers.Serializer):
    value_class = inputs.SuperviseInput
    note = serializers.CharField(max_length=4000)
    department = IdField(required=False)
    client_id = serializers.CharField(max_length=64, required=False, allow_blank=True)


class EndAssignmentSerializer(ToInput, serializers.Serializer):
    """终止协办 (R25.1), for the API and the case page alike."""

    value_class = inputs.EndAssignmentInput

    assignment = IdField(help_text="the co-department's assignment to end")
    reason = serializers.CharField(max_length=4000)
    client_id = serializers.CharField(max_length=64, required=False, allow_blank=True)


class ReviewSerializer(ToInput, serializers.Serializer):
    """复核评价 (R27.1): reopen the case for the lead department, or confirm its result."""

    value_class = inputs.ReviewInput

    reopen = serializers.BooleanField()
    reason = serializers.CharField(max_length=4000)
    client_id = serializers.CharField(max_length=64, required=False, allow_blank=True)


class AnswerSerializer(ToInput, serializers.Serializer):
    value_class = inputs.AnswerInput
    supervision = IdField()
    answer = serializers.CharField(max_length=4000)
    client_id = serializers.CharField(max_length=64, required=False, allow_blank=True)
