"""The file uploaded for an import, kept on the server between the dry run and the import.

The staff member's browser holds only a signed token naming the file (its random id, what it
holds, its name, who uploaded it): the path is rebuilt from the id, never taken from the client.
A file is deleted once imported, and any file left for longer than a day is deleted on the next
upload.
"""

import time
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.utils.translation import gettext as _

from .importing import Content, ImportFileError, check_file

#: How long an uploaded file waits for its import.
KEEP_SECONDS = 24 * 60 * 60
SALT = "cooperation.import-file"


@dataclass(frozen=True)
class KeptFile:
    token: str
    data: bytes
    name: str
    content: str


class FileGone(ImportFileError):
    """The token is forged, expired, someone else's, or its file was imported already."""


def directory():
    return settings.VAR_DIR / "imports"


def _forget_old_files(folder):
    limit = time.time() - KEEP_SECONDS
    for path in folder.iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < limit:
                path.unlink()
        except FileNotFoundError:  # deleted by another request meanwhile
            pass


def keep(data, name, content, user):
    """Store the uploaded file and return the token that names it (checked as every service checks
    a file: its content's kind and its size)."""
    check_file(data, content)
    folder = directory()
    folder.mkdir(parents=True, exist_ok=True)
    _forget_old_files(folder)
    file_id = uuid.uuid4().hex
    (folder / file_id).write_bytes(data)
    return signing.dumps({"id": file_id, "content": content, "name": str(name)[:200], "user": user.pk}, salt=SALT)


def _path(token, user):
    try:
        value = signing.loads(token or "", salt=SALT, max_age=KEEP_SECONDS)
        file_id = uuid.UUID(hex=value["id"]).hex
        content, name = value["content"], value["name"]
    except (signing.BadSignature, KeyError, TypeError, ValueError) as error:
        raise FileGone(_("This upload has expired or is unknown: upload the file again.")) from error
    if value.get("user") != user.pk or content not in Content.values:
        raise FileGone(_("This upload has expired or is unknown: upload the file again."))
    return directory() / file_id, name, content


def kept(token, user):
    """The file a token names, if `user` uploaded it and it is still there."""
    path, name, content = _path(token, user)
    try:
        data = path.read_bytes()
    except FileNotFoundError as error:
        raise FileGone(_("This file was imported already or has expired: upload it again.")) from error
    return KeptFile(token=token, data=data, name=name, content=content)


def discard(token, user):
    """Delete the file a token names (once imported)."""
    path, _name, _content = _path(token, user)
    path.unlink(missing_ok=True)
