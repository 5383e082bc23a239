"""Attachments: PDF by content, size limit, stored per application under a random name."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from applications.models import ATTACHMENT_MAX_BYTES, Attachment

from .factories import ApplicationFactory, ProfileFactory, pdf_bytes
from .helpers import step_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(client):
    application = ApplicationFactory(applicant=ProfileFactory().user)
    client.force_login(application.applicant)
    return application


def upload(client, application, content, name="project.pdf"):
    file = SimpleUploadedFile(name, content, content_type="application/pdf")
    return client.post(step_url(application, "attachments"), {"kind": "project", "file": file})


def test_a_pdf_is_stored_in_the_applications_folder_under_a_random_name(client, draft, media_root):
    response = upload(client, draft, pdf_bytes(2), name="../../My project.pdf")
    assert response.status_code == 302
    attachment = Attachment.objects.get(application=draft)
    assert attachment.file.name.startswith(f"applications/{draft.pk}/")
    assert "project" not in attachment.file.name.lower()
    assert attachment.original_name.endswith("My project.pdf")
    assert (media_root / attachment.file.name).read_bytes().startswith(b"%PDF-")
    assert attachment.size == len(pdf_bytes(2)) and len(attachment.sha256) == 64


def test_a_text_file_renamed_pdf_is_refused(client, draft):
    response = upload(client, draft, b"Hello, I am not a PDF at all.\n" * 10, name="fake.pdf")
    assert response.status_code == 200
    assert "This file is not a PDF document." in response.content.decode()
    assert not Attachment.objects.exists()


def test_a_damaged_pdf_is_refused(client, draft):
    response = upload(client, draft, b"%PDF-1.7\n1 0 obj garbage without end", name="broken.pdf")
    assert response.status_code == 200
    assert "damaged" in response.content.decode()
    assert not Attachment.objects.exists()


def test_a_password_protected_pdf_is_refused(client, draft):
    response = upload(client, draft, pdf_bytes(password="secret"), name="locked.pdf")
    assert response.status_code == 200
    assert "protected by a password" in response.content.decode()
    assert not Attachment.objects.exists()


def test_a_file_over_the_size_limit_is_refused(client, draft):
    content = pdf_bytes() + b"%" + b"0" * ATTACHMENT_MAX_BYTES
    response = upload(client, draft, content, name="huge.pdf")
    assert response.status_code == 200
    assert "larger than 10 MB" in response.content.decode()
    assert not Attachment.objects.exists()


def test_the_owner_removes_a_document_of_a_draft(client, draft, media_root, django_capture_on_commit_callbacks):
    upload(client, draft, pdf_bytes())
    attachment = Attachment.objects.get()
    path = media_root / attachment.file.name
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/en/applications/{draft.pk}/attachments/{attachment.pk}/delete/")
    assert response.status_code == 302
    assert not Attachment.objects.exists()
    assert not path.exists()
