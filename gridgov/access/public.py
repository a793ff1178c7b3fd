"""Public, read-only function views of the API (the calendar, the grid lookup): no login, a
rate bounded per client address (``DEFAULT_THROTTLE_RATES``), GET only (R8.4, R24.3)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rest_framework.decorators import api_view, permission_classes, throttle_classes
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.throttling import AnonRateThrottle


def public_get(view: Callable[..., Any]) -> Any:
    """``view`` as a public GET endpoint (what ``@api_view(["GET"])``, ``AllowAny`` and
    ``AnonRateThrottle`` make of it)."""
    return api_view(["GET"])(
        permission_classes([AllowAny])(throttle_classes([AnonRateThrottle])(view))
    )


def query(serializer_class: type, request: Request) -> dict[str, Any]:
    """The query string parsed by its serializer (a 400 naming the parameter otherwise)."""
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
