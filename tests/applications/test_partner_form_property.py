"""The partner's form (hypothesis): whatever is typed, the page never fails, and the team is
either saved with every value as typed or left as it was."""

import pytest
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from applications.models import PartnerAnswer, PartnerTeam
from applications.partner_links import make_link

from .factories import ApplicationFactory, PartnerFactory

pytestmark = pytest.mark.django_db

examples = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)
text = st.one_of(
    st.text(max_size=80),
    st.sampled_from(["", "   ", "\x00", "a\x00b", "<script>alert(1)</script>", "𝕏" * 40, "Kyoto University"]),
    st.builds(lambda chunk, times: chunk * times, st.text(min_size=1, max_size=3), st.integers(100, 600)),
)
country = st.one_of(st.sampled_from(["JP", "jp", "FR", "RE", "XX", "", "BR"]), st.text(max_size=4))
answer = st.one_of(st.sampled_from(["confirmed", "declined", "", "waiting"]), st.text(max_size=10))
email = st.one_of(st.sampled_from(["lee@nus.example", "not an address", ""]), st.emails(), st.text(max_size=30))

FIELDS = ("institution", "city", "country", "email")


@pytest.fixture
def partner(db):
    return PartnerFactory(application=ApplicationFactory())


@examples
@given(answer=answer, institution=text, city=text, country=country, email=email)
def test_the_partner_form_saves_all_it_accepts_or_nothing(client, partner, answer, institution, city, country, email):
    before = PartnerTeam.objects.values(*FIELDS, "answer").get(pk=partner.pk)
    url = reverse("applications:partner_answer", args=[make_link(partner)])
    data = {"answer": answer, "institution": institution, "city": city, "country": country, "email": email}
    with transaction.atomic():
        response = client.post(url, data)
        after = PartnerTeam.objects.values(*FIELDS, "answer").get(pk=partner.pk)
        transaction.set_rollback(True)
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert after["answer"] in (PartnerAnswer.CONFIRMED, PartnerAnswer.DECLINED)
        assert after["institution"] == institution.strip() and after["city"] == city.strip()
        assert after["country"] == country.strip().upper()
    else:
        assert after == before
