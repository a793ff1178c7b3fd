from __future__ import annotations

from rest_framework import serializers

from workdays.models import CalendarDay
from workdays.services import MAX_ADD_WORKDAYS, YEAR_RANGE


class _WithFrom(serializers.Serializer):
    """``from`` is a Python keyword, so the field is added by name."""

    from_field: serializers.Field

    def get_fields(self) -> dict[str, serializers.Field]:
        return {"from": self.from_field, **super().get_fields()}


class AddWorkdaysQuerySerializer(_WithFrom):
    add = serializers.IntegerField(min_value=0, max_value=MAX_ADD_WORKDAYS)

    @property
    def from_field(self) -> serializers.Field:
        return serializers.DateField(input_formats=["%Y-%m-%d"])


class AddWorkdaysAnswerSerializer(_WithFrom):
    add = serializers.IntegerField()
    date = serializers.DateField(help_text="the add-th working day after from")
    covered_years = serializers.ListField(child=serializers.IntegerField())

    @property
    def from_field(self) -> serializers.Field:
        return serializers.DateField()


class DaysQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=YEAR_RANGE[0], max_value=YEAR_RANGE[1])
    month = serializers.IntegerField(min_value=1, max_value=12, required=False)


class CalendarDaySerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = CalendarDay
        fields = ["date", "is_workday", "kind", "kind_label", "name"]


class DaysAnswerSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    month = serializers.IntegerField(allow_null=True)
    covered_years = serializers.ListField(child=serializers.IntegerField())
    days = CalendarDaySerializer(many=True)
