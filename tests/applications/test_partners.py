"""Partner teams: the partners step asks the rules what "abroad" is, and every change of a team
goes through the partner service, which judges every value whoever calls it."""

from decimal import Decimal

import pytest
from django.utils import translation

from applications import drafting, services
from applications.forms import PartnerFormSetFactory
from applications.services import ApplicationError
from calls import rules

from .factories import complete_application
from .helpers import formset_data, partner_row, step_url

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("country", ["FR", "RE"])
def test_the_partners_step_refuses_teams_only_in_france_in_the_rules_own_words(client, language, country):
    application = complete_application()
    partner = application.partners.get()
    client.force_login(application.applicant)
    rows = [partner_row(country, id=str(partner.pk))]
    response = client.post(step_url(application, "partners", language), formset_data("partners", rows, initial=1))
    assert response.status_code == 200
    with translation.override(language):
        expected = str(rules.check_partner_abroad(rules.ProposalFacts((country,), Decimal("0"))).message)
    assert list(response.context["formset"].non_form_errors()) == [expected]
    partner.refresh_from_db()
    assert partner.country.code == "JP"


# --- The partner service -------------------------------------------------------------------------

TEAM = {
    "institution": "Kyoto University",
    "city": "Kyoto",
    "country": "JP",
    "team_leader": "Dr Tanaka",
    "email": "tanaka@kyoto-u.example",
}


def test_a_partner_in_country_xx_is_refused_by_the_service_with_the_rules_message(english):
    application = complete_application()
    with pytest.raises(drafting.ValuesRefused) as refusal:
        drafting.add_partner(application, application.applicant, **(TEAM | {"country": "XX"}))
    assert refusal.value.error.message_dict == {
        "country": ["Unknown country code: XX. Choose each partner team's country from the list."]
    }
    assert application.partners.count() == 1


def test_the_service_stores_a_partner_with_its_country_code_in_capitals_and_no_surrounding_spaces():
    application = complete_application()
    partner = drafting.add_partner(application, application.applicant, **(TEAM | {"country": "jp", "city": " Kyoto "}))
    partner.refresh_from_db()
    assert (partner.country.code, partner.city) == ("JP", "Kyoto")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("institution", "", "This field cannot be blank."),
        ("institution", "   ", "This field cannot be blank."),
        ("institution", "U" * 251, "Ensure this value has at most 250 characters (it has 251)."),
        ("city", "Kyo\x00to", "Null characters are not allowed."),
        ("email", "not an address", "Enter a valid email address."),
        ("country", "", "This field cannot be blank."),
    ],
)
def test_the_service_judges_every_value_of_a_partner_whoever_calls_it(english, field, value, message):
    application = complete_application()
    with pytest.raises(drafting.ValuesRefused) as refusal:
        drafting.add_partner(application, application.applicant, **(TEAM | {field: value}))
    assert refusal.value.error.message_dict == {field: [message]}
    assert application.partners.count() == 1


def test_an_application_holds_at_most_ten_partner_teams(english):
    application = complete_application()
    for _ in range(drafting.MAX_PARTNERS - 1):
        drafting.add_partner(application, application.applicant, **TEAM)
    with pytest.raises(drafting.ValuesRefused, match="at most 10 partner teams"):
        drafting.add_partner(application, application.applicant, **TEAM)
    assert application.partners.count() == drafting.MAX_PARTNERS


def test_a_partner_is_changed_and_removed_only_with_sound_values_on_the_applicants_draft(researcher, english):
    application = complete_application()
    partner = application.partners.get()
    with pytest.raises(drafting.ValuesRefused):
        drafting.update_partner(partner, application.applicant, country="XX")
    with pytest.raises(ApplicationError, match="can no longer be changed"):
        drafting.update_partner(partner, researcher, city="Osaka")
    with pytest.raises(ApplicationError, match="can no longer be changed"):
        drafting.remove_partner(partner, researcher)
    partner.refresh_from_db()
    assert (partner.country.code, partner.city) == ("JP", "Tokyo")
    assert drafting.update_partner(partner, application.applicant, city="Osaka").city == "Osaka"
    services.submit_application(application, application.applicant)
    with pytest.raises(ApplicationError, match="can no longer be changed"):
        drafting.remove_partner(partner, application.applicant)
    assert application.partners.count() == 1


def test_the_partners_step_saves_through_the_service_which_asks_who_saves(english):
    application = complete_application()
    partner = application.partners.get()
    data = formset_data("partners", [partner_row("DE", id=str(partner.pk))], initial=1)
    anonymous = PartnerFormSetFactory(data, instance=application, prefix="partners")
    assert anonymous.is_valid()
    with pytest.raises(ApplicationError, match="can no longer be changed"):
        anonymous.save()
    partner.refresh_from_db()
    assert partner.country.code == "JP"
    applicant = PartnerFormSetFactory(data, instance=application, prefix="partners", by_user=application.applicant)
    assert applicant.is_valid()
    applicant.save()
    partner.refresh_from_db()
    assert partner.country.code == "DE"
