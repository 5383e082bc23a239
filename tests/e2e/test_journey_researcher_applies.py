"""Journey 2: a researcher signs up, verifies the address, fills the profile, drafts a Tremplin
application over the ceiling, sees the checklist fail, fixes the amount, uploads a PDF and submits."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext

from accounts.models import User
from applications.models import Application
from notifications.models import Notification
from tests.applications.factories import pdf_bytes
from tests.e2e.data import open_call

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "Wide-open-fields-42"
OVER_CEILING = "amount.over_ceiling"


def checklist(browser):
    """The eligibility checklist beside every step: {rule code: outcome}."""
    return {
        item.get_attribute("data-code"): item.get_attribute("class").removeprefix("checklist-")
        for item in browser.find_all(".checklist li[data-code]")
    }


def save_and_continue(browser):
    browser.click("main form button[type=submit]:not([name])")


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_researcher_signs_up_drafts_fixes_the_budget_uploads_and_submits(browser, lang, tmp_path):
    call = open_call()
    email = f"young-{lang}@inserm.fr"

    # Sign up from the login page.
    browser.go(f"/{lang}/accounts/login/")
    assert browser.language == lang
    browser.click(f"main a[href='/{lang}/accounts/signup/']")
    browser.fill("id_email", email)
    browser.fill("id_first_name", "Alice")
    browser.fill("id_last_name", "Young")
    browser.choose("id_language", lang)
    browser.fill("id_password1", PASSWORD)
    browser.fill("id_password2", PASSWORD)
    browser.click("main form button[type=submit]")
    assert browser.path == f"/{lang}/accounts/signup/sent/"
    user = User.objects.get(email=email)
    assert not user.is_active

    # The link of the verification e-mail (read in the outbox) activates the account.
    verification = Notification.objects.get(recipient=user, kind="account.verification")
    assert verification.language == lang
    browser.go(f"/{lang}{verification.context['url_path']}")
    assert browser.path == f"/{lang}/accounts/login/"
    browser.fill("id_username", email)
    browser.fill("id_password", PASSWORD)
    browser.click("main form button[type=submit]")
    with translation.override(lang):
        assert gettext("my account") in browser.text("header")

    # The profile: a CRCN recruited two years ago (eligible to Tremplins).
    browser.go(f"/{lang}/profile/")
    browser.fill("id_unit_code", "U1127")
    browser.fill("id_team", "Neuro-immunology")
    browser.choose("id_grade", "CRCN")
    browser.set_value("id_recruited_on", (timezone.localdate() - timedelta(days=730)).isoformat())
    browser.click("main form button[type=submit]")
    assert browser.path == f"/{lang}/applications/"

    # From the call page to a draft.
    browser.go(f"/{lang}/calls/{call.pk}/")
    browser.click(f"main a[href='/{lang}/applications/new/{call.pk}/']")
    browser.click("main form button[type=submit]")
    application = Application.objects.get(applicant=user)
    assert browser.path == f"/{lang}/applications/{application.pk}/edit/general/"

    browser.fill("id_title", "Neuro-immune dialogue in ageing")
    browser.fill("id_abstract", "We study how neurons and immune cells talk in the ageing brain, with a team in Tokyo.")
    browser.fill("id_keywords", "ageing, neuro-immunology")
    browser.fill("id_theme", "Neurosciences")
    save_and_continue(browser)

    # A partner abroad.
    assert browser.path.endswith("/edit/partners/")
    browser.fill("id_partners-0-institution", "University of Tokyo")
    browser.fill("id_partners-0-city", "Tokyo")
    browser.choose("id_partners-0-country", "JP")
    browser.fill("id_partners-0-team_leader", "Dr Sato")
    browser.fill("id_partners-0-email", "sato@u-tokyo.example")
    save_and_continue(browser)

    # A budget over the 10,000 EUR ceiling: the checklist says so.
    assert browser.path.endswith("/edit/budget/")
    browser.choose("id_budget-0-year", "1")
    browser.choose("id_budget-0-category", "travel")
    browser.fill("id_budget-0-amount", "12000")
    save_and_continue(browser)
    assert checklist(browser)[OVER_CEILING] == "fail"
    assert "12" in browser.find(f".checklist li[data-code='{OVER_CEILING}']").text

    # Fix the amount: the rule passes.
    browser.click(f"main a[href='/{lang}/applications/{application.pk}/edit/budget/']")
    browser.fill("id_budget-0-amount", "9500")
    browser.click("main form button[type=submit][name=stay].btn")
    assert checklist(browser)[OVER_CEILING] == "pass"
    assert "9" in browser.text("[data-budget-total]")

    # The declaration, then the project description as a PDF.
    browser.go(f"/{lang}/applications/{application.pk}/edit/declarations/")
    browser.tick("input[name=collaboration_is_new][value=True]")
    save_and_continue(browser)
    assert browser.path.endswith("/edit/attachments/")
    pdf = tmp_path / "project.pdf"
    pdf.write_bytes(pdf_bytes(pages=2))
    browser.choose("id_kind", "project")
    browser.find("#id_file").send_keys(str(pdf))
    browser.click("main form button[type=submit]")
    assert "project.pdf" in browser.text("main")
    # Nothing blocks: a Tremplin call does not wait for the partner team's answer, which the
    # checklist only reports (the team was e-mailed its link when added).
    outcomes = checklist(browser)
    assert outcomes.pop("partners.confirmed") == "warning"
    assert set(outcomes.values()) == {"pass"}

    # Review and submit: the reference is shown, the receipt waits in the outbox.
    browser.click(f"main a[href='/{lang}/applications/{application.pk}/']")
    assert "100" in browser.text("#progress-heading")
    browser.click(f"form[action='/{lang}/applications/{application.pk}/submit/'] button")
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert application.reference == "TREMPLIN-2026-0001"
    assert application.reference in browser.text(".messages")
    assert application.reference in browser.text("h1 + p")
    receipt = Notification.objects.get(recipient=user, kind="application.receipt")
    assert receipt.language == lang
    assert receipt.context["reference"] == application.reference
