"""Case photos are personal data: served only through a scoped view, never as public media.

Uploaded files live under ``MEDIA_ROOT`` with no URL of their own; this view checks that the
user may see the case (R22.1) before streaming the bytes.
"""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, Http404, HttpRequest

from cases.models import Attachment
from people.web import ScopedView


class AttachmentFileView(ScopedView):
    model = Attachment

    def get(self, request: HttpRequest, pk: int, *args: Any, **kwargs: Any) -> FileResponse:
        attachment = self.get_queryset().filter(pk=pk).first()
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
