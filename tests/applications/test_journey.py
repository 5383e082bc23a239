"""The researcher's whole journey, with the Django test client, as a new user would go."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts import tasks
from accounts.models import User
from applications.models import Application, BudgetLine
from notifications.models import Notification
from tests.factories import CallFactory

from .factories import pdf_bytes
from .helpers import GENERAL, budget_row, formset_data, page_url, partner_row, step_url

pytestmark = pytest.mark.django_db

PASSWORD = "Wide-open-fields-42"


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def test_from_signup_to_a_submitted_tremplin_application_with_its_receipt(
    client, monkeypatch, django_capture_on_commit_callbacks
):
    call = CallFactory(title_en="Springboards 2026")

    # Sign up, verify the address, log in. The page queues the sign-up task on commit; it runs
    # here at once, as the worker would.
    monkeypatch.setattr(
        tasks.complete_signup, "delay", lambda **fields: tasks.complete_signup.apply(kwargs=fields, throw=True)
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/en/accounts/signup/",
            {
                "email": "young@inserm.fr",
                "first_name": "Alice",
                "last_name": "Young",
                "language": "en",
                "password1": PASSWORD,
                "password2": PASSWORD,
            },
        )
    user = User.objects.get(email="young@inserm.fr")
    verification = Notification.objects.get(recipient=user, kind="account.verification")
    client.get("/en" + verification.context["url_path"])
    response = client.post("/en/accounts/login/", {"username": "young@inserm.fr", "password": PASSWORD}, follow=True)
    assert response.context["user"] == user

    # Profile: a CRCN recruited two years ago.
    recruited = (timezone.localdate().replace(day=1) - timezone.timedelta(days=730)).isoformat()
    response = client.post(
        "/en/profile/",
        {"unit_code": "U1127", "team": "Neuro-immunology", "grade": "CRCN", "recruited_on": recruited, "orcid": ""},
    )
    assert response.status_code == 302

    # The dashboard offers the open call; start a draft.
    response = client.get(page_url("dashboard"))
    assert "Springboards 2026" in response.content.decode()
    response = client.post(page_url("start", call.pk))
    application = Application.objects.get(applicant=user)
    assert response["Location"].endswith(reverse("applications:step", args=[application.pk, "general"])[3:])

    response = client.post(step_url(application, "general"), GENERAL)
    assert response.status_code == 302
    response = client.post(step_url(application, "partners"), formset_data("partners", [partner_row("JP")]))
    assert response.status_code == 302

    # Over the ceiling: the checklist says why and the submission is refused with that reason.
    response = client.post(step_url(application, "budget"), formset_data("budget", [budget_row("12000")]))
    assert response.status_code == 302
    response = client.get(page_url("detail", application.pk))
    body = response.content.decode()
    assert "12,000 EUR requested exceed the call&#x27;s ceiling of 10,000 EUR." in body
    assert "12,000.00" in body  # the total, computed on the server
    response = client.post(page_url("submit", application.pk), follow=True)
    assert any("cannot be submitted yet: see what is missing below" in m for m in messages_of(response))
    page = response.content.decode()
    assert 'id="submit-blockers"' in page and "exceed the call&#x27;s ceiling" in page
    assert f'href="/en/applications/{application.pk}/edit/budget/"' in page.split('id="submit-blockers"')[1]
    application.refresh_from_db()
    assert application.status == Application.Status.DRAFT and application.reference is None

    # Fix the amount, declare the collaboration new, upload the PDF, submit.
    line = BudgetLine.objects.get(application=application)
    response = client.post(
        step_url(application, "budget"),
        formset_data("budget", [budget_row("9500.00", id=str(line.pk))], initial=1),
    )
    assert response.status_code == 302
    client.post(step_url(application, "declarations"), {"collaboration_is_new": "True"})
    upload = SimpleUploadedFile("Project.pdf", pdf_bytes(), content_type="application/pdf")
    response = client.post(step_url(application, "attachments"), {"kind": "project", "file": upload})
    assert response.status_code == 302
    response = client.get(page_url("detail", application.pk))
    assert "Completeness: 100%" in response.content.decode()
    assert "9,500 EUR requested, within the call&#x27;s ceiling" in response.content.decode()

    response = client.post(page_url("submit", application.pk), follow=True)
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert application.reference == "TREMPLIN-2026-0001"
    assert "TREMPLIN-2026-0001" in response.content.decode()
    assert application.eligible is True
    assert application.requested_amount == 9500
    receipt = Notification.objects.get(recipient=user, kind="application.receipt")
    assert receipt.context["reference"] == "TREMPLIN-2026-0001"
    assert receipt.context["url_path"] == f"/applications/{application.pk}/"
    assert receipt.context["call_title_en"] == "Springboards 2026"

    # Read only from now on.
    response = client.get(step_url(application, "general"))
    assert response.status_code == 302
    response = client.post(step_url(application, "general"), GENERAL | {"title": "Changed"})
    application.refresh_from_db()
    assert application.title == GENERAL["title"]
