"""A partner team stored with a code of no country (before the partner service checked it, or by
any other path) is named on the checklist, with a link to the partners step, and blocks submission."""

import pytest

from applications import services
from applications.models import PartnerTeam

from .factories import complete_application
from .helpers import page_url

pytestmark = pytest.mark.django_db


def test_a_partner_in_country_xx_is_named_on_the_checklist_and_blocks_the_submission(client, english):
    application = complete_application()
    PartnerTeam.objects.filter(application=application).update(country="XX")
    client.force_login(application.applicant)
    page = client.get(page_url("detail", application.pk)).content.decode()
    assert "Unknown country code: XX. Choose each partner team&#x27;s country from the list." in page
    blockers = page.split('id="submit-blockers"', 1)[1]
    assert f"/en/applications/{application.pk}/edit/partners/" in blockers.split("Unknown country code")[0]
    with pytest.raises(services.SubmissionRefused) as refusal:
        services.submit_application(application, application.applicant)
    assert "Unknown country code: XX. Choose each partner team's country from the list." in refusal.value.reasons
