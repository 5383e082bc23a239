import pytest
from django.urls import reverse

from applications.models import Grade, ResearcherProfile
from applications.validators import orcid_check_digit, validate_orcid

pytestmark = pytest.mark.django_db

VALID = {
    "unit_code": "U1234",
    "team": "Cardiac imaging",
    "grade": Grade.CRCN,
    "recruited_on": "2023-09-01",
    "atip_avenir_year": "",
    "erc_starting_grant_year": "",
    "orcid": "0000-0002-1825-0097",
}


def test_researcher_saves_a_profile_with_normalised_unit_code_and_orcid_url(client, researcher):
    client.force_login(researcher)
    data = VALID | {"unit_code": "u 1234", "orcid": "https://orcid.org/0000-0002-1694-233x"}
    response = client.post(reverse("applications:profile"), data)
    assert response.status_code == 302
    profile = ResearcherProfile.objects.get(user=researcher)
    assert profile.unit_code == "U1234"
    assert profile.orcid == "0000-0002-1694-233X"


def test_orcid_with_a_wrong_check_digit_is_refused_with_a_message_and_the_form_kept(client, researcher):
    client.force_login(researcher)
    response = client.post("/en/profile/", VALID | {"orcid": "0000-0002-1825-0098"})
    assert response.status_code == 200
    assert "does not match" in response.content.decode()
    assert 'value="Cardiac imaging"' in response.content.decode()
    assert not ResearcherProfile.objects.filter(user=researcher).exists()


def test_orcid_in_a_wrong_shape_is_refused(client, researcher):
    client.force_login(researcher)
    response = client.post("/en/profile/", VALID | {"orcid": "1234"})
    assert response.context["form"].errors["orcid"] == ["Enter an ORCID iD in the form 0000-0002-1825-0097."]


@pytest.mark.parametrize("code", ["1234", "UMR1234", "U", "U12a", "INSERM"])
def test_unit_code_that_is_not_u_and_digits_is_refused_with_a_message(client, researcher, code):
    client.force_login(researcher)
    response = client.post("/en/profile/", VALID | {"unit_code": code})
    assert response.status_code == 200
    assert "the letter U followed by digits" in response.context["form"].errors["unit_code"][0]


def test_unit_code_error_is_in_french_on_the_french_page(client, researcher):
    client.force_login(researcher)
    response = client.post("/fr/profile/", VALID | {"unit_code": "X1"})
    assert response.status_code == 200
    assert response.context["form"].errors["unit_code"]


def test_orcid_check_digit_follows_iso_7064_mod_11_2():
    assert orcid_check_digit("000000021825009") == "7"
    assert orcid_check_digit("000000021694233") == "X"
    validate_orcid("0000-0002-1694-233X")


def test_profile_page_is_not_for_a_reviewer(client, reviewer):
    client.force_login(reviewer)
    assert client.get(reverse("applications:profile")).status_code == 404


def test_profile_page_sends_an_anonymous_visitor_to_log_in(client):
    response = client.get(reverse("applications:profile"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]
