"""Stored files (attachments, report documents, review dossiers) on the local disk or in an
S3-compatible bucket (issue 20; settings in inserm_portal/storage_settings.py).

Here rather than in inserm_portal: applications, reviews and projects all serve files, and imports
run from those down to applications, never up to the wiring."""

import logging

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _

try:
    from botocore.exceptions import BotoCoreError, ClientError
except ImportError:  # a deployment on the local disk alone may leave boto3 out
    STORAGE_ERRORS = (OSError,)
else:
    #: What a storage raises when it cannot be reached or refuses a write.
    STORAGE_ERRORS = (OSError, BotoCoreError, ClientError)


logger = logging.getLogger(__name__)

STORE_DOWN_MESSAGE = _(
    "The file store is not answering, so the document was not saved. Everything else is kept: "
    "try again in a few minutes."
)


class StorageUnavailable(Exception):
    """The store could not take a file (out of reach, or refusing): the caller says so to the user."""

    message = STORE_DOWN_MESSAGE


def save_file(fieldfile, name, content):
    """`fieldfile.save(name, content, save=False)`, a store out of reach raised as StorageUnavailable
    (the model row is the caller's to save, in its transaction, once the bytes are stored)."""
    try:
        fieldfile.save(name, content, save=False)
    except STORAGE_ERRORS as error:
        logger.warning("The file store refused %s: %s", name, type(error).__name__)
        raise StorageUnavailable from error


def signs_urls(storage):
    """Whether `storage` hands out short-lived signed links (S3) rather than paths on this host."""
    return bool(getattr(storage, "querystring_auth", False)) and hasattr(storage, "bucket_name")


def serve_stored_file(request, fieldfile, download_name, content_type="application/pdf"):
    """The download of a file the caller has already allowed `request.user` to see: a redirect to a
    link signed for STORAGE_URL_EXPIRY_SECONDS that makes the store send it as `download_name`, or
    the bytes streamed by the portal (the local disk, or STORAGE_DOWNLOADS=stream). Either way the
    browser saves it as an attachment, keeps no copy and does not guess its type."""
    if not fieldfile:
        raise Http404
    disposition = content_disposition_header(as_attachment=True, filename=download_name)
    if signs_urls(fieldfile.storage) and settings.STORAGE_DOWNLOADS == "redirect":
        url = fieldfile.storage.url(
            fieldfile.name,
            parameters={
                "ResponseContentDisposition": disposition,
                "ResponseContentType": content_type,
                "ResponseCacheControl": "private, no-store",
            },
            expire=settings.STORAGE_URL_EXPIRY_SECONDS,
        )
        response = HttpResponseRedirect(url)
    else:
        try:
            handle = fieldfile.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        response = FileResponse(handle, as_attachment=True, filename=download_name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
