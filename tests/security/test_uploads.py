"""Hostile uploads: refused with a message, and nothing is ever written outside MEDIA_ROOT."""

import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from applications.models import ATTACHMENT_MAX_BYTES, Attachment
from tests.applications.factories import ApplicationFactory, ProfileFactory, pdf_bytes

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
    ],
    ids=["executable", "html", "empty", "malformed", "encrypted", "oversize"],
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
