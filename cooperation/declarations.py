"""A unit's own declarations: its researchers declare, change and delete their unit's cooperations.

A researcher's unit is the one of their profile (applications.ResearcherProfile.unit_code): they
see and change that unit's rows only. A row declared by the unit or imported by staff may be
changed; a row fed by a funded project or a PIC agreement is read-only (its source says what it
is; changing it here would be undone by the next change of the project or agreement). The row's
rules are the register's (validation.judge_cooperation), as for the staff import.
"""

from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils.translation import gettext as _

from accounts import audit

from . import validation
from .actions import CooperationAction
from .models import Cooperation

#: The fields a unit fills (its unit is its researcher's).
FIELDS = ("year", "partner_institution", "city", "country", "kind", "themes", "start_year", "end_year")
EDITABLE_SOURCES = (Cooperation.Source.DECLARED, Cooperation.Source.IMPORTED)


class DeclarationError(Exception):
    """The declaration is refused; `errors` maps a field (None: the whole row) to its reasons."""

    def __init__(self, errors):
        super().__init__("; ".join(str(reason) for reasons in errors.values() for reason in reasons))
        self.errors = errors


def unit_of(user):
    """The unit code of the researcher's profile, or '' when they have no profile yet."""
    profile = getattr(user, "researcher_profile", None) if user.is_authenticated else None
    return profile.unit_code if profile is not None else ""


def unit_rows(unit_code):
    """The unit's cooperations for its page, newest year first, with what feeds the read-only ones."""
    return (
        Cooperation.objects.filter(unit_code=unit_code)
        .select_related("project", "agreement")
        .order_by("-year", "partner_institution", "country", "kind", "pk")
    )


def read_only_reason(row):
    """Why a unit cannot change this row, in words; None when it can."""
    if row.source == Cooperation.Source.PROJECT:
        project = row.project.reference if row.project_id else ""
        return _("Fed by the funded project %(project)s: it changes with the project.") % {"project": project}
    if row.source == Cooperation.Source.AGREEMENT:
        agreement = row.agreement.partner_institution if row.agreement_id else ""
        return _("Fed by the PIC agreement with %(partner)s: it changes with the agreement.") % {"partner": agreement}
    return None


def row_for(user, pk, editable=False):
    """The row `pk` of the user's unit (404 for any other: nothing tells that it exists); with
    `editable`, a read-only row is refused with its reason."""
    unit = unit_of(user)
    row = unit_rows(unit).filter(pk=pk).first() if unit else None
    if row is None:
        raise Http404
    if editable:
        reason = read_only_reason(row)
        if reason:
            raise DeclarationError({None: [reason]})
    return row


def _judge(user, data, row=None):
    unit = unit_of(user)
    if not unit:
        raise DeclarationError({None: [_("Fill in your researcher profile (your unit's code) first.")]})
    judged = validation.judge_cooperation({name: data.get(name) for name in FIELDS}, unit_code=unit)
    if judged.reasons:
        raise DeclarationError(judged.by_field)
    values = judged.values
    twins = Cooperation.objects.filter(**{name: values[name] for name in validation.COOPERATION_KEY})
    if row is not None:
        twins = twins.exclude(pk=row.pk)
    if twins.exists():
        raise DeclarationError({None: [_duplicate(values)]})
    return values


def _duplicate(values):
    return _(
        "Your unit already declared this cooperation for %(year)s (same partner, city, country and type): "
        "change that one instead."
    ) % {"year": values["year"]}


def _save(row, values):
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError as error:  # declared meanwhile by a colleague of the same unit
        raise DeclarationError({None: [_duplicate(values)]}) from error


@transaction.atomic
def declare(user, data):
    """A new cooperation of the user's unit (source: declared by the unit)."""
    values = _judge(user, data)
    row = Cooperation(**values, source=Cooperation.Source.DECLARED, declared_by=user)
    _save(row, values)
    audit.record(user, CooperationAction.DECLARED, row, year=row.year, country=row.country.code, kind=row.kind)
    return row


@transaction.atomic
def change(user, row, data):
    """Change a row of the user's unit (declared or imported; its source stays)."""
    row = row_for(user, row.pk, editable=True)
    values = _judge(user, data, row)
    before = {name: getattr(row, name) for name in FIELDS}
    before["country"] = row.country.code
    for name, value in values.items():
        setattr(row, name, value)
    _save(row, values)
    changes = {name: {"from": before[name], "to": values[name]} for name in FIELDS if before[name] != values[name]}
    audit.record(user, CooperationAction.CHANGED, row, **changes)
    return row


@transaction.atomic
def delete(user, row):
    """Delete a row of the user's unit (declared or imported)."""
    row = row_for(user, row.pk, editable=True)
    audit.record(user, CooperationAction.DELETED, row, year=row.year, country=row.country.code, kind=row.kind)
    row.delete()
