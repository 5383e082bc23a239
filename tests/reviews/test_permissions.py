"""Every reviewer-side page answers 404 to an unassigned or conflicted reviewer (and to other roles)."""

import pytest

from reviews.models import ReviewAssignment
from tests.factories import ResearcherFactory

from .factories import ReviewerProfileFactory, assign, submitted_application
from .helpers import url

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting(call):
    application = submitted_application(call, unit_code="U7777", attachment=True)
    assigned = ReviewerProfileFactory(institution="", unit_code="").user
    assign(application, assigned)
    unassigned = ReviewerProfileFactory(institution="").user
    conflicted_profile = ReviewerProfileFactory(institution="", unit_code="")
    assign(application, conflicted_profile.user)
    conflicted_profile.unit_code = "U7777"  # same unit as the applicant: conflicted although assigned
    conflicted_profile.save()
    attachment = application.attachments.get()
    return {
        "application": application,
        "attachment": attachment,
        "assigned": assigned,
        "unassigned": unassigned,
        "conflicted": conflicted_profile.user,
    }


def pages(setting):
    application, attachment = setting["application"], setting["attachment"]
    return [
        ("get", url("assignment", application.pk), {}),
        ("get", url("attachment", application.pk, attachment.pk), {}),
        ("post", url("assignment", application.pk), {"save": "1", "recommendation": "support"}),
        ("post", url("assignment", application.pk), {"submit": "1", "recommendation": "support"}),
        ("get", url("recuse", application.pk), {}),
        ("post", url("recuse", application.pk), {"reason": "Busy"}),
    ]


@pytest.mark.parametrize("who", ["unassigned", "conflicted"])
def test_unassigned_and_conflicted_reviewers_get_404_on_every_page(client, setting, who):
    client.force_login(setting[who])
    for method, address, data in pages(setting):
        response = getattr(client, method)(address, data)
        assert response.status_code == 404, (who, method, address)
    assert ReviewAssignment.objects.active().count() == 2  # nothing was recused


@pytest.mark.parametrize("who", ["unassigned", "conflicted"])
def test_unassigned_and_conflicted_reviewers_do_not_see_the_application_in_their_queue(client, setting, who):
    client.force_login(setting[who])
    response = client.get(url("queue"))
    assert response.status_code == 200
    assert setting["application"].reference not in response.content.decode()


def test_assigned_reviewer_sees_the_queue_item_page_and_downloads_attachments(client, setting):
    client.force_login(setting["assigned"])
    application = setting["application"]
    assert application.reference in client.get(url("queue")).content.decode()
    page = client.get(url("assignment", application.pk))
    assert page.status_code == 200
    assert application.abstract in page.content.decode()
    download = client.get(url("attachment", application.pk, setting["attachment"].pk))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert client.get(url("recuse", application.pk)).status_code == 200


def test_attachment_of_another_application_is_404_for_an_assigned_reviewer(client, setting, call):
    other = submitted_application(call, attachment=True)
    client.force_login(setting["assigned"])
    address = url("attachment", setting["application"].pk, other.attachments.get().pk)
    assert client.get(address).status_code == 404


def test_researcher_and_staff_get_404_on_reviewer_pages(client, setting, staff):
    for user in (ResearcherFactory(), staff):
        client.force_login(user)
        assert client.get(url("queue")).status_code == 404
        assert client.get(url("assignment", setting["application"].pk)).status_code == 404


def test_anonymous_visitor_is_sent_to_log_in(client, setting):
    response = client.get(url("assignment", setting["application"].pk))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_reviewer_gets_404_on_staff_pages(client, setting, call):
    client.force_login(setting["assigned"])
    assert client.get(url("staff_call", call.pk)).status_code == 404
    assert client.get(url("ranking", call.pk)).status_code == 404
    assert client.get(url("export_csv", call.pk)).status_code == 404
    assert client.get(url("decide", setting["application"].pk)).status_code == 404
