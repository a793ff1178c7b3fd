from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, Any]:
    return {
        "GRIDGOV_TILE_URL": settings.GRIDGOV["TILE_URL"],
        "GRIDGOV_TILE_ATTRIBUTION": settings.GRIDGOV["TILE_ATTRIBUTION"],
    }
