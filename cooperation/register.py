"""The register's services: what feeds it (funded projects, PIC agreements) and the yearly figures,
each entered by staff or computed from the register, with where it comes from."""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import Cooperation, YearlyFigures

#: The unit code of cooperations signed by the institute itself (PIC agreements).
INSTITUTE_UNIT = "INSERM"


def _lead_unit(project):
    profile = getattr(project.lead, "researcher_profile", None)
    return (profile.unit_code if profile is not None else "") or INSTITUTE_UNIT


@transaction.atomic
def record_project(project):
    """Each partner team of a funded project is a joint project of its lead's unit, in the year the
    project starts (again: nothing duplicated; a partner gone is left as it was declared)."""
    rows = []
    for partner in project.partners.all():
        row, _created = Cooperation.objects.update_or_create(
            unit_code=_lead_unit(project),
            year=project.start_date.year,
            partner_institution=partner.institution,
            city=partner.city,
            country=partner.country,
            kind=Cooperation.Kind.JOINT_PROJECT,
            defaults={
                "project": project,
                "source": Cooperation.Source.PROJECT,
                "start_year": project.start_date.year,
                "end_year": project.end_date.year,
                "themes": project.application.theme if project.application_id else "",
            },
        )
        rows.append(row)
    return rows


@transaction.atomic
def record_agreement(agreement):
    """A PIC agreement in force is an agreement of the institute, in the year it starts."""
    if agreement.status != agreement.Status.ACTIVE or agreement.starts_on is None:
        return None
    row, _created = Cooperation.objects.update_or_create(
        unit_code=INSTITUTE_UNIT,
        year=agreement.starts_on.year,
        partner_institution=agreement.partner_institution,
        city="",
        country=agreement.country,
        kind=Cooperation.Kind.AGREEMENT,
        defaults={
            "agreement": agreement,
            "source": Cooperation.Source.AGREEMENT,
            "start_year": agreement.starts_on.year,
            "end_year": agreement.ends_on.year if agreement.ends_on else None,
            "themes": agreement.themes_en,
        },
    )
    return row


@dataclass(frozen=True)
class Figure:
    """One figure of a year: its value (None: unknown) and whether staff entered it."""

    value: object
    entered: bool


ENTERED = _("entered by staff")
COMPUTED = _("computed from the register")


def running_in(year):
    """The cooperations running in `year`: declared that year, or started by then and not ended."""
    return Cooperation.objects.filter(
        Q(year=year)
        | (Q(start_year__lte=year) & (Q(end_year__isnull=True) | Q(end_year__gte=year)) & Q(year__lte=year))
    )


def figures(year):
    """The year's figures: {name: Figure}; an entered figure wins over the register's."""
    from calls.models import InstitutionalAgreement

    entered = YearlyFigures.objects.filter(year=year).first()
    declared = Cooperation.objects.filter(year=year)
    computed = {
        "declared_cooperations": declared.count(),
        "countries": declared.values("country").distinct().count(),
        "agreements_in_force": InstitutionalAgreement.objects.filter(
            Q(starts_on__year__lte=year) | Q(starts_on__isnull=True),
            Q(ends_on__isnull=True) | Q(ends_on__year__gte=year),
        )
        .exclude(status=InstitutionalAgreement.Status.NEGOTIATION)
        .count(),
    }
    result = {}
    for name in (
        "declared_cooperations",
        "countries",
        "agreements_in_force",
        "international_copublications",
        "international_share",
        "eu_copublications",
        "eu_share",
    ):
        value = getattr(entered, name, None) if entered is not None else None
        if value is not None:
            result[name] = Figure(value, True)
        else:
            result[name] = Figure(computed.get(name), False)
    return result, (entered.source if entered is not None else "")
