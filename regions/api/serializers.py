from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from regions import geometry as geo
from regions.models import Grid, Region


class RegionRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class RegionSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True)
    area_km2 = serializers.FloatField(read_only=True, allow_null=True)
    has_geometry = serializers.SerializerMethodField()

    class Meta:
        model = Region
        fields = ["code", "name", "level", "parent", "kind", "area_km2", "has_geometry"]

    def get_has_geometry(self, obj: Region) -> bool:
        return obj.geometry_wkb is not None


class GridSerializer(serializers.ModelSerializer):
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
