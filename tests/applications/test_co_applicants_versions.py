"""Concurrent edits never lose data: every save of a draft's content counts a version, a step saved
over a newer version is refused with what changed meanwhile beside what was typed (kept in the
form), and saving again from the page that showed it goes through."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from applications import co_applicants, drafting, services
from applications.co_applicants import link_path
from applications.models import Application, Attachment
from tests.factories import ResearcherFactory

from .factories import ApplicationFactory, BudgetLineFactory, PartnerFactory, ProfileFactory, pdf_bytes
from .helpers import budget_row, formset_data, partner_row, step_url

pytestmark = pytest.mark.django_db


def version_of(application):
    return Application.objects.values_list("version", flat=True).get(pk=application.pk)


@pytest.fixture
def draft():
    application = ApplicationFactory(applicant__first_name="Lea", applicant__last_name="Lead")
    ProfileFactory(user=application.applicant)
    return application


@pytest.fixture
def colleague(draft):
    user = ResearcherFactory(email="colleague@inserm.example", first_name="Carl", last_name="Colleague")
    ProfileFactory(user=user)
    member = co_applicants.invite_co_applicant(draft, draft.applicant, user.email, "co_investigator")
    co_applicants.accept_invitation(link_path(member).split("/")[-2], user)
    return user


def test_every_save_of_content_counts_one_version(draft):
    lead = draft.applicant
    start = version_of(draft)
    drafting.update_draft(draft, lead, title="Another title")
    assert version_of(draft) == start + 1 == draft.version
    partner = drafting.add_partner(draft, lead, **{k: v for k, v in partner_row().items() if k != "id"})
    drafting.update_partner(partner, lead, city="Kyoto")
    drafting.remove_partner(partner, lead)
    assert version_of(draft) == start + 4
    attachment = services.add_attachment(
        draft, SimpleUploadedFile("p.pdf", pdf_bytes(), "application/pdf"), Attachment.Kind.PROJECT, lead
    )
    services.delete_attachment(attachment, lead)
    assert version_of(draft) == start + 6


def general_post(application, version, loaded=None, **values):
    data = {"title": application.title, "abstract": application.abstract, "keywords": application.keywords}
    data.update(values, version=str(version), stay="1")
    if loaded is not None:
        data["loaded"] = loaded
    return data


def hidden(page, name):
    return re.search(rf'name="{name}" value="([^"]*)"', page).group(1)


def test_a_general_step_saved_over_a_newer_version_is_refused_with_the_difference(client, draft, colleague):
    client.force_login(colleague)
    page = client.get(step_url(draft, "general")).content.decode()
    version, loaded = hidden(page, "version"), hidden(page, "loaded")
    # Meanwhile the lead saves another title.
    drafting.update_draft(draft, draft.applicant, title="The lead's title")
    response = client.post(
        step_url(draft, "general"), general_post(draft, version, loaded, title="The colleague's title")
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert "data-conflict" in body and "The lead&#x27;s title" in body and "Lea Lead" in body
    assert 'value="The colleague&#x27;s title"' in body  # what was typed comes back in the form
    assert body.count("data-conflict-field") == 1  # only the title changed meanwhile
    draft.refresh_from_db()
    assert draft.title == "The lead's title"
    # Saving again from that page (which carries the current version) keeps the colleague's title.
    again = general_post(draft, hidden(body, "version"), hidden(body, "loaded"), title="The colleague's title")
    assert client.post(step_url(draft, "general"), again).status_code == 302
    draft.refresh_from_db()
    assert draft.title == "The colleague's title"


def test_a_partners_step_saved_over_a_newer_version_shows_the_saved_rows(client, draft, colleague):
    partner = PartnerFactory(application=draft, institution="Saved University")
    client.force_login(colleague)
    version = version_of(draft)
    drafting.update_partner(partner, draft.applicant, institution="Lead's University")
    data = formset_data("partners", [partner_row(id=partner.pk, institution="Colleague's University")], initial=1)
    data.update(version=str(version), stay="1")
    response = client.post(step_url(draft, "partners"), data)
    assert response.status_code == 409
    body = response.content.decode()
    assert "Lead&#x27;s University" in body and "Colleague&#x27;s University" in body
    partner.refresh_from_db()
    assert partner.institution == "Lead's University"


def test_a_budget_save_counts_a_version_and_a_stale_one_is_refused(client, draft, colleague):
    line = BudgetLineFactory(application=draft)
    client.force_login(draft.applicant)
    version = version_of(draft)
    data = formset_data("budget", [budget_row(id=line.pk, amount="9000.00")], initial=1)
    data.update(version=str(version), stay="1")
    assert client.post(step_url(draft, "budget"), data).status_code == 302
    assert version_of(draft) == version + 1
    data = formset_data("budget", [budget_row(id=line.pk, amount="100.00")], initial=1)
    data.update(version=str(version), stay="1")
    assert client.post(step_url(draft, "budget"), data).status_code == 409
    line.refresh_from_db()
    assert str(line.amount) == "9000.00"


def test_the_autosave_refuses_a_stale_version_and_hands_back_the_new_one(client, draft):
    client.force_login(draft.applicant)
    url = f"/en/applications/{draft.pk}/autosave/"
    version = version_of(draft)
    saved = client.post(url, {"title": "First", "version": str(version)}).json()
    assert saved["saved"] and saved["version"] == version + 1 and saved["loaded"]
    stale = client.post(url, {"title": "Second", "version": str(version)})
    assert stale.status_code == 409 and stale.json()["conflict"]
    draft.refresh_from_db()
    assert draft.title == "First"


def test_a_form_without_version_is_saved_as_before(client, draft):
    client.force_login(draft.applicant)
    data = {"title": "No version", "abstract": draft.abstract, "keywords": draft.keywords, "stay": "1"}
    assert client.post(step_url(draft, "general"), data).status_code == 302
    draft.refresh_from_db()
    assert draft.title == "No version"


def test_a_partners_correction_makes_a_partners_form_filled_before_it_stale(client, draft):
    from django.utils import timezone

    from applications import partners
    from applications.models import PartnerAnswer

    partner = PartnerFactory(application=draft, city="Tokyo", team_leader="Dr Sato", invited_at=timezone.now())
    version = version_of(draft)
    partners.answer_as_partner(partner, PartnerAnswer.CONFIRMED, {"city": "Kyoto"})
    assert version_of(draft) == version + 1
    partners.answer_as_partner(partner, PartnerAnswer.CONFIRMED)  # no correction: no new version
    assert version_of(draft) == version + 1
    client.force_login(draft.applicant)
    data = formset_data("partners", [partner_row(id=partner.pk, city="Tokyo")], initial=1)
    data.update(version=str(version), stay="1")
    response = client.post(step_url(draft, "partners"), data)
    assert response.status_code == 409 and "Dr Sato" in response.content.decode()
    partner.refresh_from_db()
    assert partner.city == "Kyoto"


def test_changes_kept_by_the_autosave_come_back_with_the_version_they_were_typed_on(client, draft, colleague):
    partner = PartnerFactory(application=draft, city="Tokyo")
    client.force_login(colleague)
    version = version_of(draft)
    kept = formset_data("partners", [partner_row(id=partner.pk, city="Osaka")], initial=1)
    kept.update(version=str(version), autosave_step="partners")
    assert client.post(f"/en/applications/{draft.pk}/autosave/", kept).json()["kept"]
    drafting.update_partner(partner, draft.applicant, city="Kyoto")  # the lead, meanwhile
    page = client.get(step_url(draft, "partners")).content.decode()
    assert hidden(page, "version") == str(version) and 'value="Osaka"' in page
    data = formset_data("partners", [partner_row(id=partner.pk, city="Osaka")], initial=1)
    data.update(version=hidden(page, "version"), stay="1")
    assert client.post(step_url(draft, "partners"), data).status_code == 409
    partner.refresh_from_db()
    assert partner.city == "Kyoto"
