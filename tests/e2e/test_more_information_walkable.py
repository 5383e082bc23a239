"""Issue 17, walkable in a browser (axe on every portal page): staff ask for more information on
the budget from admin; the lead sees the request, fixes the budget, resubmits; both versions are
shown, the second beside the first."""

from datetime import timedelta

import pytest
from django.utils import timezone

from applications import services
from applications.models import Application, SubmittedVersion
from tests.applications.factories import complete_application
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_staff_ask_for_more_information_and_the_lead_fixes_and_resubmits(browser, lang):
    application = complete_application(title="Neurons abroad")
    application.applicant.language = lang
    application.applicant.save(update_fields=["language"])
    application = services.submit_application(application, application.applicant)
    staff = StaffFactory()

    browser.use_language(lang)
    browser.log_in_as(staff)
    browser.go(f"/admin/applications/application/{application.pk}/change/")
    browser.click(f"a[href$='/applications/application/{application.pk}/request-information/']")
    browser.fill("id_message", "Please detail the travel budget of year 1.")
    browser.tick("input[name=sections][value=budget]")
    browser.set_value("id_deadline", (timezone.localdate() + timedelta(days=10)).isoformat())
    browser.click("input[type=submit]")
    application.refresh_from_db()
    assert application.status == Application.Status.MORE_INFO

    browser.log_in_as(application.applicant)
    browser.go(f"/{lang}/applications/{application.pk}/")
    assert "Please detail the travel budget of year 1." in browser.text("#information-request")
    browser.click(f"#information-request a[href='/{lang}/applications/{application.pk}/edit/budget/']")
    browser.fill("id_budget-0-amount", "9000")
    browser.click("main form button[type=submit]:not([name])")
    assert browser.path == f"/{lang}/applications/{application.pk}/"
    browser.click(f"main form[action='/{lang}/applications/{application.pk}/resubmit/'] button")
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert SubmittedVersion.objects.filter(application=application).count() == 2

    browser.click(f"main a[href='/{lang}/applications/{application.pk}/versions/']")
    browser.click(f"main a[href='/{lang}/applications/{application.pk}/versions/2/']")
    assert "9" in browser.text("#budget-heading + *")
