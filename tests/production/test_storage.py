"""Shared storage (issue 20) on a real S3-compatible server: moto's standalone server, started as a
process for the session, with a private bucket made through boto3. Attachments uploaded through the
page land in the bucket; their owner downloads them through the portal, which checks permission
and then redirects to a short-lived signed link; a stranger gets nothing; erasure deletes the
object; the store down, an upload says so and nothing of the draft is lost, and /readyz turns red."""

import json
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts import personal_data
from applications import services
from applications.models import Application, Attachment
from inserm_portal.storage_settings import S3_BACKEND, default_storage, s3_options
from projects.services import ProjectError, reports
from tests.applications.factories import ApplicationFactory, ProfileFactory, pdf_bytes
from tests.applications.helpers import page_url, step_url
from tests.factories import ResearcherFactory, StaffFactory
from tests.isolation import fast_password_hashing, media_root, no_celery_broker  # noqa: F401 (fixtures)
from tests.projects.factories import funded_project

from .s3_fixtures import BUCKET, REGION, free_port, keys, start_s3_server, stop_s3_server

pytestmark = pytest.mark.django_db

#: Requests straight to the local server, whatever proxy the environment names.
http = requests.Session()
http.trust_env = False


def use_bucket(settings, endpoint):
    """The portal's default storage becomes the bucket, configured as a deployment would: by URL.
    (Django's setting_changed signal drops the cached default_storage.)"""
    url = f"s3://testing:testing@{BUCKET}?endpoint_url={endpoint}&region={REGION}"
    options = s3_options({}, settings.STORAGE_URL_EXPIRY_SECONDS, storage_url=url)
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": S3_BACKEND, "OPTIONS": options}}


@pytest.fixture
def bucket(settings, s3_server):
    endpoint, client = s3_server
    use_bucket(settings, endpoint)
    yield client
    for key in keys(client):
        client.delete_object(Bucket=BUCKET, Key=key)


@pytest.fixture
def draft():
    return ApplicationFactory(applicant=ProfileFactory().user)


def owner_client(application):
    client = Client()
    client.force_login(application.applicant)
    return client


def upload(client, application, content, name="Projet scientifique.pdf", kind="project"):
    file = SimpleUploadedFile(name, content, content_type="application/pdf")
    return client.post(step_url(application, "attachments"), {"kind": kind, "file": file})


def test_an_upload_lands_in_the_private_bucket_and_not_on_the_disk(bucket, draft, settings):
    assert upload(owner_client(draft), draft, pdf_bytes(2)).status_code == 302
    attachment = Attachment.objects.get(application=draft)
    assert keys(bucket) == [attachment.file.name]
    assert attachment.file.name.startswith(f"applications/{draft.pk}/")
    stored = bucket.get_object(Bucket=BUCKET, Key=attachment.file.name)["Body"].read()
    assert stored == pdf_bytes(2)
    grants = bucket.get_object_acl(Bucket=BUCKET, Key=attachment.file.name)["Grants"]
    assert [grant["Permission"] for grant in grants] == ["FULL_CONTROL"]  # the owner only: not public
    assert "URI" not in grants[0]["Grantee"]  # no AllUsers / AuthenticatedUsers group
    assert not any(Path(settings.MEDIA_ROOT).rglob("*.pdf"))  # tests/isolation.py's temporary folder


def test_the_owner_downloads_through_a_signed_link_that_serves_the_bytes_as_a_named_pdf(bucket, draft, s3_server):
    client = owner_client(draft)
    upload(client, draft, pdf_bytes(3))
    attachment = Attachment.objects.get(application=draft)

    response = client.get(page_url("attachment", draft.pk, attachment.pk))

    assert response.status_code == 302
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    link = response["Location"]
    assert link.startswith(f"{s3_server[0]}/{BUCKET}/{attachment.file.name}?")
    query = parse_qs(urlsplit(link).query)
    assert query["X-Amz-Expires"] == ["60"] and query["X-Amz-Signature"]
    served = http.get(link, timeout=10)
    assert served.status_code == 200
    assert served.content == pdf_bytes(3)
    assert served.headers["Content-Disposition"] == 'attachment; filename="Projet scientifique.pdf"'
    assert served.headers["Content-Type"] == "application/pdf"


def test_another_researcher_gets_a_404_and_no_link(bucket, draft):
    upload(owner_client(draft), draft, pdf_bytes())
    attachment = Attachment.objects.get(application=draft)
    stranger = Client()
    stranger.force_login(ResearcherFactory())

    response = stranger.get(page_url("attachment", draft.pk, attachment.pk))

    assert response.status_code == 404
    assert "Location" not in response
    assert b"X-Amz" not in response.content and BUCKET.encode() not in response.content


def test_a_signed_link_lives_for_the_configured_seconds_only(bucket, draft, settings):
    """moto's server (5.2.5) checks neither the signature nor the expiry of a presigned link (it
    serves one forever), so this test checks what the link asks of a real store (S3, MinIO, Ceph
    refuse it with 403 once past): signed now, for STORAGE_URL_EXPIRY_SECONDS."""
    settings.STORAGE_URL_EXPIRY_SECONDS = 1
    client = owner_client(draft)
    upload(client, draft, pdf_bytes())
    attachment = Attachment.objects.get(application=draft)
    link = client.get(page_url("attachment", draft.pk, attachment.pk))["Location"]
    query = parse_qs(urlsplit(link).query)
    assert query["X-Amz-Expires"] == ["1"]
    signed_at = datetime.strptime(query["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    assert abs((datetime.now(UTC) - signed_at).total_seconds()) < 5


def test_streaming_by_setting_serves_the_bytes_through_the_portal(bucket, draft, settings):
    settings.STORAGE_DOWNLOADS = "stream"
    client = owner_client(draft)
    upload(client, draft, pdf_bytes(2))
    attachment = Attachment.objects.get(application=draft)

    response = client.get(page_url("attachment", draft.pk, attachment.pk))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pdf_bytes(2)
    assert response["Content-Disposition"] == 'attachment; filename="Projet scientifique.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"


def test_erasure_deletes_the_attachments_from_the_bucket(bucket, draft, django_capture_on_commit_callbacks):
    services.add_attachment(draft, SimpleUploadedFile("cv.pdf", pdf_bytes()), "cv", draft.applicant)
    assert len(keys(bucket)) == 1
    erasure = personal_data.request_erasure(draft.applicant)
    with django_capture_on_commit_callbacks(execute=True):
        personal_data.erase(erasure, StaffFactory())
    assert not Application.objects.filter(pk=draft.pk).exists()
    assert keys(bucket) == []


def test_a_report_document_goes_to_the_bucket_and_a_closed_store_refuses_it_with_a_reason(bucket, settings, english):
    project = funded_project("PRI", "60000.00")
    report = project.reports.order_by("due_on").first()
    attachment = reports.add_report_attachment(report, SimpleUploadedFile("annexe.pdf", pdf_bytes()), project.lead)
    assert keys(bucket) == [attachment.file.name]

    use_bucket(settings, f"http://127.0.0.1:{free_port()}")  # nothing listens there
    with pytest.raises(ProjectError, match="The file store is not answering"):
        reports.add_report_attachment(report, SimpleUploadedFile("late.pdf", pdf_bytes()), project.lead)
    assert [a.original_name for a in report.attachments.all()] == ["annexe.pdf"]


def readyz():
    response = Client().get("/readyz")
    return response.status_code, json.loads(response.content)["checks"]["storage"]


def test_the_store_going_down_keeps_the_draft_says_so_on_the_page_and_turns_readyz_red(settings, draft):
    process, endpoint, client = start_s3_server()
    try:
        use_bucket(settings, endpoint)
        page = owner_client(draft)
        assert upload(page, draft, pdf_bytes(), name="cv.pdf", kind="cv").status_code == 302
        status, storage = readyz()
        assert status == 200 and storage["ok"]
        assert len(keys(client)) == 1  # the probe was written, read and deleted: only the cv is left
    finally:
        stop_s3_server(process)
    title = draft.title

    response = upload(page, draft, pdf_bytes(2), name="letter.pdf", kind="letter")

    assert response.status_code == 200
    text = response.content.decode()
    assert "The file store is not answering, so the document was not saved." in text
    assert '<option value="letter" selected>' in text  # the form keeps what was chosen
    assert [a.original_name for a in Attachment.objects.filter(application=draft)] == ["cv.pdf"]
    draft.refresh_from_db()
    assert draft.title == title and draft.status == Application.Status.DRAFT
    status, storage = readyz()
    assert status == 503 and not storage["ok"] and storage["error"] == "EndpointConnectionError"


def test_without_a_bucket_files_stay_on_the_local_disk_and_a_bucket_is_read_from_either_setting():
    assert default_storage({}, 60) == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    url = "s3://k%2Fey:s3cret@files?endpoint_url=http://s3:9000&region=eu-west-3"
    by_url = default_storage({"STORAGE_URL": url}, 60)
    aws = {
        "AWS_STORAGE_BUCKET_NAME": "files",
        "AWS_S3_ENDPOINT_URL": "http://s3:9000",
        "AWS_S3_REGION_NAME": "eu-west-3",
    }
    by_aws = default_storage(aws, 60)
    for storage in (by_url, by_aws):
        options = storage["OPTIONS"]
        assert storage["BACKEND"] == S3_BACKEND
        assert (options["bucket_name"], options["endpoint_url"], options["region_name"]) == (
            "files",
            "http://s3:9000",
            "eu-west-3",
        )
        assert options["default_acl"] == "private" and options["querystring_auth"] is True
        assert options["querystring_expire"] == 60
    assert (by_url["OPTIONS"]["access_key"], by_url["OPTIONS"]["secret_key"]) == ("k/ey", "s3cret")
    with pytest.raises(ImproperlyConfigured):
        default_storage({"STORAGE_URL": "https://files.example.org"}, 60)
