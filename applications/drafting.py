"""What a researcher changes in their draft, one function each: the general information and the
declarations (update_draft), the partner teams (add_partner, update_partner, remove_partner; a
team added, or given another address, is e-mailed its link to confirm: partners.invite_partner).

Each judges every value itself, whoever calls it (a step of the form, the autosave, a command, a
demo loader): the model's own validators (required fields, every text's cap, no NUL character,
the e-mail, the abstract's words) and the rules' check of a partner's country (a code of
ISO 3166-1). Each writes under the application's row lock, on the applicant's own draft only.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from calls import rules

from . import concurrency, partners
from .models import Application, PartnerTeam
from .partner_links import taking_answers
from .services import ApplicationError, check_editable

# What the general and declarations steps (and the autosave) change.
DRAFT_FIELDS = ("title", "abstract", "keywords", "theme", "vocabulary_terms", "collaboration_is_new")
PARTNER_FIELDS = ("institution", "city", "country", "team_leader", "email", "language")
# The partners step shows at most this many rows; no call asks for more (PCT: 4 to 5).
MAX_PARTNERS = 10


class ValuesRefused(ApplicationError):
    """Values the portal refuses; `error` keeps the ValidationError (by field, with its codes) so
    that a form can show each message beside its field."""

    def __init__(self, error):
        self.error = error
        super().__init__(*error.messages)


def _values(values, allowed):
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        raise TypeError(f"not fields this function changes: {', '.join(unknown)}")
    # Spaces around a text are not part of it (the forms strip them too).
    return {name: value.strip() if isinstance(value, str) else value for name, value in values.items()}


def _locked_draft(application, by_user, *steps):
    """The application, locked, once `by_user` may change each of `steps` (the steps the change
    touches: while staff asked for more information, only the sections they named are open)."""
    locked = Application.objects.select_for_update().select_related("call__instrument").get(pk=application.pk)
    check_editable(locked, by_user)
    for step in steps:
        check_editable(locked, by_user, step)
    return locked


def _steps_of(values):
    """The steps the fields of update_draft belong to (the declaration is a step of its own)."""
    return sorted({"declarations" if name == "collaboration_is_new" else "general" for name in values})


def _judge(instance, fields, extra_errors=None):
    """Raise ValuesRefused unless the model's validators accept `fields` of `instance`."""
    errors = dict(extra_errors or {})
    exclude = [f.name for f in type(instance)._meta.concrete_fields if f.name not in fields or f.name in errors]
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValuesRefused(ValidationError(errors))


def update_draft(application, by_user, **values):
    """Change the general information or the declarations of a draft (DRAFT_FIELDS), all or
    nothing. Returns the application as saved; `application` follows."""
    values = _values(values, DRAFT_FIELDS)
    with transaction.atomic():
        locked = _locked_draft(application, by_user, *_steps_of(values))
        for name, value in values.items():
            setattr(locked, name, value)
        _judge(locked, values)
        locked.save(update_fields=[*values, "updated_at"])
        application.version = concurrency.bump(locked, by_user, _steps_of(values)[0] if values else "general")
    for name in values:
        setattr(application, name, getattr(locked, name))
    return locked


def _country_errors(partner):
    """The rules' word on the partner's country (a code of ISO 3166-1); a blank one is the
    model's to refuse ("this field is required")."""
    code = partner.country.code if partner.country else ""
    if not code:
        return {}
    facts = rules.ProposalFacts(partner_countries=(code,), amount=Decimal("0"))
    finding = rules.check_partner_countries(facts)
    return {"country": [str(finding.message)]} if finding is not None and not finding.passed else {}


def _partner_values(values):
    values = _values(values, PARTNER_FIELDS)
    if isinstance(values.get("country"), str):
        values["country"] = values["country"].upper()
    return values


def add_partner(application, by_user, **values):
    """Add a partner team to a draft, every value judged (PARTNER_FIELDS, all required)."""
    values = _partner_values(values)
    with transaction.atomic():
        locked = _locked_draft(application, by_user, "partners")
        if PartnerTeam.objects.filter(application=locked).count() >= MAX_PARTNERS:
            raise ValuesRefused(
                ValidationError(
                    _("An application has at most %(max)s partner teams: remove one before adding another."),
                    code="too_many_partners",
                    params={"max": MAX_PARTNERS},
                )
            )
        partner = PartnerTeam(application=locked, **values)
        _judge(partner, PARTNER_FIELDS, _country_errors(partner))
        partner.save()
        concurrency.bump(locked, by_user, "partners")
        partner = _invite_while_open(partner, locked, by_user) or partner
    return partner


def _invite_while_open(partner, application, by_user):
    """E-mail the team its link to confirm (partners.py), while the application takes its
    partners' answers (partner_links.taking_answers): a link would be dead on arrival otherwise."""
    now = timezone.now()
    if taking_answers(application, now):
        return partners.invite_partner(partner, by_user, now)
    return None


def update_partner(partner, by_user, **values):
    """Change some values of a partner team of a draft, each judged."""
    values = _partner_values(values)
    with transaction.atomic():
        locked = _locked_draft(partner.application, by_user, "partners")
        stored = PartnerTeam.objects.select_for_update().get(pk=partner.pk, application=locked)
        address_before = stored.email
        for name, value in values.items():
            setattr(stored, name, value)
        _judge(stored, values, _country_errors(stored) if "country" in values else None)
        stored.save(update_fields=list(values))
        concurrency.bump(locked, by_user, "partners")
        if stored.email != address_before:
            # Another person answers for the team: a new link to the new address, the old one dies.
            stored = _invite_while_open(stored, locked, by_user) or stored
    return stored


def remove_partner(partner, by_user):
    """Remove a partner team from a draft."""
    with transaction.atomic():
        locked = _locked_draft(partner.application, by_user, "partners")
        partners.withdraw_invitations(partner)
        PartnerTeam.objects.filter(pk=partner.pk, application=locked).delete()
        concurrency.bump(locked, by_user, "partners")
