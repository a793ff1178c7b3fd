"""The baseline: the least a token-authenticated API request that stores one row can do."""

from __future__ import annotations

from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bench.intake_site.models import Ping


class MinimalInsert(APIView):
    """POST {"client_id": ...}: the project's authentication classes and permission default
    (token auth, IsAuthenticated), JSON in and out, one INSERT."""

    def post(self, request: Request) -> Response:
        client_id = str(request.data.get("client_id", ""))[:64]
        ping = Ping.objects.create(user=request.user, client_id=client_id)
        return Response({"id": ping.pk, "client_id": client_id}, status=status.HTTP_201_CREATED)
