"""A unit's own declarations (issue 19): its researchers see, declare, change and delete their
unit's cooperations, never another unit's; rows fed by a project or an agreement are read-only."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import AuditEvent
from cooperation import declarations
from cooperation.models import Cooperation
from tests.applications.factories import ProfileFactory
from tests.factories import ResearcherFactory, ReviewerFactory
from tests.projects.factories import funded_project

pytestmark = pytest.mark.django_db


def url(name, *args, language="en"):
    with translation.override(language):
        return reverse(f"cooperation:{name}", args=args)


def row(unit, **fields):
    values = {
        "year": 2020,
        "unit_code": unit,
        "partner_institution": "Charité",
        "city": "Berlin",
        "country": "DE",
        "kind": Cooperation.Kind.MOBILITY,
        **fields,
    }
    return Cooperation.objects.create(**values)


FORM = {
    "year": "2021",
    "partner_institution": "Karolinska Institutet",
    "city": "Stockholm",
    "country": "SE",
    "kind": "joint_project",
    "themes": "ageing",
    "start_year": "2020",
    "end_year": "2024",
}


@pytest.fixture
def member(client):
    profile = ProfileFactory(unit_code="U1234")
    client.force_login(profile.user)
    return profile.user


def test_the_list_shows_the_units_rows_by_year_and_no_other_units(client, member):
    row("U1234", year=2019, partner_institution="Fiocruz", city="Rio", country="BR")
    row("U1234", year=2021, partner_institution="NIH", city="Bethesda", country="US")
    row("U9999", partner_institution="Someone else's partner")
    page = client.get(url("declarations")).content.decode()
    assert "Fiocruz" in page and "NIH" in page
    assert "Someone else&#x27;s partner" not in page and "Someone else's partner" not in page
    assert page.index('id="year-2021"') < page.index('id="year-2019"')
    assert 'class="table table-sm align-middle table-stack"' in page and 'data-label="Country"' in page


def test_a_researcher_without_a_profile_is_asked_to_fill_it_in(client):
    client.force_login(ResearcherFactory())
    response = client.get(url("declarations"))
    assert response.status_code == 200
    assert "fill in your profile" in response.content.decode()
    with translation.override("en"):
        assert reverse("applications:profile") in response.content.decode()
    assert client.get(url("declaration_new")).status_code == 302


def test_a_researcher_declares_a_cooperation_of_their_unit(client, member):
    response = client.post(url("declaration_new"), FORM)
    assert response.status_code == 302
    declared = Cooperation.objects.get()
    assert (declared.unit_code, declared.year, declared.country.code, declared.kind) == (
        "U1234",
        2021,
        "SE",
        "joint_project",
    )
    assert (declared.source, declared.declared_by, declared.end_year) == (Cooperation.Source.DECLARED, member, 2024)
    assert AuditEvent.objects.filter(action="cooperation.declared", actor=member).exists()
    assert "Karolinska Institutet" in client.get(url("declarations")).content.decode()


def test_an_error_keeps_what_was_typed_and_says_what_is_wrong(client, member):
    future = timezone.localdate().year + 1
    response = client.post(url("declaration_new"), {**FORM, "year": str(future), "end_year": "2010", "city": ""})
    assert response.status_code == 200
    page = response.content.decode()
    assert f"Year {future} is in the future" in page
    assert "City: this field is required." in page
    assert "A cooperation cannot end before it starts" in page
    assert 'value="Karolinska Institutet"' in page and 'value="2010"' in page
    assert Cooperation.objects.count() == 0


def test_a_duplicate_is_refused_on_the_page_not_with_an_error_500(client, member):
    row(
        "U1234",
        year=2021,
        partner_institution="Karolinska Institutet",
        city="Stockholm",
        country="SE",
        kind="joint_project",
    )
    response = client.post(url("declaration_new"), FORM)
    assert response.status_code == 200
    assert "Your unit already declared this cooperation for 2021" in response.content.decode()
    assert Cooperation.objects.count() == 1


def test_a_researcher_changes_and_deletes_their_units_rows(client, member):
    mine = row("U1234", source=Cooperation.Source.IMPORTED)
    form = client.get(url("declaration_edit", mine.pk))
    assert 'value="Charité"' in form.content.decode()
    response = client.post(url("declaration_edit", mine.pk), {**FORM, "partner_institution": "Charité Berlin"})
    assert response.status_code == 302
    mine.refresh_from_db()
    assert (mine.partner_institution, mine.year, mine.source) == ("Charité Berlin", 2021, Cooperation.Source.IMPORTED)
    event = AuditEvent.objects.get(action="cooperation.changed")
    assert event.changes["partner_institution"] == {"from": "Charité", "to": "Charité Berlin"}
    assert client.get(url("declaration_delete", mine.pk)).status_code == 200
    assert client.post(url("declaration_delete", mine.pk)).status_code == 302
    assert not Cooperation.objects.exists()


def test_another_units_row_is_not_found(client, member):
    theirs = row("U9999")
    for name in ("declaration_edit", "declaration_delete"):
        assert client.get(url(name, theirs.pk)).status_code == 404
        assert client.post(url(name, theirs.pk), FORM).status_code == 404
    theirs.refresh_from_db()
    assert theirs.partner_institution == "Charité"


def test_a_reviewer_or_an_anonymous_visitor_has_no_declarations_page(client):
    assert client.get(url("declarations")).status_code == 302
    client.force_login(ReviewerFactory())
    assert client.get(url("declarations")).status_code == 404


def test_a_row_fed_by_a_funded_project_is_read_only_and_says_why(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        project = funded_project("TREMPLIN")
    client.force_login(project.lead)
    fed = Cooperation.objects.filter(project=project).first()
    page = client.get(url("declarations")).content.decode()
    assert f"Fed by the funded project {project.reference}" in page
    assert url("declaration_edit", fed.pk) not in page
    response = client.post(url("declaration_edit", fed.pk), FORM)
    assert response.status_code == 403
    assert f"Fed by the funded project {project.reference}" in response.content.decode()
    assert client.post(url("declaration_delete", fed.pk)).status_code == 403
    assert Cooperation.objects.filter(pk=fed.pk, source=Cooperation.Source.PROJECT).exists()


def test_the_service_judges_what_it_is_given(member, english):
    with pytest.raises(declarations.DeclarationError) as refused:
        declarations.declare(member, {**FORM, "country": "Atlantis", "kind": "telepathy", "year": "soon"})
    errors = refused.value.errors
    assert set(errors) == {"country", "kind", "year"}
    assert declarations.declare(member, {**FORM, "country": "Suède"}).country.code == "SE"


def test_the_list_costs_the_same_queries_with_1_and_50_rows(client, member):
    def queries():
        client.get(url("declarations"))
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url("declarations"))
        assert response.status_code == 200
        return len(captured.captured_queries), response

    row("U1234")
    one, first = queries()
    for index in range(49):
        row("U1234", year=2000 + index % 20, partner_institution=f"Institute {index}")
    fifty, last = queries()
    assert last.content.decode().count('data-label="Partner institution"') == 50
    assert one == fifty


def test_a_researcher_reaches_their_units_cooperations_from_the_menu(client, member):
    page = client.get(url("declarations")).content.decode()
    assert f'href="{url("declarations")}">My unit\'s cooperations</a>' in page
