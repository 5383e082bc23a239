"""PDFs built by hand, byte by byte, for the upload tests: each carries one trick that a real attack
file would use (active content under an escaped name, inside an object stream, behind a filter
chain; a decompression bomb). pypdf's writer would normalise away most of these tricks."""

import binascii
import zlib

CATALOG = 1
PAGES = 2
PAGE = 3
PAYLOAD = 4
OBJECT_STREAM = 5
XREF_STREAM = 6

OPEN_ACTION_JAVASCRIPT = b"<< /Type /Action /S /JavaScript /JS (app.alert\\('pwned'\\)) >>"
RENDITION_WITH_JS = b"<< /Type /Action /S /Rendition /JS (app.alert\\(1\\)) >>"
LAUNCH = b"<< /Type /Action /S /Launch /F (C:\\\\Windows\\\\System32\\\\calc.exe) >>"
ESCAPED_JAVASCRIPT = b"<< /Type /Action /S /J#61vaScript /J#53 (app.alert\\(1\\)) >>"


def page_objects(catalog_extra=b"", page_extra=b""):
    return {
        CATALOG: b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b">>",
        PAGES: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        PAGE: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] " + page_extra + b">>",
    }


def stream_object(data, dictionary=b""):
    return b"<< " + dictionary + b" /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


def classic_pdf(objects):
    """A PDF 1.7 with a cross-reference table whose offsets are right (pypdf reads it without
    falling back to reconstruction, as a viewer would)."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + objects[number] + b"\nendobj\n"
    size = max(objects) + 1
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for number in range(1, size):
        out += b"%010d 00000 n \n" % offsets[number] if number in offsets else b"0000000000 00000 f \n"
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref)
    return bytes(out)


def pdf_with_action(action):
    """A one-page PDF that runs `action` when opened (/OpenAction)."""
    objects = page_objects(catalog_extra=b"/OpenAction 4 0 R ")
    objects[PAYLOAD] = action
    return classic_pdf(objects)


def pdf_with_object_stream(payload=OPEN_ACTION_JAVASCRIPT, *, reachable=True, hex_wrapped=False, padding=0):
    """A PDF 1.5 whose object 4 (`payload`) sits compressed in an object stream, found through a
    cross-reference stream: its names appear nowhere in the raw bytes. `reachable` makes it the
    catalog's /OpenAction; `hex_wrapped` puts ASCIIHex before Flate, so that the raw zlib data
    is hidden too; `padding` adds that many spaces after it, inflating the stream."""
    header = b"%d 0 " % PAYLOAD
    content = zlib.compress(header + payload + b" " * padding, 9)
    filters = b"/Filter /FlateDecode"
    if hex_wrapped:
        content = binascii.hexlify(content) + b">"
        filters = b"/Filter [/ASCIIHexDecode /FlateDecode]"
    objects = page_objects(catalog_extra=b"/OpenAction 4 0 R " if reachable else b"")
    objects[OBJECT_STREAM] = stream_object(content, b"/Type /ObjStm /N 1 /First %d " % len(header) + filters)
    out = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + objects[number] + b"\nendobj\n"
    offsets[XREF_STREAM] = len(out)
    rows = [b"\x00" + (0).to_bytes(4, "big") + b"\xff\xff"]
    for number in range(1, XREF_STREAM + 1):
        if number == PAYLOAD:
            rows.append(b"\x02" + OBJECT_STREAM.to_bytes(4, "big") + (0).to_bytes(2, "big"))
        else:
            rows.append(b"\x01" + offsets[number].to_bytes(4, "big") + (0).to_bytes(2, "big"))
    xref = stream_object(b"".join(rows), b"/Type /XRef /Size %d /W [1 4 2] /Root 1 0 R" % (XREF_STREAM + 1))
    out += b"%d 0 obj\n" % XREF_STREAM + xref + b"\nendobj\n"
    out += b"startxref\n%d\n%%%%EOF\n" % offsets[XREF_STREAM]
    return bytes(out)


def pdf_with_flate_bomb(inflated_size):
    """A one-page PDF whose content stream is `inflated_size` spaces, deflated to about a
    thousandth of that."""
    objects = page_objects(page_extra=b"/Contents 4 0 R ")
    objects[PAYLOAD] = stream_object(zlib.compress(b" " * inflated_size, 9), b"/Filter /FlateDecode")
    return classic_pdf(objects)
