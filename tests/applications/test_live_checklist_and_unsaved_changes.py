"""Issue 14: the checklist follows what is typed (before any save), nothing typed on a step is lost
when the researcher goes elsewhere, Enter saves, a long title is refused (never cut), and a project
lasts its instrument's duration."""

import re

import pytest

from applications.models import BudgetLine, DraftSnapshot, PartnerTeam
from tests.factories import ResearcherFactory

from .factories import ApplicationFactory, BudgetLineFactory, PartnerFactory, ProfileFactory
from .helpers import GENERAL, budget_row, formset_data, page_url, partner_row, step_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(client):
    application = ApplicationFactory(applicant=ProfileFactory(atip_avenir_year=2022).user)
    PartnerFactory(application=application, country="JP")
    BudgetLineFactory(application=application, amount="6000")
    client.force_login(application.applicant)
    return application


def checklist(client, draft, step, data):
    return client.post(page_url("checklist", draft.pk), {"checklist_step": step, **data})


def test_raising_the_budget_shows_the_ceiling_refused_before_any_save(client, draft, english):
    line = draft.budget_lines.get()
    data = formset_data("budget", [budget_row("12500", id=str(line.pk))], initial=1)
    response = checklist(client, draft, "budget", data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "12,500 EUR requested exceed the call&#x27;s ceiling of 10,000 EUR" in page
    assert "checklist-fail" in page
    assert response["X-Checklist-Problems"] == "1"
    assert BudgetLine.objects.get(pk=line.pk).amount == 6000  # nothing saved
    within = checklist(client, draft, "budget", formset_data("budget", [budget_row("9000", id=str(line.pk))], 1))
    assert "9,000 EUR requested, within the call&#x27;s ceiling" in within.content.decode()
    assert within["X-Checklist-Problems"] == "0"


def test_france_typed_as_the_partner_is_refused_at_once_never_left_green(client, draft, english):
    partner = draft.partners.get()
    data = formset_data("partners", [partner_row("FR", id=str(partner.pk))], initial=1)
    page = checklist(client, draft, "partners", data).content.decode()
    assert "Not met:" in page and "France, overseas France included, is not abroad" in page
    assert "Partner teams abroad: Japan" not in page
    removed = formset_data("partners", [partner_row("JP", id=str(partner.pk), DELETE="on")], initial=1)
    page = checklist(client, draft, "partners", removed).content.decode()
    assert page.count("Add 1 partner team abroad.") == 1  # said once, as something to do
    assert "To do:" in page
    assert PartnerTeam.objects.get(pk=partner.pk).country == "JP"


def test_the_checklist_of_the_page_is_live_on_every_step(client, draft):
    for step in ("general", "partners", "budget", "declarations"):
        page = client.get(step_url(draft, step)).content.decode()
        assert f'data-checklist-url="/en/applications/{draft.pk}/checklist/"' in page, step
        assert f'data-step="{step}"' in page and 'aria-live="polite"' in page
        assert "js/checklist.js" in page and "js/draft-form.js" in page


def test_the_checklist_of_someone_elses_draft_is_404(client, draft):
    client.force_login(ResearcherFactory())
    assert checklist(client, draft, "budget", {}).status_code == 404


def test_the_profile_finding_links_to_my_profile(client, english):
    application = ApplicationFactory(applicant=ProfileFactory(grade="DR", atip_avenir_year=None).user)
    client.force_login(application.applicant)
    page = client.get(step_url(application, "general")).content.decode()
    assert "Check My profile" in page
    assert re.search(r'href="/en/profile/\?next=/en/applications/\d+/edit/general/"', page)


def test_partners_typed_then_another_tab_are_kept_and_given_back(client, draft, english):
    data = formset_data("partners", [partner_row("BR", institution="Fiocruz")])
    response = client.post(page_url("autosave", draft.pk), {"autosave_step": "partners", **data})
    assert response.json()["saved"] and response.json()["kept"]
    assert not PartnerTeam.objects.filter(institution="Fiocruz").exists()  # kept, not saved
    page = client.get(step_url(draft, "partners")).content.decode()
    assert 'value="Fiocruz"' in page
    assert "was not saved yet: it is back, check it and save." in page
    assert not DraftSnapshot.objects.exists()  # given back once


def test_a_step_tab_clicked_with_unsaved_changes_saves_then_opens_that_step(client, draft):
    partner = draft.partners.get()
    data = formset_data("partners", [partner_row("BR", id=str(partner.pk), institution="Fiocruz")], initial=1)
    response = client.post(step_url(draft, "partners"), {**data, "goto": "budget"})
    assert response.status_code == 302 and response["Location"].endswith("/edit/budget/")
    assert PartnerTeam.objects.get(pk=partner.pk).institution == "Fiocruz"


def test_a_saved_step_drops_what_autosave_kept(client, draft):
    partner = draft.partners.get()
    data = formset_data("partners", [partner_row("JP", id=str(partner.pk))], initial=1)
    client.post(page_url("autosave", draft.pk), {"autosave_step": "partners", **data})
    client.post(step_url(draft, "partners"), data)
    assert not DraftSnapshot.objects.exists()


def test_another_researcher_cannot_keep_changes_on_a_draft(client, draft):
    client.force_login(ResearcherFactory())
    response = client.post(page_url("autosave", draft.pk), {"autosave_step": "partners"})
    assert response.status_code == 404
    assert not DraftSnapshot.objects.exists()


@pytest.mark.parametrize("step", ["general", "partners", "budget", "declarations"])
def test_enter_in_any_field_saves_the_step(client, draft, step):
    page = client.get(step_url(draft, step)).content.decode()
    form = page.split("data-draft-form", 1)[1]
    first_button = re.search(r"<button[^>]*>", form).group(0)
    assert 'type="submit"' in first_button and 'name="stay"' in first_button
    assert "add_row" not in first_button


def test_the_saved_banner_says_when(client, draft):
    response = client.post(step_url(draft, "general"), {**GENERAL, "stay": "1"}, follow=True)
    assert re.search(r"Draft saved at \d{1,2}:\d{2}", response.content.decode())


def test_a_title_over_300_characters_is_refused_with_its_length_never_cut(client, draft):
    title = ("Neuro-immune dialogue " * 15).strip()  # 329 characters
    response = client.post(step_url(draft, "general"), {**GENERAL, "title": title})
    assert response.status_code == 200
    assert "329" in " ".join(response.context["form"].errors["title"])
    page = response.content.decode()
    assert title in page
    title_input = re.search(r'<input[^>]*id="id_title"[^>]*>', page).group(0)
    assert "maxlength" not in title_input and 'data-max-chars="300"' in title_input
    draft.refresh_from_db()
    assert draft.title != title


def test_the_duration_is_the_instruments_never_typed(client, draft):
    page = client.get(step_url(draft, "general")).content.decode()
    assert "id_duration_months" not in page
    assert "12 months, the duration of every project of this call." in page
