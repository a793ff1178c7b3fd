"""Shared REST plumbing: pagination and one error format for every endpoint.

Errors always come back as ``{"detail": "...", "errors": {field: [messages]}}`` so that a
phone client or a department system can show the reason without guessing the shape.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from gridgov.errors import DomainError, RateLimited


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500


def _django_validation_to_drf(exc: DjangoValidationError) -> ValidationError:
    if hasattr(exc, "error_dict"):
        return ValidationError(
            {k: [str(m) for m in v.messages] for k, v in exc.message_dict.items()}
        )
    return ValidationError({"non_field_errors": [str(m) for m in exc.messages]})


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Turn domain refusals and validation errors into HTTP 400 with field messages."""
    if isinstance(exc, DomainError):
        body: dict[str, Any] = {"detail": exc.message, "code": exc.code}
        if exc.field:
            body["errors"] = {exc.field: [exc.message]}
        if exc.extra:
            body.update(exc.extra)
        response = Response(body, status=exc.http_status)
        if isinstance(exc, RateLimited):
            response["Retry-After"] = str(exc.retry_after)
        return response
    if isinstance(exc, DjangoValidationError):
        exc = _django_validation_to_drf(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, ValidationError) and response.status_code == status.HTTP_400_BAD_REQUEST:
        data = response.data
        if isinstance(data, dict):
            first = next(iter(data.items()), None)
            summary = _first_message(first[1]) if first else ""
            label = first[0] if first else ""
            detail = f"{label}: {summary}" if label and label != "non_field_errors" else summary
            response.data = {"detail": detail, "errors": data}
        else:
            response.data = {"detail": _first_message(data), "errors": {"non_field_errors": data}}
    return response


def _first_message(value: Any) -> str:
    while isinstance(value, list | tuple) and value:
        value = value[0]
    if isinstance(value, dict):
        return _first_message(next(iter(value.values()), ""))
    return str(value)
