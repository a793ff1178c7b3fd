from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from gridgov import maps


def site(request: HttpRequest) -> dict[str, Any]:
    return {
        # a callable: evaluated only by a page that writes it (base.html, for its maps)
        "GRIDGOV_MAPS": maps.page_config,
    }
