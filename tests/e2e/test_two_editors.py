"""Two browsers on one draft (issue 17): the lead and a co-applicant open the general step and both
type; the lead saves, then the co-applicant saves: refused, the page shows what changed meanwhile
(the lead's title, who saved) and keeps the co-applicant's typing; saving again keeps it. French
and English, with axe checks on every page of both browsers."""

import shutil
import tempfile

import pytest
from django.utils import translation
from django.utils.translation import gettext

from applications.models import Application, CoApplicant
from notifications.models import Notification
from tests.applications.factories import ApplicationFactory, ProfileFactory
from tests.e2e.browser import Browser, start_chromium
from tests.e2e.data import open_call
from tests.factories import ResearcherFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def second_browser(django_db_setup, live_server):
    """Another Chromium (its own cookies: another person), closed after the test."""
    profile = tempfile.mkdtemp(prefix="e2e-chromium-second-")
    driver = start_chromium(profile)
    yield Browser(driver, live_server.url)
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


def save(browser):
    browser.click("main form button.btn[name=stay]")


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_co_applicant_saving_over_the_leads_save_sees_the_difference_and_keeps_their_typing(
    browser, second_browser, lang
):
    lead = ResearcherFactory(first_name="Lea", last_name="Lead", language=lang)
    ProfileFactory(user=lead)
    draft = ApplicationFactory(call=open_call(), applicant=lead, title="The first title")
    colleague = ResearcherFactory(email=f"colleague-{lang}@inserm.example", language=lang)
    ProfileFactory(user=colleague)
    step = f"/{lang}/applications/{draft.pk}/edit/general/"

    # The lead invites the colleague from the application's page; the colleague accepts by the link.
    browser.log_in_as(lead)
    browser.go(f"/{lang}/applications/{draft.pk}/")
    browser.fill("id_email", colleague.email)
    browser.tick("#id_role_1")
    browser.click("#co-applicants form button[type=submit]")
    assert CoApplicant.objects.get().role == "administrative"
    invitation = Notification.objects.get(kind="co_applicant.invitation", recipient=colleague)
    second_browser.log_in_as(colleague)
    second_browser.go(f"/{lang}{invitation.context['url_path']}")
    assert draft.title in second_browser.text("main")
    second_browser.click("main form button[type=submit]")
    assert second_browser.path == f"/{lang}/applications/{draft.pk}/"
    assert second_browser.find_all("[data-lead-submits]") and "Lea Lead" in second_browser.text("[data-lead-submits]")

    browser.go(step)
    second_browser.go(step)
    browser.fill("id_title", "The lead's title")
    second_browser.fill("id_title", "The colleague's title")

    save(browser)
    assert browser.path == step and not browser.find_all("[data-conflict]")
    assert Application.objects.get(pk=draft.pk).title == "The lead's title"

    save(second_browser)
    panel = second_browser.find("[data-conflict]")
    with translation.override(lang):
        assert gettext("What changed meanwhile") in panel.text
    assert "The lead's title" in second_browser.text("[data-conflict] [data-saved]")
    assert "Lea Lead" in panel.text
    assert second_browser.find("#id_title").get_attribute("value") == "The colleague's title"
    assert Application.objects.get(pk=draft.pk).title == "The lead's title"

    # Saving again, knowing the lead's value, keeps the colleague's.
    save(second_browser)
    assert not second_browser.find_all("[data-conflict]")
    assert Application.objects.get(pk=draft.pk).title == "The colleague's title"
