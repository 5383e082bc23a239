"""The register (issue 19): funded projects and PIC agreements feed it, once; the yearly figures
are the source's for 2020 and otherwise computed from the register, saying which; who declared a
cooperation is the only personal datum, exported and forgotten on erasure."""

from datetime import date
from decimal import Decimal

import pytest

from accounts import personal_data
from calls.models import InstitutionalAgreement
from cooperation import demo, register
from cooperation.models import Cooperation, Site, YearlyFigures
from tests.calls.factories import InstitutionalAgreementFactory
from tests.factories import ResearcherFactory, StaffFactory
from tests.projects.factories import funded_project

pytestmark = pytest.mark.django_db


def test_a_funded_project_declares_each_partner_team_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        project = funded_project("TREMPLIN")
    rows = list(Cooperation.objects.filter(project=project))
    partners = list(project.partners.all())
    assert len(rows) == len(partners) >= 1
    row = rows[0]
    assert (row.kind, row.source, row.year) == (
        Cooperation.Kind.JOINT_PROJECT,
        Cooperation.Source.PROJECT,
        project.start_date.year,
    )
    assert row.unit_code == project.lead.researcher_profile.unit_code
    declared = {(r.partner_institution, r.country.code) for r in rows}
    assert declared == {(p.institution, p.country.code) for p in partners}
    register.record_project(project)  # again: nothing more
    assert Cooperation.objects.filter(project=project).count() == len(partners)


def test_a_pic_agreement_in_force_is_in_the_register_and_one_under_negotiation_is_not():
    signed = InstitutionalAgreementFactory(
        partner_institution="University of Tokyo", country="JP", starts_on=date(2019, 3, 1), ends_on=date(2024, 3, 1)
    )
    InstitutionalAgreementFactory(status=InstitutionalAgreement.Status.NEGOTIATION, starts_on=date(2020, 1, 1))
    row = Cooperation.objects.get(agreement=signed)
    assert (row.kind, row.year, row.end_year, row.unit_code) == (Cooperation.Kind.AGREEMENT, 2019, 2024, "INSERM")
    assert Cooperation.objects.filter(kind=Cooperation.Kind.AGREEMENT).count() == 1
    signed.themes_en = "Cancer"
    signed.save()  # saved again: updated, not duplicated
    assert Cooperation.objects.get(agreement=signed).themes == "Cancer"


def test_the_2020_figures_are_the_source_s_and_say_where_they_come_from():
    demo.load()
    demo.load()  # twice: the same rows
    values, source = register.figures(2020)
    assert {name: figure.value for name, figure in values.items()} == {
        "declared_cooperations": 6580,
        "countries": 102,
        "agreements_in_force": 24,
        "international_copublications": 8880,
        "international_share": Decimal("52"),
        "eu_copublications": 5502,
        "eu_share": Decimal("32"),
    }
    assert all(figure.entered for figure in values.values()) and "chiffres 2020" in source
    # Every site of the source page's map (2021), with coordinates.
    assert Site.objects.filter(kind=Site.Kind.JOINT_UNIT).count() == 2
    assert Site.objects.filter(kind=Site.Kind.PRI_CITY).count() == 26
    assert Site.objects.filter(kind=Site.Kind.NETWORK).count() == 8
    assert Site.objects.filter(kind=Site.Kind.ANRS_SITE).count() == 8
    assert set(Site.objects.filter(kind=Site.Kind.OFFICE).values_list("city", flat=True)) == {"Washington", "Bruxelles"}
    irvine = Site.objects.get(city="Irvine")
    assert (irvine.country.code, round(float(irvine.latitude)), round(float(irvine.longitude))) == ("US", 34, -118)


def test_a_year_without_entered_figures_is_computed_from_the_register():
    for country, kind in (("JP", "cohort"), ("JP", "mobility"), ("BR", "cohort")):
        Cooperation.objects.create(
            year=2023, unit_code="U1000", partner_institution="X", city="Y", country=country, kind=kind
        )
    YearlyFigures.objects.create(year=2023, international_copublications=9000, source="Web of Science, 2024")
    values, source = register.figures(2023)
    assert (values["declared_cooperations"].value, values["declared_cooperations"].entered) == (3, False)
    assert (values["countries"].value, values["countries"].entered) == (2, False)
    assert (values["international_copublications"].value, values["international_copublications"].entered) == (
        9000,
        True,
    )
    assert values["eu_copublications"].value is None and source == "Web of Science, 2024"


def test_who_declared_a_cooperation_is_exported_then_forgotten_and_the_row_kept_for_the_unit():
    researcher = ResearcherFactory()
    Cooperation.objects.create(
        year=2024,
        unit_code="U1234",
        partner_institution="Karolinska Institutet",
        city="Stockholm",
        country="SE",
        kind="cohort",
        declared_by=researcher,
    )
    exported = personal_data.export(researcher)["cooperation"]["declared_cooperations"]
    assert [row["partner_institution"] for row in exported] == ["Karolinska Institutet"]
    request = personal_data.request_erasure(researcher)
    personal_data.erase(request, StaffFactory())
    row = Cooperation.objects.get()
    assert row.declared_by is None and row.unit_code == "U1234"
