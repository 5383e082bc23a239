"""Partner teams: the partners step asks the rules what "abroad" is, and every change of a team
goes through the partner service, which judges every value whoever calls it."""

from decimal import Decimal

import pytest
from django.utils import translation

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
