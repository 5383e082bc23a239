"""Drafts: saved step by step and by autosave; errors come back filled in; an expired session
keeps what the researcher typed."""

import pytest
from django.urls import reverse

from applications.models import Application, BudgetLine, PartnerTeam
from calls.models import Instrument
from tests.calls.factories import PriorityThemeFactory
from tests.factories import PASSWORD, CallFactory, InstrumentFactory

from .factories import ApplicationFactory, ProfileFactory
from .helpers import GENERAL, budget_row, formset_data, partner_row, step_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(client):
    application = ApplicationFactory(applicant=ProfileFactory().user, title="", abstract="", keywords="")
    client.force_login(application.applicant)
    return application


def test_each_step_saves_the_draft_and_goes_to_the_next(client, draft):
    response = client.post(step_url(draft, "general"), GENERAL)
    assert response["Location"].endswith(f"/applications/{draft.pk}/edit/partners/")
    draft.refresh_from_db()
    assert draft.title == GENERAL["title"] and draft.keywords == "ageing, neuro-immunology"


def test_abstract_over_the_word_limit_comes_back_filled_in_with_the_error_beside_it(client, draft):
    long_abstract = "word " * 301
    response = client.post(step_url(draft, "general"), GENERAL | {"abstract": long_abstract})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["abstract"] == ["The abstract has 301 words: at most 300 are allowed."]
    body = response.content.decode()
    assert GENERAL["title"] in body  # the other fields are kept
    assert 'id="error_1_id_abstract"' in body  # crispy ties the error to the field
    draft.refresh_from_db()
    assert draft.title == ""


def test_invalid_partner_rows_come_back_with_errors_beside_the_fields(client, draft):
    rows = [partner_row("JP", email="not-an-email"), partner_row("DE", institution="")]
    response = client.post(step_url(draft, "partners"), formset_data("partners", rows))
    assert response.status_code == 200
    formset = response.context["formset"]
    assert "email" in formset.forms[0].errors and "institution" in formset.forms[1].errors
    assert "not-an-email" in response.content.decode()
    assert not PartnerTeam.objects.exists()


def test_partner_rows_are_added_and_removed(client, draft):
    client.post(step_url(draft, "partners"), formset_data("partners", [partner_row("JP"), partner_row("BR")]))
    assert sorted(p.country.code for p in draft.partners.all()) == ["BR", "JP"]
    japan, brazil = draft.partners.order_by("country")[1], draft.partners.order_by("country")[0]
    rows = [partner_row("JP", id=str(japan.pk)), partner_row("BR", id=str(brazil.pk), DELETE="on")]
    client.post(step_url(draft, "partners"), formset_data("partners", rows, initial=2))
    assert [p.country.code for p in draft.partners.all()] == ["JP"]


def test_add_row_without_javascript_saves_and_shows_one_more_row(client, draft):
    data = formset_data("partners", [partner_row("JP")]) | {"add_row": "1"}
    response = client.post(step_url(draft, "partners"), data)
    assert response["Location"].endswith("?add=1")
    response = client.get(response["Location"])
    assert len(response.context["formset"].forms) == 2


def test_budget_totals_are_computed_on_the_server(client, draft):
    rows = [
        budget_row("1200.50", category="travel"),
        budget_row("300", category="consumables"),
    ]
    client.post(step_url(draft, "budget"), formset_data("budget", rows))
    response = client.get(step_url(draft, "budget"))
    assert response.context["budget"]["total"] == BudgetLine.objects.get(category="travel").amount + 300
    assert "1,500.50" in response.content.decode()


@pytest.mark.parametrize("amount", ["-1", "abc"])
def test_negative_or_non_numeric_amounts_are_refused(client, draft, amount):
    response = client.post(step_url(draft, "budget"), formset_data("budget", [budget_row(amount)]))
    assert response.status_code == 200
    assert "amount" in response.context["formset"].forms[0].errors


def test_the_same_year_and_category_twice_is_refused(client, draft):
    rows = [budget_row("100"), budget_row("200")]
    response = client.post(step_url(draft, "budget"), formset_data("budget", rows))
    assert response.status_code == 200
    assert "add the amounts together" in response.content.decode()


def test_budget_years_go_up_to_the_projects_duration(client, draft):
    response = client.post(step_url(draft, "budget"), formset_data("budget", [budget_row("100", year="2")]))
    assert response.status_code == 200  # a 12-month project has one year
    assert "year" in response.context["formset"].forms[0].errors


def test_checklist_is_on_every_step(client, draft):
    for step in ("general", "partners", "budget", "declarations", "attachments"):
        response = client.get(step_url(draft, step))
        assert response.status_code == 200
        assert "Eligibility checklist" in response.content.decode()
        assert response.context["findings"]


def test_pct_theme_is_chosen_among_the_calls_priority_themes(client):
    ageing = PriorityThemeFactory(code="ageing", name_en="Ageing", name_fr="Vieillissement")
    call = CallFactory(instrument=InstrumentFactory(code=Instrument.Code.PCT), priority_themes=[ageing])
    application = ApplicationFactory(call=call, applicant=ProfileFactory().user)
    client.force_login(application.applicant)
    response = client.get(step_url(application, "general"))
    assert response.context["form"].fields["theme"].choices[1] == ("ageing", "Ageing")
    response = client.post(step_url(application, "general"), GENERAL | {"theme": "climate"})
    assert "theme" in response.context["form"].errors
    client.post(step_url(application, "general"), GENERAL | {"theme": "ageing"})
    application.refresh_from_db()
    assert application.theme == "ageing"
    assert client.get(step_url(application, "declarations")).status_code == 404  # Tremplin only


def test_autosave_saves_the_fields_it_is_sent(client, draft):
    url = reverse("applications:autosave", args=[draft.pk])
    response = client.post(url, {"title": "Saved while typing", "abstract": "Short."})
    assert response.status_code == 200 and response.json()["saved"] is True
    draft.refresh_from_db()
    assert draft.title == "Saved while typing" and draft.abstract == "Short."


def test_autosave_reports_an_invalid_value_and_saves_nothing(client, draft):
    url = reverse("applications:autosave", args=[draft.pk])
    response = client.post(url, {"title": "Kept?", "abstract": "w " * 400})
    assert response.status_code == 400
    assert "abstract" in response.json()["errors"]
    draft.refresh_from_db()
    assert draft.title == ""


def test_autosave_is_csrf_protected(draft):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(draft.applicant)
    response = client.post(reverse("applications:autosave", args=[draft.pk]), {"title": "x"})
    assert response.status_code == 403


def test_an_expired_session_keeps_what_was_typed_until_the_researcher_logs_in_again(client, draft):
    client.logout()  # the session expired while the researcher was typing
    response = client.post(step_url(draft, "general"), GENERAL)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]
    draft.refresh_from_db()
    assert draft.title == ""  # nothing saved by an anonymous request

    response = client.post(response["Location"], {"username": draft.applicant.email, "password": PASSWORD})
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert response.status_code == 200
    assert response.context["form"]["title"].value() == GENERAL["title"]
    assert "Your unsaved changes are back" in response.content.decode()

    client.post(step_url(draft, "general"), GENERAL)
    draft.refresh_from_db()
    assert draft.title == GENERAL["title"]


def test_kept_changes_are_not_given_to_someone_else_who_logs_in(client, draft):
    client.logout()
    client.post(step_url(draft, "general"), GENERAL)
    intruder = ProfileFactory().user
    client.post(reverse("login"), {"username": intruder.email, "password": PASSWORD})
    assert client.get(step_url(draft, "general")).status_code == 404
    assert Application.objects.get(pk=draft.pk).title == ""
