"""Browser views of tickets. Attachments are served only through a permission check."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest

from dutydesk.tickets import selectors


@login_required
def attachment_download(request: HttpRequest, pk: int, filename: str) -> FileResponse:
    attachment = selectors.attachment_get(user=request.user, pk=pk)
    inline = (
        attachment.content_type.startswith("image/") and attachment.content_type != "image/svg+xml"
    )
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=not inline,
        filename=attachment.filename,
        content_type=attachment.content_type,
    )
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
