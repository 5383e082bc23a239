"""The demo (issue 17's "done when"): the demo researcher's PRI draft has one confirmed and one
waiting partner team; the waiting one's invitation carries a link that works, and once it confirms
the checklist lets the draft be submitted."""

import pytest
from django.core.management import call_command

from applications import completeness, services
from applications.demo import DEMO_PRI_TITLE
from applications.models import Application, PartnerAnswer
from notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_the_demo_pri_draft_turns_green_when_its_second_partner_confirms_by_its_link(client):
    call_command("load_demo", verbosity=0)
    draft = Application.objects.get(title=DEMO_PRI_TITLE, applicant__email="researcher@demo.inserm.fr")
    assert draft.call.partners_must_confirm
    confirmed, waiting = draft.partners.order_by("pk")
    assert (confirmed.answer, waiting.answer) == (PartnerAnswer.CONFIRMED, PartnerAnswer.WAITING)
    findings = {f.code: f for f in services.eligibility(draft)}
    assert not findings["partners.confirmed"].passed
    assert [f.code for f in findings.values() if not f.passed] == ["partners.confirmed"]
    assert all(step.done for step in completeness.completeness(draft))

    invitation = Notification.objects.get(kind="partner.invitation", to_email=waiting.email)
    url = f"/{invitation.language}{invitation.context['url_path']}"
    assert client.get(url).status_code == 200
    data = {"answer": "confirmed", "institution": waiting.institution, "city": waiting.city}
    response = client.post(url, data | {"country": waiting.country.code, "email": waiting.email})
    assert response.status_code == 302
    draft = Application.objects.get(pk=draft.pk)
    assert all(f.passed for f in services.eligibility(draft))
