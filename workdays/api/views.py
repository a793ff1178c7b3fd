"""The working-day calendar over REST, public and read-only (R24.2, R24.3).

Clients that show deadlines (the phone app, department systems) ask for "N working days after
a date" and render months with holidays and make-up workdays; both answer from the same
calendar the case deadlines use.
"""

from __future__ import annotations

import datetime as dt

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from gridgov.access.public import public_get, query
from workdays import services
from workdays.api.serializers import (
    AddWorkdaysAnswerSerializer,
    AddWorkdaysQuerySerializer,
    CalendarDaySerializer,
    CalendarYearSerializer,
    DaysAnswerSerializer,
    DaysQuerySerializer,
)
from workdays.models import CalendarDay, CalendarYear

ERROR_RESPONSE = {
    400: OpenApiTypes.OBJECT,
}


@extend_schema(
    summary="The date N working days after a date",
    description="The start date itself is not counted (Friday + 1 = the next working day, "
    "Monday unless it is a holiday). Make-up workdays (调休上班) count; statutory holidays "
    "do not. 400 with code calendar_not_covered and the year when the answer would need a "
    "year the calendar does not cover. A year without the State Council's notice is covered "
    "provisionally (statutory holidays only): an answer counted through one says "
    "provisional: true.",
    parameters=[
        OpenApiParameter(
            "from", OpenApiTypes.DATE, required=True, description="start date, YYYY-MM-DD"
        ),
        OpenApiParameter(
            "add",
            OpenApiTypes.INT,
            required=True,
            description=f"working days to add, 0–{services.MAX_ADD_WORKDAYS}",
        ),
    ],
    responses={200: AddWorkdaysAnswerSerializer, **ERROR_RESPONSE},
    tags=["calendar"],
)
@public_get
def add_workdays(request: Request) -> Response:
    params = query(AddWorkdaysQuerySerializer, request)
    start: dt.date = params["from"]
    add: int = params["add"]
    answer = services.add_workdays(start, add)
    body = {
        "from": start,
        "add": add,
        "date": answer,
        "provisional": services.is_provisional_between(start, answer),
        "covered_years": services.covered_years(),
        "provisional_years": services.provisional_years(),
    }
    return Response(AddWorkdaysAnswerSerializer(body).data)


@extend_schema(
    summary="The days of a year or month",
    description="Every date with its working-day flag, kind (workday, weekend, holiday, "
    "makeup_workday) and name (e.g. 国庆节, 春节调休上班), for rendering a calendar. A "
    "provisional year (no State Council notice yet: statutory holidays only) says so, and so "
    "does each of its days.",
    parameters=[
        OpenApiParameter("year", OpenApiTypes.INT, required=True),
        OpenApiParameter("month", OpenApiTypes.INT, description="1–12; the whole year without"),
    ],
    responses={200: DaysAnswerSerializer, **ERROR_RESPONSE},
    tags=["calendar"],
)
@public_get
def days(request: Request) -> Response:
    params = query(DaysQuerySerializer, request)
    year: int = params["year"]
    month: int | None = params.get("month")
    covered = services.covered_years()
    if year not in covered:
        raise services.CalendarNotCovered(year, field="year")
    rows = CalendarDay.objects.filter(date__year=year)
    if month is not None:
        rows = rows.filter(date__month=month)
    provisional = services.provisional_years()
    body = {
        "year": year,
        "month": month,
        "provisional": year in provisional,
        "covered_years": covered,
        "provisional_years": provisional,
        "days": CalendarDaySerializer(rows.order_by("date"), many=True).data,
    }
    return Response(body)


@extend_schema(
    summary="The covered years",
    description="Each year the calendar covers: provisional while the State Council's notice "
    "for it is not entered (statutory holidays only, no make-up working days; deadlines "
    "computed into it are flagged and move when the notice is entered), with the sources of "
    "its days and the notice's document number once entered.",
    responses={200: CalendarYearSerializer(many=True)},
    tags=["calendar"],
)
@public_get
def years(request: Request) -> Response:
    rows = CalendarYear.objects.order_by("year")
    return Response(CalendarYearSerializer(rows, many=True).data)
