"""Case photos are personal data: served only through a scoped view, never as public media.

Uploaded files live under ``MEDIA_ROOT`` with no URL of their own; this view checks that the
user may see the case (R22.1) before streaming the bytes. The one exception: a department's
result photo marked public, served through the case's tracking code (cases.results).
"""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, Http404, HttpRequest

from cases.models import Attachment
from gridgov.access.web import ScopedView


def serve(attachment: Attachment | None) -> FileResponse:
    """Stream a stored photo (404 when there is none); named by its hash, never by the
    uploader's file name."""
    if attachment is None or not attachment.file:
        raise Http404("no such attachment")
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404("the file is missing from storage") from None
    response = FileResponse(handle, content_type=attachment.content_type)
    response["Content-Disposition"] = (
        f'inline; filename="{attachment.sha256[:16]}{attachment.extension}"'
    )
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


class AttachmentFileView(ScopedView):
    model = Attachment

    def get(self, request: HttpRequest, pk: int, *args: Any, **kwargs: Any) -> FileResponse:
        return serve(self.get_queryset().filter(pk=pk).first())
