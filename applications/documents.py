"""What makes an uploaded file an acceptable attachment, judged on its bytes alone.

An outside security probe found the portal accepting HTML served under its own name, PDFs that run
JavaScript when opened, and a 1 MB file inflating to 1 GB. The committee opens these files on their
own computers, so a file is accepted only when:

- its bytes start with ``%PDF-`` (nothing before it: a polyglot HTML/PDF is refused);
- it names no ``/JS``, ``/JavaScript`` or ``/Launch`` anywhere: in the raw file (with ``#xx`` escapes
  decoded, so ``/J#61vaScript`` counts), inside its Flate streams (object streams can hide whole
  dictionaries), and in every object pypdf resolves from the trailer;
- all its Flate streams together inflate to at most ``settings.ATTACHMENT_MAX_INFLATED_BYTES``,
  measured chunk by chunk before pypdf parses anything;
- pypdf reads it, unencrypted, with at least one page.

The upload form calls ``inspect_pdf`` for an early, field-level error; ``services.add_attachment``
calls it again, because a service trusts no caller (admin, commands, Celery, demo loaders).
This module imports no model, so models.py can use ``pdf_file_name`` for downloads.
"""

import hashlib
import io
import re
import unicodedata
import zlib
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from pypdf import PdfReader, apply_configuration
from pypdf.errors import LimitReachedError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

PDF_MAGIC = b"%PDF-"
ACTIVE_CONTENT_NAMES = ("JS", "JavaScript", "Launch")
DEFAULT_FILE_NAME = "document"
# Output is taken from zlib in pieces of this size, so a bomb never sits whole in memory.
INFLATE_CHUNK = 64 * 1024
# The longest escaped form of a forbidden name (/#4a#61...: 1 + 3 x 10 bytes) and its delimiter:
# kept from one inflated chunk to the next so that a name cut in two is still seen.
NAME_OVERLAP = 64

_WHITESPACE = b"\x00\t\n\x0c\r "
_DELIMITERS = _WHITESPACE + b"()<>[]{}/%"
_NAME_END = b"(?=[" + re.escape(_DELIMITERS) + b"])"


def _name_pattern(end):
    """/JS, /JavaScript or /Launch, each letter either plain or #xx-escaped (PDF 1.7, 7.3.5)."""

    def letter(char):
        escaped = "".join(f"[{d}{d.upper()}]" if d.isalpha() else d for d in f"{ord(char):02x}")
        return f"(?:{char}|#{escaped})".encode()

    longest_first = sorted(ACTIVE_CONTENT_NAMES, key=len, reverse=True)
    names = b"|".join(b"".join(letter(char) for char in name) for name in longest_first)
    return re.compile(b"/(?:" + names + b")" + end)


# Inside a buffer a name ends at a delimiter; at the very end of the data, the end counts too.
ACTIVE_NAME = _name_pattern(_NAME_END)
ACTIVE_NAME_AT_END = _name_pattern(b"(?:" + _NAME_END + rb"|\Z)")
ANY_NAME = re.compile(b"/([^" + re.escape(_DELIMITERS) + b"]*)")
# A stream's data starts after `>> stream` and one end of line (pypdf also allows spaces before it).
STREAM_START = re.compile(rb">>[\x00\t\n\x0c\r ]*stream *(?:\r\n|\r|\n)")
DIRECT_LENGTH = re.compile(rb"/Length[\x00\t\n\x0c\r ]+(\d+)(?![\x00\t\n\x0c\r ]+\d+[\x00\t\n\x0c\r ]+R)")
# Streams whose decoded bytes are pixels, font programs or cross-reference offsets: scanning them
# for names would refuse about one honest file in a hundred by chance (3 random bytes "/JS").
BINARY_STREAM_NAMES = {"Image", "XRef", "Length1", "Length2", "Length3", "Type1C", "CIDFontType0C", "OpenType"}


@dataclass(frozen=True)
class InspectedPdf:
    """The bytes that were inspected (store these, not the upload, which could change), and what
    was learnt from them."""

    content: bytes
    size: int
    sha256: str
    pages: int


def max_inflated_bytes():
    return settings.ATTACHMENT_MAX_INFLATED_BYTES


def _mb(size):
    return size // (1024 * 1024)


def _active_content_error():
    return ValidationError(
        _(
            "This PDF contains JavaScript or an action that launches a program: export it again "
            "without them (for example with “Print to PDF”)."
        ),
        code="active_content",
    )


def _inflated_error(limit):
    return ValidationError(
        _("This PDF expands to more than %(size)s MB once decompressed: reduce its images or export it again."),
        code="inflates_too_much",
        params={"size": _mb(limit)},
    )


def read_upload(uploaded_file, max_bytes):
    """The file's bytes, read in chunks and abandoned as soon as they pass `max_bytes`: the size a
    caller or the browser reports is not believed."""
    if isinstance(uploaded_file, bytes | bytearray):
        content = bytes(uploaded_file)
    else:
        buffer = bytearray()
        chunks = (
            uploaded_file.chunks()
            if hasattr(uploaded_file, "chunks")
            else iter(lambda: uploaded_file.read(INFLATE_CHUNK), b"")
        )
        for chunk in chunks:
            buffer += chunk
            if len(buffer) > max_bytes:
                break
        content = bytes(buffer)
        if hasattr(uploaded_file, "seek"):
            uploaded_file.seek(0)
    if len(content) > max_bytes:
        raise ValidationError(
            _("The file is larger than %(size)s MB."), code="too_large", params={"size": _mb(max_bytes)}
        )
    return content


def inspect_pdf(uploaded_file, *, max_bytes, max_inflated=None):
    """Read and judge an upload (a Django File or bytes); raise ValidationError with a code, or
    return an InspectedPdf. The cheap checks come first; pypdf only sees a file whose streams are
    known to inflate within `max_inflated`, and it runs with its own limits lowered to the same."""
    max_inflated = max_inflated_bytes() if max_inflated is None else max_inflated
    content = read_upload(uploaded_file, max_bytes)
    if not content.startswith(PDF_MAGIC):
        raise ValidationError(_("This file is not a PDF document."), code="not_pdf")
    streams = list(_streams(content))
    if _names_active_content_outside(content, streams):
        raise _active_content_error()
    _check_streams(content, streams, max_inflated)
    pages = _check_with_pypdf(content, max_bytes, max_inflated)
    return InspectedPdf(content=content, size=len(content), sha256=hashlib.sha256(content).hexdigest(), pages=pages)


# --- Raw bytes ------------------------------------------------------------------------------------


def decode_name(raw_name):
    """A PDF name's text with its #xx escapes decoded (/J#61vaScript is /JavaScript)."""
    return re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), raw_name).decode("latin-1")


@dataclass(frozen=True)
class _Stream:
    start: int  # first byte of the data
    end: int  # one past its last byte
    names: frozenset  # the names of its dictionary, decoded

    @property
    def holds_pdf_syntax(self):
        """Object streams (and content streams) hold names worth reading; pixels and fonts do not.
        An object stream always counts, whatever else its dictionary says."""
        return "ObjStm" in self.names or not (self.names & BINARY_STREAM_NAMES)


def _streams(content):
    """Every stream's data, found as pypdf finds it: after `>> stream` and an end of line, for its
    direct /Length when `endstream` follows it, else up to the next `endstream`."""
    for match in STREAM_START.finditer(content):
        start = match.end()
        object_start = content.rfind(b"obj", max(0, match.start() - 65536), match.start())
        dictionary = content[
            object_start + 3 if object_start >= 0 else max(0, match.start() - 4096) : match.start() + 2
        ]
        names = frozenset(decode_name(name) for name in ANY_NAME.findall(dictionary))
        end = -1
        length = DIRECT_LENGTH.search(dictionary)
        if length is not None:
            candidate = start + int(length.group(1))
            if content[candidate : candidate + 9 + 64].lstrip(_WHITESPACE).startswith(b"endstream"):
                end = candidate
        if end < 0:
            end = content.find(b"endstream", start)
        yield _Stream(start=start, end=len(content) if end < 0 else end, names=names)


def _names_active_content_outside(content, streams):
    """Whether the file's own syntax (everything but stream data, which is compressed or binary and
    read after inflating) names active content."""
    position = 0
    for stream in sorted(streams, key=lambda s: s.start):
        if stream.start > position and ACTIVE_NAME.search(content, position, stream.start):
            return True
        position = max(position, stream.end)
    return ACTIVE_NAME_AT_END.search(content, position) is not None


# --- Flate streams --------------------------------------------------------------------------------


class _NameScanner:
    """Looks for active-content names in data that arrives in chunks, keeping the last bytes of a
    chunk so that a name cut in two by the chunking is still found."""

    def __init__(self):
        self.tail = b""

    def feed(self, chunk):
        buffer = self.tail + chunk
        found = ACTIVE_NAME.search(buffer) is not None
        self.tail = buffer[-NAME_OVERLAP:]
        return found

    def close(self):
        return ACTIVE_NAME_AT_END.search(self.tail) is not None


def _check_streams(content, streams, max_inflated):
    """Inflate every zlib stream (whatever its /Filter claims: pypdf may try anyway) in chunks of
    INFLATE_CHUNK, never holding more than one; refuse once the total passes `max_inflated`, or as
    soon as a stream that holds PDF syntax names active content."""
    total = 0
    for stream in streams:
        scanner = _NameScanner() if stream.holds_pdf_syntax else None
        decompressor = zlib.decompressobj(zlib.MAX_WBITS | 32)  # zlib or gzip header, as pypdf accepts
        position = stream.start
        try:
            while position < stream.end and not decompressor.eof:
                pending = content[position : min(stream.end, position + INFLATE_CHUNK)]
                position += len(pending)
                while True:
                    chunk = decompressor.decompress(pending, INFLATE_CHUNK)
                    total += len(chunk)
                    if total > max_inflated:
                        raise _inflated_error(max_inflated)
                    if scanner is not None and scanner.feed(chunk):
                        raise _active_content_error()
                    pending = decompressor.unconsumed_tail
                    if decompressor.eof or (not pending and len(chunk) < INFLATE_CHUNK):
                        break
        except zlib.error:
            pass  # not zlib data (an image, a font, another filter), or damaged: what was read counts
        if scanner is not None and scanner.close():
            raise _active_content_error()


# --- Objects pypdf resolves -----------------------------------------------------------------------


def _pypdf_limits(max_bytes, max_inflated):
    """pypdf's own caps lowered to ours, for what the raw pass cannot measure (filter chains such as
    ASCIIHex then Flate, LZW, run-length): any one stream pypdf decodes stays within the cap."""
    return {
        "maximum_declared_stream_length": max_bytes,
        "array_based_stream_maximum_output_length": max_inflated,
        "jbig2_maximum_output_length": max_inflated,
        "lzw_maximum_output_length": max_inflated,
        "run_length_maximum_output_length": max_inflated,
        "zlib_maximum_output_length": max_inflated,
        "brotli_maximum_output_length": max_inflated,
        "stream_decoding_work_maximum_length": max_inflated,
    }


def _check_with_pypdf(content, max_bytes, max_inflated):
    """The file's structure, read by pypdf: unencrypted, with pages, and no active content in any
    object reachable from the trailer. Returns the number of pages."""
    try:
        with apply_configuration(**_pypdf_limits(max_bytes, max_inflated)):
            reader = PdfReader(io.BytesIO(content))
            if reader.is_encrypted:
                raise ValidationError(
                    _("This PDF is protected by a password: upload it without protection."), code="encrypted"
                )
            pages = len(reader.pages)
            if pages == 0:
                raise ValidationError(_("This PDF has no page."), code="empty_pdf")
            if _objects_name_active_content(reader):
                raise _active_content_error()
    except ValidationError:
        raise
    except LimitReachedError as exc:
        raise _inflated_error(max_inflated) from exc
    except Exception as exc:  # pypdf raises many kinds of errors on a malformed file
        raise ValidationError(_("This PDF is damaged and cannot be read."), code="malformed_pdf") from exc
    return pages


def _objects_name_active_content(reader):
    """Walk every object reachable from the trailer (each indirect object once), looking at
    dictionary keys and name values. Stream contents are not decoded here: pypdf only inflates the
    object streams it needs to resolve objects, under the limits above."""
    forbidden = {"/" + name for name in ACTIVE_CONTENT_NAMES}
    visited = set()
    pending = [reader.trailer]
    while pending:
        item = pending.pop()
        if isinstance(item, IndirectObject):
            reference = (item.idnum, item.generation)
            if reference not in visited:
                visited.add(reference)
                pending.append(item.get_object())
        elif isinstance(item, NameObject):
            if item in forbidden:
                return True
        elif isinstance(item, DictionaryObject):  # stream objects included: their dictionary only
            for key, value in item.items():
                if key in forbidden:
                    return True
                pending.append(value)
        elif isinstance(item, ArrayObject):
            pending.extend(item)
    return False


# --- File names -----------------------------------------------------------------------------------


def pdf_file_name(name, max_length=200):
    """The name an attachment is stored and served under: the base name of what the browser sent,
    without control or invisible formatting characters (a right-to-left override can disguise an
    extension), and always ending in .pdf, since only PDFs are accepted (report.html → report.pdf).
    Also applied when serving, for rows stored before this rule."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(c for c in name if not unicodedata.category(c).startswith("C") and c not in "\u2028\u2029")
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = stem.strip().strip(".").strip() or DEFAULT_FILE_NAME
    return stem[: max_length - len(".pdf")].rstrip() + ".pdf"
