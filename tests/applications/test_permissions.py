"""Only the applicant and staff see an application and its files; everyone else gets 404."""

import pytest
from django.urls import reverse

from applications.models import Application
from tests.factories import ResearcherFactory, ReviewerFactory

from .factories import complete_application
from .helpers import GENERAL

pytestmark = pytest.mark.django_db


@pytest.fixture
def application():
    return complete_application()


def urls(application):
    attachment = application.attachments.get()
    return {
        "detail": ("get", reverse("applications:detail", args=[application.pk]), {}),
        "general": ("get", reverse("applications:step", args=[application.pk, "general"]), {}),
        "budget": ("get", reverse("applications:step", args=[application.pk, "budget"]), {}),
        "save general": ("post", reverse("applications:step", args=[application.pk, "general"]), GENERAL),
        "autosave": ("post", reverse("applications:autosave", args=[application.pk]), {"title": "x"}),
        "submit": ("post", reverse("applications:submit", args=[application.pk]), {}),
        "withdraw": ("post", reverse("applications:withdraw", args=[application.pk]), {}),
        "download": ("get", reverse("applications:attachment", args=[application.pk, attachment.pk]), {}),
        "delete file": (
            "post",
            reverse("applications:attachment_delete", args=[application.pk, attachment.pk]),
            {},
        ),
    }


PAGES = ["detail", "general", "budget", "save general", "submit", "withdraw", "download", "delete file"]


@pytest.mark.parametrize("page", PAGES + ["autosave"])
@pytest.mark.parametrize("who", ["other researcher", "reviewer", "researcher and reviewer"])
def test_someone_else_gets_404_and_changes_nothing(client, application, page, who):
    user = {
        "other researcher": ResearcherFactory,
        "reviewer": ReviewerFactory,
        "researcher and reviewer": lambda: ResearcherFactory(is_reviewer=True),
    }[who]()
    client.force_login(user)
    method, url, data = urls(application)[page]
    response = getattr(client, method)(url, data)
    assert response.status_code == 404
    application.refresh_from_db()
    assert application.status == Application.Status.DRAFT
    assert application.title != "x" and application.attachments.count() == 1


@pytest.mark.parametrize("page", ["detail", "general", "budget", "submit", "withdraw", "download", "delete file"])
def test_anonymous_visitor_gets_404_on_application_pages(client, application, page):
    method, url, data = urls(application)[page]
    assert getattr(client, method)(url, data).status_code == 404
    assert Application.objects.get(pk=application.pk).status == Application.Status.DRAFT


def test_anonymous_visitor_gets_the_same_answer_for_an_application_that_does_not_exist(client, application):
    existing = client.get(reverse("applications:detail", args=[application.pk]))
    missing = client.get(reverse("applications:detail", args=[application.pk + 1000]))
    assert existing.status_code == missing.status_code == 404
    saved = client.post(reverse("applications:step", args=[application.pk, "general"]), GENERAL)
    unknown = client.post(reverse("applications:step", args=[application.pk + 1000, "general"]), GENERAL)
    assert saved.status_code == unknown.status_code == 302  # both: log in to get your changes back


def test_anonymous_autosave_answers_401_whatever_the_application(client, application):
    assert client.post(reverse("applications:autosave", args=[application.pk]), {"title": "x"}).status_code == 401
    assert client.post(reverse("applications:autosave", args=[application.pk + 99]), {}).status_code == 401


def test_anonymous_visitor_is_sent_to_log_in_for_the_dashboard(client):
    response = client.get(reverse("applications:dashboard"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_owner_sees_the_application_and_downloads_the_pdf_as_an_attachment(client, application):
    client.force_login(application.applicant)
    assert client.get(reverse("applications:detail", args=[application.pk])).status_code == 200
    attachment = application.attachments.get()
    response = client.get(reverse("applications:attachment", args=[application.pk, attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="project.pdf"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_staff_see_the_application_and_its_files_but_cannot_edit(client, application, staff):
    client.force_login(staff)
    assert client.get(reverse("applications:detail", args=[application.pk])).status_code == 200
    attachment = application.attachments.get()
    assert client.get(reverse("applications:attachment", args=[application.pk, attachment.pk])).status_code == 200
    response = client.post(reverse("applications:step", args=[application.pk, "general"]), GENERAL | {"title": "x"})
    assert response.status_code == 302
    assert client.post(reverse("applications:submit", args=[application.pk])).status_code == 404
    application.refresh_from_db()
    assert application.title != "x" and application.status == Application.Status.DRAFT


def test_an_attachment_of_another_application_is_not_served_through_mine(client, application):
    mine = complete_application()
    foreign_file = application.attachments.get()
    client.force_login(mine.applicant)
    assert client.get(reverse("applications:attachment", args=[mine.pk, foreign_file.pk])).status_code == 404


def test_visible_to_is_the_one_predicate(application, staff):
    other = ResearcherFactory()
    assert list(Application.objects.visible_to(application.applicant)) == [application]
    assert list(Application.objects.visible_to(other)) == []
    assert list(Application.objects.visible_to(staff)) == [application]


def test_another_app_can_extend_who_sees_an_application(application):
    from django.db.models import Q

    from applications import permissions

    reviewer = ReviewerFactory()

    def assigned(user):
        return Q(pk=application.pk) if user.pk == reviewer.pk else None

    permissions.register_visibility_rule(assigned)
    try:
        assert list(Application.objects.visible_to(reviewer)) == [application]
        assert list(Application.objects.visible_to(ReviewerFactory())) == []
    finally:
        permissions._extra_visibility_rules.remove(assigned)
