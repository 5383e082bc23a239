"""Two co-applicants save the same step at the same instant, on PostgreSQL with real threads and
transactions: exactly one wins, the other is refused with the conflict, and nothing either typed
is lost (the winner's values are saved, the loser's are in the page they get back)."""

import pytest
from django.test import Client

from applications import co_applicants
from applications.co_applicants import link_path
from applications.models import Application
from tests.factories import ResearcherFactory
from tests.security.test_concurrency import race

from .factories import ApplicationFactory, PartnerFactory, ProfileFactory
from .helpers import formset_data, partner_row, step_url

pytestmark = pytest.mark.django_db(transaction=True)


def co_applicant(draft, email):
    user = ResearcherFactory(email=email)
    ProfileFactory(user=user)
    member = co_applicants.invite_co_applicant(draft, draft.applicant, email, "co_investigator")
    co_applicants.accept_invitation(link_path(member).split("/")[-2], user)
    client = Client()
    client.force_login(user)
    return client


def test_two_co_applicants_saving_the_general_step_at_once_one_wins_nothing_lost():
    draft = ApplicationFactory()
    ProfileFactory(user=draft.applicant)
    first, second = co_applicant(draft, "first@inserm.example"), co_applicant(draft, "second@inserm.example")
    version = Application.objects.get(pk=draft.pk).version

    def save(client, title):
        data = {"title": title, "abstract": draft.abstract, "keywords": draft.keywords}
        data.update(version=str(version), stay="1")
        return client.post(step_url(draft, "general"), data)

    results = race(lambda: save(first, "Title of the first"), lambda: save(second, "Title of the second"))
    assert sorted(r.status_code for r in results) == [302, 409], results
    winner, loser = (0, 1) if results[0].status_code == 302 else (1, 0)
    titles = ["Title of the first", "Title of the second"]
    saved = Application.objects.get(pk=draft.pk)
    assert saved.title == titles[winner] and saved.version == version + 1
    body = results[loser].content.decode()
    assert f'value="{titles[loser]}"' in body and "data-conflict" in body and titles[winner] in body


def test_two_co_applicants_saving_the_partners_step_at_once_one_wins():
    draft = ApplicationFactory()
    ProfileFactory(user=draft.applicant)
    partner = PartnerFactory(application=draft)
    first, second = co_applicant(draft, "first@inserm.example"), co_applicant(draft, "second@inserm.example")
    version = Application.objects.get(pk=draft.pk).version

    def save(client, city):
        data = formset_data("partners", [partner_row(id=partner.pk, city=city)], initial=1)
        data.update(version=str(version), stay="1")
        return client.post(step_url(draft, "partners"), data)

    results = race(lambda: save(first, "Kyoto"), lambda: save(second, "Osaka"))
    assert sorted(r.status_code for r in results) == [302, 409], results
    winner, loser = (0, 1) if results[0].status_code == 302 else (1, 0)
    cities = ["Kyoto", "Osaka"]
    partner.refresh_from_db()
    assert partner.city == cities[winner]
    assert f'value="{cities[loser]}"' in results[loser].content.decode()
