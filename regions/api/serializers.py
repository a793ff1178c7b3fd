from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from gridgov.parsing import CountField, IntegerField, ModelSerializer
from regions import geometry as geo
from regions.models import Grid, GridChange, Region


class RegionRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class RegionSerializer(ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    area_km2 = serializers.FloatField(read_only=True, allow_null=True)
    has_geometry = serializers.SerializerMethodField()

    class Meta:
        model = Region
        fields = ["code", "name", "level", "parent", "kind", "area_km2", "has_geometry"]

    def get_has_geometry(self, obj: Region) -> bool:
        return obj.geometry_wkb is not None


class GridSerializer(ModelSerializer):
    village = RegionRefSerializer(read_only=True)
    area_km2 = serializers.FloatField(read_only=True, allow_null=True)
    is_current = serializers.BooleanField(read_only=True)

    class Meta:
        model = Grid
        fields = [
            "code",
            "version",
            "name",
            "village",
            "households",
            "population",
            "area_km2",
            "valid_from",
            "valid_to",
            "is_current",
        ]


class GridDetailSerializer(GridSerializer):
    path = serializers.SerializerMethodField()
    geometry = serializers.SerializerMethodField()

    class Meta(GridSerializer.Meta):
        fields = [*GridSerializer.Meta.fields, "path", "geometry"]

    @extend_schema_field(RegionRefSerializer(many=True))
    def get_path(self, obj: Grid) -> list[dict[str, str]]:
        return [{"code": r.code, "name": r.name, "level": r.level} for r in obj.village.path()]

    @extend_schema_field(serializers.JSONField(help_text="GeoJSON geometry (lng/lat, WGS84)"))
    def get_geometry(self, obj: Grid) -> dict[str, Any] | None:
        return geo.to_geojson(obj.geometry)


class LocateResultSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="15-digit grid code")
    name = serializers.CharField()
    village = RegionRefSerializer()
    township = RegionRefSerializer()
    county = RegionRefSerializer()
    city = RegionRefSerializer()
    lng = serializers.FloatField(help_text="the point in WGS84/CGCS2000")
    lat = serializers.FloatField()


# --- grid changes (staff, R8.1, R8.2) -------------------------------------------------------

GEOJSON_HELP = "GeoJSON geometry (Polygon or MultiPolygon, lng/lat WGS84/CGCS2000)"
REASON_HELP = "why the change is made (filed with the city agency, R8.2)"


class GeoJSONField(serializers.JSONField):
    """A GeoJSON geometry object; the service checks it (valid, polygonal, inside)."""

    def to_internal_value(self, data: Any) -> Any:
        value = super().to_internal_value(data)
        if not isinstance(value, dict) or "type" not in value:
            raise serializers.ValidationError(gettext("a GeoJSON geometry object is required"))
        return value


class GridChangeRefSerializer(serializers.Serializer):
    id = IntegerField()
    kind = serializers.CharField()
    kind_label = serializers.CharField(source="get_kind_display")
    made_at = serializers.DateTimeField()
    reason = serializers.CharField()
    filing_status = serializers.CharField()


class GridChangeSerializer(ModelSerializer):
    """A grid change and its filing with the city (R8.1, R8.2)."""

    kind = serializers.CharField(
        read_only=True, help_text="division | create | redraw | split | merge | update"
    )
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    region = RegionRefSerializer(read_only=True)
    filed_with = RegionRefSerializer(read_only=True)
    made_by = serializers.SerializerMethodField()
    acknowledged_by = serializers.SerializerMethodField()
    filing_status = serializers.CharField(read_only=True, help_text="submitted | acknowledged")
    filing_status_label = serializers.CharField(source="get_filing_status_display", read_only=True)

    class Meta:
        model = GridChange
        fields = [
            "id",
            "kind",
            "kind_label",
            "region",
            "reason",
            "made_by",
            "made_at",
            "summary",
            "filed_with",
            "filing_status",
            "filing_status_label",
            "acknowledged_by",
            "acknowledged_at",
            "acknowledgement_note",
        ]

    @staticmethod
    def _person(user: Any) -> str | None:
        if user is None:
            return None
        return user.full_name or user.get_username()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_made_by(self, obj: Any) -> str | None:
        return self._person(obj.made_by)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_acknowledged_by(self, obj: Any) -> str | None:
        return self._person(obj.acknowledged_by)


class GridVersionSerializer(GridSerializer):
    """One version of a grid with the changes that made and retired it."""

    geometry = serializers.SerializerMethodField()
    created_by_change = GridChangeRefSerializer(read_only=True, allow_null=True)
    retired_by_change = GridChangeRefSerializer(read_only=True, allow_null=True)

    class Meta(GridSerializer.Meta):
        fields = [
            *GridSerializer.Meta.fields,
            "geometry",
            "created_by_change",
            "retired_by_change",
        ]

    @extend_schema_field(serializers.JSONField(allow_null=True, help_text=GEOJSON_HELP))
    def get_geometry(self, obj: Grid) -> dict[str, Any] | None:
        # Unrounded: a client that redraws from it must send shared borders back unchanged,
        # or rounding alone opens slivers the coverage check refuses.
        return geo.to_geojson(obj.geometry, precision=None)


class SplitPartSerializer(serializers.Serializer):
    geometry = GeoJSONField(help_text=GEOJSON_HELP)
    name = serializers.CharField(required=False, allow_blank=True, max_length=100, default="")
    households = CountField(required=False, allow_null=True)
    population = CountField(required=False, allow_null=True)


class SuccessionChoicesSerializer(serializers.Serializer):
    """What the administrator decides for the people of the changed grids (R8.1, R10.2)."""

    workers = serializers.DictField(
        child=serializers.CharField(max_length=15),
        required=False,
        default=dict,
        help_text="active assignment id → the successor grid code its worker moves to, or "
        '"end" to end the assignment; assignments not named go to the successor holding most '
        "of their old grid's area (see change-preview)",
    )
    accept_vacant = serializers.ListField(
        child=serializers.RegexField(r"^[0-9]{15}$"),
        required=False,
        default=list,
        help_text="successor grid codes accepted to be left without a grid leader (R10.2); "
        "otherwise such a change is refused",
    )


class SplitSerializer(SuccessionChoicesSerializer):
    """Either ``parts`` (drawn by the client) or ``line`` (cut on the server)."""

    parts = SplitPartSerializer(many=True, required=False)
    line = GeoJSONField(
        required=False,
        help_text="GeoJSON LineString across the grid: the server cuts the grid along it "
        "(shapely.ops.split); instead of parts",
    )
    names = serializers.ListField(
        child=serializers.CharField(allow_blank=True, max_length=100),
        required=False,
        help_text="with line: names of the parts, largest part first",
    )
    reason = serializers.CharField(help_text=REASON_HELP, allow_blank=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if bool(attrs.get("parts")) == bool(attrs.get("line")):
            raise serializers.ValidationError(
                {"parts": [gettext("give either parts or line (one)")]}
            )
        return attrs


class SplitPreviewSerializer(serializers.Serializer):
    line = GeoJSONField(help_text="GeoJSON LineString across the grid")


class SplitPreviewPartSerializer(serializers.Serializer):
    geometry = serializers.JSONField(help_text=GEOJSON_HELP)
    area_m2 = serializers.FloatField()
    households = IntegerField()
    population = IntegerField()


class MergeSerializer(SuccessionChoicesSerializer):
    codes = serializers.ListField(
        child=serializers.RegexField(r"^[0-9]{15}$"),
        help_text="the other grids of the village to merge with this one (adjacent)",
    )
    name = serializers.CharField(required=False, allow_blank=True, max_length=100, default="")
    reason = serializers.CharField(help_text=REASON_HELP, allow_blank=True)


class RedrawSerializer(SuccessionChoicesSerializer):
    geometries = serializers.DictField(
        child=GeoJSONField(),
        help_text="new geometry per grid code (this grid and the neighbours whose shared "
        "border moves with it, all of one village)",
    )
    reason = serializers.CharField(help_text=REASON_HELP, allow_blank=True)


class ChangePreviewSerializer(SuccessionChoicesSerializer):
    """A split, merge or redraw as it would be submitted (``reason`` not needed)."""

    kind = serializers.ChoiceField(choices=["split", "merge", "redraw"])
    parts = SplitPartSerializer(many=True, required=False)
    line = GeoJSONField(required=False, help_text="split: GeoJSON LineString across the grid")
    names = serializers.ListField(
        child=serializers.CharField(allow_blank=True, max_length=100), required=False
    )
    codes = serializers.ListField(
        child=serializers.RegexField(r"^[0-9]{15}$"),
        required=False,
        help_text="merge: the other grids to merge with this one",
    )
    name = serializers.CharField(required=False, allow_blank=True, max_length=100, default="")
    geometries = serializers.DictField(
        child=GeoJSONField(), required=False, help_text="redraw: new geometry per grid code"
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        kind = attrs["kind"]
        if kind == "split" and bool(attrs.get("parts")) == bool(attrs.get("line")):
            raise serializers.ValidationError(
                {"parts": [gettext("give either parts or line (one)")]}
            )
        if kind == "merge" and not attrs.get("codes"):
            raise serializers.ValidationError({"codes": [gettext("name the grids to merge")]})
        if kind == "redraw" and not attrs.get("geometries"):
            raise serializers.ValidationError({"geometries": [gettext("give the new geometries")]})
        return attrs


class PreviewSuccessorSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    area_m2 = serializers.FloatField(allow_null=True)
    predecessors = serializers.ListField(child=serializers.CharField())


class PreviewWorkerSerializer(serializers.Serializer):
    assignment = IntegerField()
    worker = IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    from_grid = serializers.CharField(help_text="the retired grid code")
    default = serializers.CharField(help_text="the successor holding most of its area")
    destination = serializers.CharField(help_text='where the worker goes, or "end"')
    choices = serializers.ListField(child=serializers.CharField())


class PreviewVacantSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    needs_acceptance = serializers.BooleanField(
        help_text="a predecessor had a leader: name it in accept_vacant or send a leader"
    )
    accepted = serializers.BooleanField()


class PreviewProblemSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="two_leaders, leader_village, leader_party_member")
    grid = serializers.CharField()
    message = serializers.CharField()


class PreviewCasesPerGridSerializer(serializers.Serializer):
    moving = IntegerField()
    without_point = IntegerField()


class PreviewCasesSerializer(serializers.Serializer):
    open = IntegerField(help_text="open cases in the changed grids")
    moving = IntegerField(help_text="open cases that change grid")
    staying = IntegerField()
    without_point = IntegerField(
        help_text="moving cases whose point lies in no successor: they go to the successor "
        "holding most of their old grid's area"
    )
    by_successor = serializers.DictField(child=PreviewCasesPerGridSerializer())


class ChangePreviewResultSerializer(serializers.Serializer):
    """What the change would do to people and open cases (R8.1, R10.2); nothing is written."""

    kind = serializers.CharField()
    retired = serializers.ListField(child=serializers.CharField())
    successors = PreviewSuccessorSerializer(many=True)
    default_successor = serializers.DictField(child=serializers.CharField())
    workers = PreviewWorkerSerializer(many=True)
    vacant = PreviewVacantSerializer(many=True)
    problems = PreviewProblemSerializer(many=True)
    cases = PreviewCasesSerializer()


class GridUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(required=False, max_length=100)
    households = CountField(required=False)
    population = CountField(required=False)
    reason = serializers.CharField(help_text=REASON_HELP, allow_blank=True)


class GridChangeResultSerializer(serializers.Serializer):
    change = GridChangeSerializer(allow_null=True)
    grids = GridVersionSerializer(many=True)


class AcknowledgeSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class CoverageProblemSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="outside | overlap | gap | no_geometry | size")
    severity = serializers.CharField(help_text="error | warning (size rules are warnings)")
    codes = serializers.ListField(child=serializers.CharField())
    area_m2 = serializers.FloatField()
    point = serializers.ListField(
        child=serializers.FloatField(), allow_null=True, help_text="[lng, lat] inside the problem"
    )
    message = serializers.CharField()
    geometry = serializers.JSONField(allow_null=True, help_text="the problem's piece (GeoJSON)")


class CoverageReportSerializer(serializers.Serializer):
    region = RegionRefSerializer()
    ok = serializers.BooleanField(help_text="no errors (warnings allowed)")
    tolerance_m2 = serializers.FloatField()
    parents_checked = IntegerField()
    units_checked = IntegerField()
    errors = IntegerField()
    warnings = IntegerField()
    problems = CoverageProblemSerializer(many=True)
    computed_at = serializers.DateTimeField()
    seconds = serializers.FloatField(help_text="time the check took")
    cached = serializers.BooleanField()
