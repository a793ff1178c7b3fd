"""Entering the State Council's holiday notice over REST (R24.2): ``POST
/api/v1/calendar-notices/``, for administrators covering every county (the calendar page does
the same; ``workdays.notices`` parses and checks the body, ``cases.calendar_notice`` decides
who may). Reading the calendar stays public: ``/api/v1/calendar/``.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from cases import calendar_notice
from gridgov.access.api import ScopedViewSet
from gridgov.parsing import IntegerField
from workdays import notices
from workdays.api.serializers import CalendarYearSerializer
from workdays.models import CalendarYear
from workdays.services import YEAR_RANGE


class BreakSerializer(serializers.Serializer):
    name = serializers.CharField(
        max_length=notices.MAX_NAME,
        required=False,
        help_text="the festival (default: the statutory holiday inside the break)",
    )
    start = serializers.DateField()
    end = serializers.DateField(help_text="the last day off, inclusive")


class MakeupDaySerializer(serializers.Serializer):
    date = serializers.DateField(help_text="a Saturday or Sunday worked (调休上班)")
    name = serializers.CharField(max_length=notices.MAX_NAME, required=False)


class NoticeSerializer(serializers.Serializer):
    """The body: the notice as the State Council sets it (documented here, read once by
    ``workdays.notices.parse``)."""

    year = IntegerField(min_value=YEAR_RANGE[0], max_value=YEAR_RANGE[1])
    reference = serializers.CharField(
        max_length=notices.MAX_REFERENCE, required=False, help_text="e.g. 国办发明电〔2026〕12号"
    )
    holidays = BreakSerializer(
        many=True,
        help_text="the breaks (放假调休): each statutory holiday on a weekday must lie in one",
    )
    workdays = MakeupDaySerializer(many=True, required=False)


class NoticeAnswerSerializer(serializers.Serializer):
    year = CalendarYearSerializer()
    changed = serializers.BooleanField(help_text="false: this notice was already entered")
    days_changed = IntegerField()
    deadlines_moved = IntegerField(
        help_text="open deadlines recomputed because the notice moved them (each audited and "
        "in its case's archive)"
    )


class CalendarNoticeViewSet(ScopedViewSet):
    queryset = CalendarYear.objects.all()

    @extend_schema(
        summary="Enter the State Council's holiday notice for a year (R24.2)",
        description="The year's days become the notice's; the year stops being provisional; "
        "the open deadlines that counted its days are recomputed. 201 when entered, 200 when "
        "this notice was already entered (nothing changes). 400 naming the field when the "
        "notice cannot be right (dates outside the year, overlapping breaks, a statutory "
        "holiday left a working day); 403 for anyone but an administrator covering every "
        "county.",
        request=NoticeSerializer,
        responses={
            201: NoticeAnswerSerializer,
            200: NoticeAnswerSerializer,
            400: OpenApiResponse(description="the notice is refused; nothing changed"),
            403: OpenApiResponse(description="not an administrator covering every county"),
        },
        tags=["calendar"],
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        result = calendar_notice.enter(request.user, request.data)
        body = {
            "year": CalendarYearSerializer(result.year).data,
            "changed": result.changed,
            "days_changed": result.updated,
            "deadlines_moved": result.deadlines_moved,
        }
        return Response(body, status=status.HTTP_201_CREATED if result.changed else 200)
