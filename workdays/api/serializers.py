from __future__ import annotations

from rest_framework import serializers

from gridgov.parsing import IntegerField, ModelSerializer
from workdays.models import CalendarDay, CalendarYear
from workdays.services import MAX_ADD_WORKDAYS, YEAR_RANGE


class _WithFrom(serializers.Serializer):
    """``from`` is a Python keyword, so the field is added by name."""

    from_field: serializers.Field

    def get_fields(self) -> dict[str, serializers.Field]:
        return {"from": self.from_field, **super().get_fields()}


class AddWorkdaysQuerySerializer(_WithFrom):
    add = IntegerField(min_value=0, max_value=MAX_ADD_WORKDAYS)

    @property
    def from_field(self) -> serializers.Field:
        return serializers.DateField(input_formats=["%Y-%m-%d"])


class AddWorkdaysAnswerSerializer(_WithFrom):
    add = IntegerField()
    date = serializers.DateField(help_text="the add-th working day after from")
    provisional = serializers.BooleanField(
        help_text="true when the count ran through a provisional year (statutory holidays only, "
        "the State Council's notice not entered yet): the date may move once it is (R24.2)"
    )
    covered_years = serializers.ListField(child=IntegerField())
    provisional_years = serializers.ListField(
        child=IntegerField(),
        help_text="covered years without the State Council's notice yet (statutory holidays "
        "only, weekends as usual, no make-up working days)",
    )

    @property
    def from_field(self) -> serializers.Field:
        return serializers.DateField()


class DaysQuerySerializer(serializers.Serializer):
    year = IntegerField(min_value=YEAR_RANGE[0], max_value=YEAR_RANGE[1])
    month = IntegerField(min_value=1, max_value=12, required=False)


PROVISIONAL_DAY_HELP = (
    "true for a day set from the statutory holidays alone, before the State Council's notice "
    "for its year is entered: it may change then (R24.2)"
)
PROVISIONAL_YEAR_HELP = (
    "true while the State Council's notice for the year is not entered: statutory holidays "
    "only, weekends as usual, no make-up working days (R24.2)"
)


class CalendarDaySerializer(ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    provisional = serializers.BooleanField(read_only=True, help_text=PROVISIONAL_DAY_HELP)

    class Meta:
        model = CalendarDay
        fields = ["date", "is_workday", "kind", "kind_label", "name", "provisional"]


class DaysAnswerSerializer(serializers.Serializer):
    year = IntegerField()
    month = IntegerField(allow_null=True)
    provisional = serializers.BooleanField(help_text=PROVISIONAL_YEAR_HELP)
    covered_years = serializers.ListField(child=IntegerField())
    provisional_years = serializers.ListField(child=IntegerField())
    days = CalendarDaySerializer(many=True)


class CalendarYearSerializer(ModelSerializer):
    provisional = serializers.BooleanField(read_only=True, help_text=PROVISIONAL_YEAR_HELP)
    notice_reference = serializers.CharField(
        read_only=True, help_text="the notice's document number, once entered"
    )

    class Meta:
        model = CalendarYear
        fields = ["year", "provisional", "sources", "notice_reference", "notice_entered_at"]
