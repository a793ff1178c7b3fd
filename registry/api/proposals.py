"""Proposals over REST (R11.1 (二), R22.1): a grid worker proposes a change from the phone
(``POST /api/v1/registry/proposals/``, idempotent on ``client_id``), the township agency lists
what waits in its jurisdiction and confirms or rejects it.

The input of a proposal is the proposal's own fields (``change``: its kind, ``subject``,
GPS, the phone's time, ``client_id``, a note, a photo) and, flat beside them, the fields of
the kind's change, parsed by the serializer the direct change uses
(``registry.api.serializers``): the phone's form, the API and a test send the same body.
:func:`parse` is that one parser, used by this view and by the phone's pages without
JavaScript (``fieldwork.views_registry``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from gridgov.access import scoping
from gridgov.access.api import ScopedViewSet
from gridgov.errors import NotFound
from gridgov.parsing import ModelSerializer
from registry import photos, proposal_display
from registry.api import serializers as s
from registry.models import Proposal, ProposalKind, ProposalStatus
from registry.services import proposals as service


class TagProposalSerializer(s.TagCreateSerializer):
    resident = None  # the proposal's subject


class ResidentAddProposalSerializer(s.ResidentCreateSerializer):
    house = None  # the proposal's subject
    house_relation = serializers.ChoiceField(choices=s.HouseRelation.choices)


_K = ProposalKind
# the input of each kind's change: the serializer of the direct change
KIND_INPUTS: dict[str, type[s.ValueSerializer]] = {
    _K.RESIDENT_ADD: ResidentAddProposalSerializer,
    _K.RESIDENT_UPDATE: s.ResidentUpdateSerializer,
    _K.MOVE_IN: s.MoveInSerializer,
    _K.MOVE_OUT: s.StatusChangeSerializer,
    _K.TAG: TagProposalSerializer,
    _K.PLACE_ADD: s.PlaceCreateSerializer,
    _K.PLACE_UPDATE: s.PlaceUpdateSerializer,
    _K.THING_STATE: s.ThingUpdateSerializer,
}


class ProposalCreateSerializer(serializers.Serializer):
    # "change", not "kind": the kind's own fields include a "kind" (of resident, group, place)
    change = serializers.ChoiceField(choices=ProposalKind.choices, help_text="the proposal's kind")
    subject = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        help_text="the house (resident_add), "
        "resident, place or thing the change is about; none for place_add",
    )
    client_id = serializers.CharField(max_length=64, required=False, allow_blank=True)
    gps_lng = s.FiniteFloatField(required=False, allow_null=True, min_value=-180, max_value=180)
    gps_lat = s.FiniteFloatField(required=False, allow_null=True, min_value=-90, max_value=90)
    gps_accuracy = s.FiniteFloatField(required=False, allow_null=True, min_value=0)
    device_time = serializers.DateTimeField(required=False, allow_null=True)
    proposal_note = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    photo = serializers.FileField(required=False, allow_null=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if (attrs.get("gps_lng") is None) != (attrs.get("gps_lat") is None):
            raise serializers.ValidationError({"gps_lng": _("经度和纬度须同时填写")})
        return attrs


@dataclass(frozen=True)
class ProposalInput:
    kind: str
    subject: Any
    value: Any
    gps: service.Gps
    note: str
    client_id: str
    photo: photos.Photo | None


def _flat(data: Any) -> dict[str, Any]:
    """The body's fields, blank ones left out (a form sends every field, filled or not)."""
    items = data.items() if hasattr(data, "items") else []
    return {k: v for k, v in items if not (isinstance(v, str) and v.strip() == "")}


def parse(request: Any, data: Any, files: Any = None) -> ProposalInput:
    """A proposal's body parsed once: its own fields, the subject looked up among the records
    the user may see (404 otherwise), the kind's change by its serializer (400 naming the
    field)."""
    flat = _flat(data)
    # "photo" from a form, "photos" from the phone's outbox (which names every photo so)
    upload = files.get("photo") or files.get("photos") if files is not None else None
    if upload is not None:
        flat["photo"] = upload
    head = ProposalCreateSerializer(data=flat)
    head.is_valid(raise_exception=True)
    meta = head.validated_data
    kind = meta["change"]
    spec = service.KINDS[kind]
    subject = None
    if spec.subject is not None and meta.get("subject") is not None:
        visible = scoping.scope_queryset(request.user, spec.subject._default_manager.all())
        subject = visible.filter(pk=meta["subject"]).first()
        if subject is None:
            raise NotFound(_("没有这条记录"), field="subject")
    body = KIND_INPUTS[kind](data=flat, context={"request": request})
    body.is_valid(raise_exception=True)
    upload = meta.get("photo")
    return ProposalInput(
        kind=kind,
        subject=subject,
        value=body.value(),
        gps=service.Gps(
            lng=meta.get("gps_lng"),
            lat=meta.get("gps_lat"),
            accuracy_m=meta.get("gps_accuracy"),
            device_time=meta.get("device_time"),
        ),
        note=meta.get("proposal_note", ""),
        client_id=meta.get("client_id", ""),
        photo=photos.checked(upload) if upload is not None else None,
    )


def submit(request: Any, data: Any, files: Any = None) -> tuple[Proposal, bool]:
    """Parse and propose: the one call of the API and of the phone's pages."""
    given = parse(request, data, files)
    return service.propose(
        request.user, given.kind, given.subject, given.value, gps=given.gps, note=given.note,
        client_id=given.client_id, photo=given.photo,
    )  # fmt: skip


class ProposalFieldSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    before = serializers.CharField()
    after = serializers.CharField()


class ProposalSerializer(ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    proposer_name = serializers.SerializerMethodField()
    changes = serializers.SerializerMethodField()
    has_photo = serializers.SerializerMethodField()

    class Meta:
        model = Proposal
        fields = ["id", "kind", "kind_label", "status", "status_label", "subject_id", "summary",
                  "note", "lng", "lat", "accuracy_m", "device_time", "client_id", "proposer",
                  "proposer_name", "reviewer", "reviewed_at", "auto", "reason", "result_id",
                  "region_code", "grid_code", "created_at", "changes", "has_photo"]  # fmt: skip
        read_only_fields = fields

    def get_proposer_name(self, proposal: Proposal) -> str:
        user = proposal.proposer
        return (user.get_full_name() or user.username) if user is not None else ""

    @extend_schema_field(ProposalFieldSerializer(many=True))
    def get_changes(self, proposal: Proposal) -> list[dict[str, str]]:
        """Each field proposed: the record's value now and the proposed one, masked."""
        return [
            {"name": r.name, "label": r.label, "before": r.before, "after": r.after}
            for r in proposal_display.rows(proposal)
        ]

    def get_has_photo(self, proposal: Proposal) -> bool:
        return bool(proposal.photo)


class ProposalRejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


@extend_schema(tags=["registry"])
class ProposalViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Proposals of grid workers (R11.1 (二)): ``status``, ``kind``, ``grid`` (grid or region
    code prefix) and ``mine=1`` filter the list; ``confirm`` and ``reject`` are the township
    agency's."""

    queryset = Proposal.objects.select_related("proposer").order_by("-created_at", "-pk")
    serializer_class = ProposalSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> QuerySet:
        queryset = super().get_queryset()
        params = self.request.query_params
        if (wanted := params.get("status", "").strip()) in ProposalStatus.values:
            queryset = queryset.filter(status=wanted)
        if (kind := params.get("kind", "").strip()) in ProposalKind.values:
            queryset = queryset.filter(kind=kind)
        if grid := params.get("grid", "").strip():
            queryset = queryset.filter(grid_code__startswith=grid) | queryset.filter(
                region_code__startswith=grid
            )
        if params.get("mine", "") in {"1", "true"}:
            queryset = queryset.filter(proposer=self.request.user)
        return queryset

    @extend_schema(
        request=ProposalCreateSerializer,
        responses={200: ProposalSerializer, 201: ProposalSerializer},
    )
    def create(self, request: Request) -> Response:
        """Propose a change (a resend with the same ``client_id`` and content: 200, the
        stored proposal; other content under it: 409)."""
        proposal, created = submit(request, request.data, request.FILES)
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(ProposalSerializer(proposal).data, status=code)

    @extend_schema(request=None, responses=ProposalSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str) -> Response:
        """Confirm: the change is applied through the registry's service (township agency)."""
        return self.reply(service.confirm(request.user, self.get_object()))

    @extend_schema(request=ProposalRejectSerializer, responses=ProposalSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str) -> Response:
        """Send the proposal back with a reason the proposer sees."""
        return self.object_step(ProposalRejectSerializer, service.reject)
