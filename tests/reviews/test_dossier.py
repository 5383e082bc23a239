"""The committee dossier (issue 18): one PDF per application or per call, read back as text."""

import io

import pytest
from django.test import Client
from django.utils import translation
from pypdf import PdfReader

from applications.models import Application
from calls.models import ReviewCriterion
from reviews import services
from reviews.dossier import build
from reviews.models import Dossier
from tests.applications.factories import AttachmentFactory, pdf_bytes
from tests.factories import PASSWORD

from .factories import ReviewerProfileFactory, assign, submitted_application

pytestmark = pytest.mark.django_db


def reviewed(call, title):
    application = submitted_application(call, status=Application.Status.IN_REVIEW)
    Application.objects.filter(pk=application.pk).update(title=title)
    application.refresh_from_db()
    AttachmentFactory(application=application)
    reviewer = ReviewerProfileFactory(institution="", user__first_name="Ines", user__last_name="Expert").user
    assignment = assign(application, reviewer)
    criteria = ReviewCriterion.objects.filter(call=call)
    services.save_review(
        assignment,
        reviewer,
        scores={c.pk: (5, "Excellent partnership.") for c in criteria},
        recommendation="strongly_support",
        general_comment="A model of cooperation.",
        submit=True,
    )
    return application


def text_of(dossier):
    with dossier.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    # Words as read, whatever the lines they were drawn on.
    return reader, " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_a_call_s_dossier_holds_each_application_under_its_bookmark_with_its_documents(call, staff):
    first = reviewed(call, "Immune ageing in two cohorts")
    second = reviewed(call, "Heat waves and mental health")
    dossier = Dossier.objects.create(call=call, requested_by=staff)
    dossier = build(dossier.pk, "en")
    assert (dossier.status, dossier.progress) == (Dossier.Status.READY, 100)
    reader, text = text_of(dossier)
    for application in (first, second):
        assert application.reference in text and application.title in text
    assert "University of Tokyo" in text and "Travel and accommodation" in text
    assert "A model of cooperation." in text and "Ines Expert" in text
    titles = [item.title for item in reader.outline if not isinstance(item, list)]
    assert titles == sorted([first.reference, second.reference])
    # Each application's own page(s), then its document's pages, merged in.
    attachment_pages = len(PdfReader(io.BytesIO(pdf_bytes())).pages)
    assert len(reader.pages) >= 2 * (1 + attachment_pages)


def test_the_version_without_reviews_has_no_reviewer_and_no_comment(call, staff):
    application = reviewed(call, "Immune ageing in two cohorts")
    dossier = build(Dossier.objects.create(call=call, application=application, with_reviews=False).pk, "fr")
    _reader, text = text_of(dossier)
    assert application.reference in text
    assert "Ines Expert" not in text and "A model of cooperation." not in text
    assert "Équipes partenaires" in text


def test_staff_ask_for_a_dossier_follow_it_and_download_it_others_get_nothing(call, staff):
    application = reviewed(call, "Immune ageing in two cohorts")
    client = Client()
    client.login(username=staff.email, password=PASSWORD)
    response = client.post(f"/en/reviews/staff/calls/{call.pk}/dossiers/", {"with_reviews": "1"})
    dossier = Dossier.objects.get()
    assert response["Location"] == f"/en/reviews/staff/dossiers/{dossier.pk}/"
    assert client.get(f"/en/reviews/staff/dossiers/{dossier.pk}/progress/").json()["status"] == "queued"
    assert client.get(f"/en/reviews/staff/dossiers/{dossier.pk}/download/").status_code == 404  # not built yet
    build(dossier.pk, "en")
    download = client.get(f"/en/reviews/staff/dossiers/{dossier.pk}/download/")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    reviewer = application.review_assignments.get().reviewer
    outsider = Client()
    outsider.login(username=reviewer.email, password=PASSWORD)
    assert outsider.get(f"/en/reviews/staff/dossiers/{dossier.pk}/download/").status_code == 404


@translation.override("en")
def test_the_dossier_service_refuses_whoever_may_not_read_the_ranking_and_another_call_s_application(call, staff):
    from reviews.dossier import request_dossier
    from tests.factories import ResearcherFactory

    from .factories import ClosedCallFactory

    with pytest.raises(services.ReviewError, match="permission"):
        request_dossier(call, ResearcherFactory())
    elsewhere = submitted_application(ClosedCallFactory())
    with pytest.raises(services.ReviewError, match="not one of the call"):
        request_dossier(call, staff, application=elsewhere)
    assert not Dossier.objects.exists()
