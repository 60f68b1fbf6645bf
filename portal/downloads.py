"""Files leaving private storage: an attachment, audited, never kept by a shared cache."""

from django.http import FileResponse, Http404

from portal.audit.models import AuditEvent
from portal.audit.services import audit_record

# A document anyone of the audience may fetch again: the browser may keep it, proxies may not.
PRIVATE = "private, no-cache"
# Member data: neither the browser's nor any proxy's cache keeps it.
NO_STORE = "private, no-store"


def audited_download(request, file, *, filename, audited, content_type=None, cache=PRIVATE):
    """Send `file` (a FieldFile) as an attachment and record the download of `audited`.

    A file missing from storage answers 404, as if the document did not exist.
    """
    try:
        handle = file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is missing from storage.") from None
    audit_record(request=request, action=AuditEvent.Action.DOWNLOAD, objects=audited)
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=content_type
    )
    response["Cache-Control"] = cache
    return response
