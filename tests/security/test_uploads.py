"""Hostile uploads: refused with a message, and nothing is ever written outside MEDIA_ROOT."""

import io
import os
import unicodedata
import zlib
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader, PdfWriter
from pypdf.actions import JavaScript

from applications import documents, services
from applications.models import ATTACHMENT_MAX_BYTES, ATTACHMENT_MAX_COUNT, Attachment
from tests.applications.factories import ApplicationFactory, AttachmentFactory, ProfileFactory, pdf_bytes
from tests.reviews.factories import ClosedCallFactory, ReviewerProfileFactory, assign, submitted_application
from tests.reviews.helpers import url as reviews_url

from .hostile_pdfs import (
    ESCAPED_JAVASCRIPT,
    LAUNCH,
    OPEN_ACTION_JAVASCRIPT,
    RENDITION_WITH_JS,
    pdf_with_action,
    pdf_with_flate_bomb,
    pdf_with_object_stream,
)
from .test_concurrency import race

ACTIVE_CONTENT = "This PDF contains JavaScript or an action that launches a program"
NOT_PDF = "This file is not a PDF document."


def pdf_with_javascript_by_pypdf():
    """What a PDF library writes when asked for a script that runs on opening."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_open_action(JavaScript("app.alert('pwned');"))
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


# Each one is refused for active content, whatever layer sees it first.
ACTIVE_PDFS = {
    "open-action-javascript": pdf_with_action(OPEN_ACTION_JAVASCRIPT),
    "js-key": pdf_with_action(RENDITION_WITH_JS),
    "launch": pdf_with_action(LAUNCH),
    "escaped-name": pdf_with_action(ESCAPED_JAVASCRIPT),
    "object-stream": pdf_with_object_stream(),
    "pypdf-add-js": pdf_with_javascript_by_pypdf(),
}

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft():
    return ApplicationFactory(applicant=ProfileFactory().user)


def upload(draft, content, name):
    client = Client()
    client.force_login(draft.applicant)
    file = SimpleUploadedFile(name, content, content_type="application/pdf")
    return client.post(f"/en/applications/{draft.pk}/edit/attachments/", {"kind": "project", "file": file})


def files_under(folder):
    return {os.path.join(root, name) for root, _dirs, names in os.walk(folder) for name in names}


def assert_only_inside_media(tmp_path, media_root):
    """Every file the test wrote is in MEDIA_ROOT/applications/<id>/, under a random .pdf name."""
    for path in files_under(tmp_path):
        relative = os.path.relpath(path, media_root)
        assert not relative.startswith(".."), f"written outside MEDIA_ROOT: {path}"
        assert relative.startswith("applications" + os.sep) and relative.endswith(".pdf")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"MZ\x90\x00 an executable renamed .pdf" * 20, "This file is not a PDF document."),
        (b"<html><script>alert(1)</script></html>", "This file is not a PDF document."),
        (b"", "The submitted file is empty."),
        (b"%PDF-1.7\n1 0 obj << /Type /Catalog", "This PDF is damaged and cannot be read."),
        (pdf_bytes(password="secret"), "This PDF is protected by a password"),
        (pdf_bytes() + b"%" + b"0" * ATTACHMENT_MAX_BYTES, "The file is larger than 10 MB."),
        (b"<html><script>alert(1)</script></html>\n" + pdf_bytes(), NOT_PDF),
        (b"\xef\xbb\xbf" + pdf_bytes(), NOT_PDF),
        *((content, ACTIVE_CONTENT) for content in ACTIVE_PDFS.values()),
    ],
    ids=["executable", "html", "empty", "malformed", "encrypted", "oversize", "html-before-pdf", "bom-before-pdf"]
    + [f"active-{name}" for name in ACTIVE_PDFS],
)
def test_a_file_that_is_not_a_readable_pdf_is_refused_with_a_message(draft, tmp_path, media_root, content, message):
    response = upload(draft, content, "project.pdf")
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Attachment.objects.exists()
    assert files_under(tmp_path) == set()


@pytest.mark.parametrize(
    "name",
    [
        "../../../../etc/cron.d/evil.pdf",
        "..\\..\\windows\\evil.pdf",
        "/etc/passwd.pdf",
        "evil\x00.pdf",
        "a" * 1000 + ".pdf",
        "<script>alert('pwned')</script>.pdf",
        "résumé ünïcødé 😀.pdf",
        "....pdf",
        ".pdf",
    ],
)
def test_a_hostile_file_name_never_reaches_the_file_system(draft, tmp_path, media_root, name):
    response = upload(draft, pdf_bytes(), name)
    assert response.status_code in (200, 302)
    assert_only_inside_media(tmp_path, media_root)
    client = Client()
    client.force_login(draft.applicant)
    page = client.get(f"/en/applications/{draft.pk}/edit/attachments/").content.decode()
    assert "<script>alert('pwned')" not in page
    if response.status_code == 200:
        assert "invalid-feedback" in response.content.decode()
    else:
        attachment = Attachment.objects.get()
        assert "/" not in attachment.original_name and "\\" not in attachment.original_name
        assert "\x00" not in attachment.original_name


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    derandomize=True,
)
@given(name=st.text(min_size=1, max_size=300), content=st.binary(max_size=2000), pdf=st.booleans())
def test_any_name_and_content_is_stored_inside_media_or_refused(draft, tmp_path, media_root, name, content, pdf):
    response = upload(draft, (pdf_bytes() if pdf else b"") + content, name)
    assert response.status_code in (200, 302)
    assert_only_inside_media(tmp_path, media_root)
    if response.status_code == 200:
        assert "invalid-feedback" in response.content.decode()
    else:
        stored = Attachment.objects.get().original_name
        assert stored.endswith(".pdf") and not {"/", "\\"} & set(stored)
        assert not any(unicodedata.category(char).startswith("C") for char in stored)
        Attachment.objects.all().delete()


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    derandomize=True,
)
@given(
    payload=st.sampled_from(sorted(ACTIVE_PDFS)),
    junk=st.binary(max_size=300),
    name=st.sampled_from(["project.pdf", "report.html", "a.PDF", "x"]),
)
def test_a_pdf_with_active_content_is_refused_whatever_follows_it(draft, tmp_path, media_root, payload, junk, name):
    """Bytes after the end of the file (a comment line, then anything) never make it acceptable:
    it is refused for its active content, or as damaged."""
    response = upload(draft, ACTIVE_PDFS[payload] + b"%" + junk, name)
    assert response.status_code == 200
    assert "invalid-feedback" in response.content.decode()
    assert not Attachment.objects.exists()
    assert files_under(tmp_path) == set()


# --- Decompression bombs --------------------------------------------------------------------------


class CountingDecompressor:
    """zlib's decompressor, recording the size of every piece it hands out."""

    def __init__(self, pieces, *args):
        self.pieces = pieces
        self.real = zlib.decompressobj(*args)

    def decompress(self, data, max_length=0):
        piece = self.real.decompress(data, max_length)
        self.pieces.append(len(piece))
        return piece

    def __getattr__(self, name):
        return getattr(self.real, name)


def test_a_small_pdf_inflating_past_the_cap_is_refused_without_inflating_it_all(
    draft, tmp_path, media_root, settings, monkeypatch
):
    settings.ATTACHMENT_MAX_INFLATED_BYTES = 1024 * 1024
    bomb = pdf_with_flate_bomb(64 * 1024 * 1024)  # 64 MB of spaces in a file of about 65 kB
    assert len(bomb) < 100_000
    pieces = []
    fake_zlib = SimpleNamespace(
        decompressobj=lambda *args: CountingDecompressor(pieces, *args), MAX_WBITS=zlib.MAX_WBITS, error=zlib.error
    )
    monkeypatch.setattr(documents, "zlib", fake_zlib)
    response = upload(draft, bomb, "bomb.pdf")
    assert response.status_code == 200
    assert "This PDF expands to more than 1 MB once decompressed" in response.content.decode()
    assert not Attachment.objects.exists()
    assert max(pieces) <= documents.INFLATE_CHUNK
    # The form stops one piece past the cap (and the service is not called), far from the 64 MB.
    assert sum(pieces) <= settings.ATTACHMENT_MAX_INFLATED_BYTES + documents.INFLATE_CHUNK


def test_the_service_refuses_a_decompression_bomb_on_its_own(draft, settings):
    settings.ATTACHMENT_MAX_INFLATED_BYTES = 1024 * 1024
    bomb = ContentFile(pdf_with_flate_bomb(8 * 1024 * 1024), name="bomb.pdf")
    with pytest.raises(services.AttachmentRefused) as refusal:
        services.add_attachment(draft, bomb, "project", draft.applicant)
    assert refusal.value.error.code == "inflates_too_much"
    assert not Attachment.objects.exists()


def test_a_pdf_inflating_within_the_cap_is_accepted(draft, media_root, settings):
    settings.ATTACHMENT_MAX_INFLATED_BYTES = 1024 * 1024
    response = upload(draft, pdf_with_flate_bomb(512 * 1024), "long.pdf")
    assert response.status_code == 302
    assert Attachment.objects.get().original_name == "long.pdf"


def test_a_filter_chain_the_raw_pass_cannot_inflate_is_capped_by_pypdf():
    """ASCIIHex before Flate hides the zlib data from the raw pass: pypdf's own limits, lowered to
    the cap, stop it when it resolves the object stream."""
    bomb = pdf_with_object_stream(b"<< /S /URI /URI (https://inserm.fr) >>", hex_wrapped=True, padding=2 * 1024 * 1024)
    with pytest.raises(ValidationError) as refusal:
        documents.inspect_pdf(bomb, max_bytes=ATTACHMENT_MAX_BYTES, max_inflated=1024 * 1024)
    assert refusal.value.code == "inflates_too_much"


# --- Each layer of the active-content check, alone ------------------------------------------------


def layers_that_see_active_content(content):
    streams = list(documents._streams(content))
    try:
        documents._check_streams(content, streams, ATTACHMENT_MAX_BYTES * 10)
        in_streams = False
    except ValidationError:
        in_streams = True
    return {
        "raw": documents._names_active_content_outside(content, streams),
        "streams": in_streams,
        "objects": documents._objects_name_active_content(PdfReader(io.BytesIO(content))),
    }


@pytest.mark.parametrize(
    ("content", "seen_by"),
    [
        (pdf_with_action(ESCAPED_JAVASCRIPT), {"raw": True, "streams": False, "objects": True}),
        (pdf_with_object_stream(), {"raw": False, "streams": True, "objects": True}),
        # Not referenced by anything: only the inflated bytes show it.
        (pdf_with_object_stream(reachable=False), {"raw": False, "streams": True, "objects": False}),
        # Behind ASCIIHex then Flate: only the objects pypdf resolves show it.
        (pdf_with_object_stream(hex_wrapped=True), {"raw": False, "streams": False, "objects": True}),
    ],
    ids=["escaped-name", "object-stream", "unreferenced-object-stream", "hex-wrapped-object-stream"],
)
def test_each_layer_sees_what_the_others_miss(content, seen_by):
    assert layers_that_see_active_content(content) == seen_by
    with pytest.raises(ValidationError) as refusal:
        documents.inspect_pdf(content, max_bytes=ATTACHMENT_MAX_BYTES)
    assert refusal.value.code == "active_content"


@pytest.mark.parametrize(
    "text",
    [b"/JS ", b"/J#53>", b"/#4a#53(", b"/J#61vaScript/", b"/Launch", b"/L#61unch]"],
)
def test_active_names_are_found_plain_or_escaped(text):
    assert documents.ACTIVE_NAME_AT_END.search(text)


@pytest.mark.parametrize("text", [b"/JSON ", b"/javascript ", b"/Launcher ", b"/JSX", b"(JavaScript)"])
def test_other_names_and_words_are_not_active_content(text):
    assert not documents.ACTIVE_NAME_AT_END.search(text)


def test_a_name_cut_by_the_inflating_chunks_is_still_found():
    scanner = documents._NameScanner()
    assert not scanner.feed(b"x" * 100 + b"/J#61va")
    assert scanner.feed(b"Script ")


# --- The service judges what it is given ----------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"Hello, I am not a PDF at all.", NOT_PDF),
        (b"", NOT_PDF),
        (b"<html><body>hi</body></html>" + pdf_bytes(), NOT_PDF),
        (pdf_with_action(OPEN_ACTION_JAVASCRIPT), ACTIVE_CONTENT),
    ],
    ids=["text", "empty", "html-before-pdf", "javascript"],
)
def test_the_service_refuses_what_no_form_checked(draft, tmp_path, media_root, content, message):
    """Admin actions, commands and demo loaders call services.add_attachment without a form."""
    with translation.override("en"), pytest.raises(services.AttachmentRefused) as refusal:
        services.add_attachment(draft, ContentFile(content, name="project.pdf"), "project", draft.applicant)
    assert any(reason.startswith(message) for reason in refusal.value.reasons)
    assert isinstance(refusal.value, services.ApplicationError)
    assert not Attachment.objects.exists()
    assert files_under(tmp_path) == set()


def test_a_file_name_kept_from_before_is_served_to_reviewers_as_pdf(client):
    application = submitted_application(ClosedCallFactory())
    attachment = AttachmentFactory(application=application, original_name="../report.html")
    reviewer = ReviewerProfileFactory(institution="", unit_code="").user
    assign(application, reviewer)
    client.force_login(reviewer)
    response = client.get(reviews_url("attachment", application.pk, attachment.pk))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="report.pdf"'
    assert response["Content-Type"] == "application/pdf"


@pytest.mark.django_db(transaction=True)
def test_two_uploads_racing_for_the_last_place_add_one_document():
    """The count is read under the application's row lock: two requests cannot both see 9."""
    draft = ApplicationFactory(applicant=ProfileFactory().user)
    AttachmentFactory.create_batch(ATTACHMENT_MAX_COUNT - 1, application=draft)
    content = pdf_bytes()
    results = race(
        *[
            lambda: services.add_attachment(draft, ContentFile(content, name="last.pdf"), "other", draft.applicant)
            for _ in range(2)
        ]
    )
    assert sorted(type(result).__name__ for result in results) == ["Attachment", "AttachmentRefused"], results
    assert Attachment.objects.filter(application=draft).count() == ATTACHMENT_MAX_COUNT
