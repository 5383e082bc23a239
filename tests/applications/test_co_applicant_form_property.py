"""The invitation form (hypothesis): whatever the lead types, either the page shows a clear error
with nothing saved (no co-applicant, no e-mail), or exactly one invitation is saved, to the address
typed, with the role chosen, and one e-mail is queued."""

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from applications.models import CoApplicant
from notifications.models import Notification

from .factories import ApplicationFactory
from .helpers import page_url

pytestmark = pytest.mark.django_db

examples = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)
email = st.one_of(
    st.sampled_from(["colleague@inserm.example", " Colleague@Inserm.example ", "not an address", "", "a\x00b@x.fr"]),
    st.emails(),
    st.text(max_size=40),
    st.builds(lambda local: f"{local}@inserm.example", st.text(min_size=1, max_size=300)),
)
role = st.one_of(st.sampled_from(["co_investigator", "administrative", "", "lead"]), st.text(max_size=12))


@pytest.fixture
def draft(db):
    return ApplicationFactory()


@examples
@given(email=email, role=role)
def test_the_invitation_form_saves_one_invitation_or_nothing(client, draft, email, role):
    client.force_login(draft.applicant)
    with transaction.atomic():
        response = client.post(page_url("co_applicant_invite", draft.pk), {"email": email, "role": role})
        members = list(CoApplicant.objects.filter(application=draft).values("email", "role"))
        mails = Notification.objects.filter(kind="co_applicant.invitation").count()
        transaction.set_rollback(True)
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert len(members) == 1 and mails == 1
        assert members[0]["email"] == email.strip().lower() and members[0]["role"] == role
    else:
        assert members == [] and mails == 0
        body = response.content.decode()
        assert "invalid-feedback" in body or "alert" in body
