"""Attachments: PDF by content, size limit, stored per application under a random name."""

import hashlib

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from applications import services
from applications.models import ATTACHMENT_MAX_BYTES, ATTACHMENT_MAX_COUNT, ATTACHMENT_MAX_TOTAL_BYTES, Attachment

from .factories import ApplicationFactory, AttachmentFactory, ProfileFactory, pdf_bytes
from .helpers import page_url, step_url

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


def download(client, application, attachment):
    return client.get(page_url("attachment", application.pk, attachment.pk))


def test_a_normal_pdf_uploads_and_downloads_unchanged(client, draft, media_root):
    content = pdf_bytes(3)
    assert upload(client, draft, content, name="Projet scientifique.pdf").status_code == 302
    attachment = Attachment.objects.get(application=draft)
    response = download(client, draft, attachment)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="Projet scientifique.pdf"'


def test_an_html_name_with_pdf_bytes_is_stored_and_served_as_pdf(client, draft, media_root):
    assert upload(client, draft, pdf_bytes(), name="report.html").status_code == 302
    attachment = Attachment.objects.get(application=draft)
    assert attachment.original_name == "report.pdf"
    response = download(client, draft, attachment)
    assert response["Content-Disposition"] == 'attachment; filename="report.pdf"'


def test_a_name_stored_before_the_rule_is_served_as_pdf(client, draft, media_root):
    attachment = AttachmentFactory(application=draft, original_name="C:\\Temp\\report.html")
    response = download(client, draft, attachment)
    assert response["Content-Disposition"] == 'attachment; filename="report.pdf"'


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("report.html", "report.pdf"),
        ("../../etc/evil.PDF", "evil.pdf"),
        ("dir\\sub\\cv.docx", "cv.pdf"),
        ("na\x00me\x1b[31m.pdf", "name[31m.pdf"),
        ("cv\u202efdp.exe", "cvfdp.pdf"),
        ("....pdf", "document.pdf"),
        ("", "document.pdf"),
        ("a" * 300 + ".pdf", "a" * 196 + ".pdf"),
    ],
)
def test_the_stored_name_is_a_base_name_ending_in_pdf(sent, stored):
    assert Attachment(original_name=sent).download_name == stored


def test_the_service_computes_size_and_digest_itself(draft, media_root):
    content = pdf_bytes(2)
    attachment = services.add_attachment(draft, ContentFile(content, name="cv.pdf"), "cv", draft.applicant)
    assert attachment.size == len(content)
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    assert (media_root / attachment.file.name).read_bytes() == content


def test_the_service_refuses_a_non_pdf_given_directly(draft, media_root):
    with translation.override("en"), pytest.raises(services.ApplicationError) as refusal:
        services.add_attachment(draft, ContentFile(b"MZ\x90\x00 not a pdf", name="x.pdf"), "project", draft.applicant)
    assert refusal.value.reasons == ["This file is not a PDF document."]
    assert not Attachment.objects.exists()


def test_the_service_refuses_an_unknown_kind(draft, media_root):
    with pytest.raises(services.ApplicationError):
        services.add_attachment(draft, ContentFile(pdf_bytes(), name="x.pdf"), "passport", draft.applicant)
    assert not Attachment.objects.exists()


def test_the_eleventh_document_is_refused_with_a_message(client, draft, media_root):
    AttachmentFactory.create_batch(ATTACHMENT_MAX_COUNT, application=draft)
    response = upload(client, draft, pdf_bytes(), name="eleventh.pdf")
    assert response.status_code == 200
    page = response.content.decode()
    assert "An application holds at most 10 documents: remove one before adding another." in page
    assert "invalid-feedback" in page
    assert Attachment.objects.filter(application=draft).count() == ATTACHMENT_MAX_COUNT


def test_a_document_that_takes_the_total_over_the_cap_is_refused_with_a_message(client, draft, media_root):
    content = pdf_bytes()
    AttachmentFactory(application=draft, size=ATTACHMENT_MAX_TOTAL_BYTES - len(content) + 1)
    response = upload(client, draft, content, name="one-too-many.pdf")
    assert response.status_code == 200
    assert "The documents of an application may weigh 40 MB in all" in response.content.decode()
    assert Attachment.objects.filter(application=draft).count() == 1


def test_a_document_that_fills_the_total_exactly_is_accepted(client, draft, media_root):
    content = pdf_bytes()
    AttachmentFactory(application=draft, size=ATTACHMENT_MAX_TOTAL_BYTES - len(content))
    assert upload(client, draft, content, name="last.pdf").status_code == 302
    assert Attachment.objects.filter(application=draft).count() == 2


def test_the_caps_are_shown_on_the_attachments_step(client, draft, media_root):
    AttachmentFactory.create_batch(3, application=draft)
    page = client.get(step_url(draft, "attachments")).content.decode()
    assert "Up to 10 documents per application, 10 MB each and 40 MB in all." in page
    assert "Documents uploaded: 3 of 10." in page
