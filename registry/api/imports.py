"""Imports over REST (R11.1, R22.1): ``POST /api/v1/registry/imports/`` (multipart: kind,
file, dry_run, region_code) answers 202 with the import's id; the import runs as a background
task; ``GET /api/v1/registry/imports/{id}/`` is its status, counts and problems."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from gridgov.access.api import ScopedViewSet
from registry.importing import NewImport
from registry.models import ImportKind, RegistryImport
from registry.services.imports import MAX_PROBLEMS, live_progress, start_import


class ImportInput(serializers.Serializer):
    """The one input of an upload (the API and the console page)."""

    kind = serializers.ChoiceField(choices=ImportKind.choices)
    file = serializers.FileField(help_text="a .csv or .xlsx file in the kind's layout")
    dry_run = serializers.BooleanField(required=False, default=False)
    region_code = serializers.RegexField(
        r"^[0-9]{2,12}$",
        required=False,
        allow_blank=True,
        help_text="the jurisdiction to import into (default: the user's one jurisdiction)",
    )

    def value(self) -> NewImport:
        data = self.validated_data
        return NewImport(
            kind=data["kind"],
            upload=data["file"],
            dry_run=data.get("dry_run", False),
            region_code=data.get("region_code", ""),
        )


class ImportSerializer(serializers.ModelSerializer):
    rows_checked = serializers.SerializerMethodField()
    rows_written = serializers.SerializerMethodField()
    problems_csv = serializers.SerializerMethodField(
        help_text=f"the error report (file, row, column, reason; at most {MAX_PROBLEMS} lines)"
    )

    class Meta:
        model = RegistryImport
        fields = ["id", "kind", "file_name", "dry_run", "region_code", "status", "rows_checked",
                  "rows_written", "problem_count", "problems_csv", "message", "created_at",
                  "finished_at"]  # fmt: skip
        read_only_fields = fields

    def get_rows_checked(self, obj: RegistryImport) -> int:
        return live_progress(obj)["checked"]

    def get_rows_written(self, obj: RegistryImport) -> int:
        return live_progress(obj)["written"]

    def get_problems_csv(self, obj: RegistryImport) -> str:
        return obj.problems_csv


@extend_schema(tags=["registry"])
class ImportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Imports of the user's jurisdiction; POST uploads one (202, then poll its status)."""

    queryset = RegistryImport.objects.select_related("created_by")
    serializer_class = ImportSerializer
    parser_classes = [MultiPartParser, FormParser]
    http_method_names = ["get", "post", "head", "options"]

    @extend_schema(request=ImportInput, responses={202: ImportSerializer})
    def create(self, request: Request) -> Response:
        serializer = ImportInput(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        job = start_import(request.user, serializer.value())
        return Response(ImportSerializer(job).data, status=status.HTTP_202_ACCEPTED)
