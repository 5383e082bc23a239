"""Concurrent edits never lose data: the application's ``version`` counts the saves of its content
(a step, the autosave, a partner team, a budget line, a document), each under the application's
row lock. A step's form carries the version it was filled from (a hidden field); a save over a
newer version is refused (StaleVersion) before anything of the step is written, and the page comes
back with what the person typed and what changed meanwhile, carrying the current version: saving
again is then a deliberate choice, made knowing the other person's values.

For the general and declarations steps, the form also carries ``loaded``: a signed digest of each
field's value as it was shown, so that the fields someone else changed meanwhile can be named
(``changed_fields``), with who saved last and when (``last_save``).
"""

import hashlib

from django.core import signing
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from accounts.audit import record
from accounts.models import AuditEvent

from .actions import ApplicationAction
from .models import Application, CoApplicant

SALT = "applications.concurrency.loaded"
#: The fields whose values the general and declarations steps compare.
COMPARED_FIELDS = ("title", "abstract", "vocabulary_terms", "keywords", "theme", "collaboration_is_new")


class StaleVersion(Exception):
    """A save made from an older version than the application's: nothing was written. (Not an
    ApplicationError: services.py imports this module.)"""

    def __init__(self, current):
        self.current = current
        self.reasons = [
            str(
                _(
                    "Someone saved this application while you were editing it: nothing of this step was saved. "
                    "Compare with what changed meanwhile below, then save again to keep your values."
                )
            )
        ]
        super().__init__(self.reasons[0])


def parse_version(value):
    """The version a form posted, or None when it carries none (a form of before versions, a
    command): no check is made then."""
    try:
        version = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return version if version > 0 else None


def check(locked, posted):
    """Raise StaleVersion if `posted` (a form's version) is older than the locked application's."""
    version = parse_version(posted)
    if version is not None and version != locked.version:
        raise StaleVersion(locked.version)


def bump(locked, by_user, step, by_name=""):
    """One more save of `locked`'s content (call under its row lock). While the application has
    co-applicants, or when someone without an account saves (`by_name`: a partner team's leader
    correcting their team), who saved is recorded too (the conflict panel names them); otherwise
    the lead is the only one who saves."""
    Application.objects.filter(pk=locked.pk).update(version=F("version") + 1)
    locked.version = Application.objects.filter(pk=locked.pk).values_list("version", flat=True).get()
    if by_name or CoApplicant.objects.filter(application=locked.pk, accepted_at__isnull=False).exists():
        changes = {"step": step, "version": locked.version, **({"by": by_name} if by_name else {})}
        record(by_user, ApplicationAction.CONTENT_SAVED, locked, **changes)
    return locked.version


def _digest(value):
    if isinstance(value, list | tuple):
        value = ",".join(sorted(str(v) for v in value))
    return hashlib.sha256(str("" if value is None else value).encode()).hexdigest()[:16]


def loaded_token(application):
    """The signed digests of the compared fields' values of `application`, as the form shows them."""
    return signing.dumps({name: _digest(getattr(application, name)) for name in COMPARED_FIELDS}, salt=SALT)


def changed_fields(application, token, fields):
    """The `fields` whose saved value differs from the one the form was loaded with (`token`);
    every field that differs from its digest, or all of them when the token is absent or forged."""
    try:
        loaded = signing.loads(str(token or ""), salt=SALT)
    except signing.BadSignature:
        loaded = {}
    return [name for name in fields if loaded.get(name) != _digest(getattr(application, name, None))]


def last_save(application):
    """(who, when) of the last save of `application`'s content: the audit trail's last save, else
    the lead at the application's last change."""
    event = (
        AuditEvent.objects.filter(action=ApplicationAction.CONTENT_SAVED, object_id=str(application.pk))
        .select_related("actor")
        .order_by("-id")
        .first()
    )
    if event is not None and event.actor is not None:
        return event.actor.get_full_name() or event.actor.email, event.at
    if event is not None and (event.changes or {}).get("by"):
        return event.changes["by"], event.at
    lead = application.applicant
    return lead.get_full_name() or lead.email, application.updated_at


def form_context(application, forms=None):
    """The hidden fields of a step's form: the version (and digests) it was filled from. A form
    filled from data (shown again after an error, or given back from what the autosave kept or
    what was posted when the session expired) keeps the version that data was typed on, so that
    its save is judged against it, not against today's."""
    data = next((form.data for form in (forms or {}).values() if getattr(form, "is_bound", False)), None)
    if data is not None and parse_version(data.get("version")) is not None:
        return {"form_version": parse_version(data.get("version")), "loaded_token": data.get("loaded", "")}
    return {"form_version": application.version, "loaded_token": loaded_token(application)}


# --- The conflict panel ----------------------------------------------------------------------------


def _shown(name, value):
    from . import selectors

    if name == "vocabulary_terms":
        return ", ".join(selectors.vocabulary_labels(value)) or "—"
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    return "—" if value in (None, "", []) else str(value)


def _partner_row(values):
    country = values.get("country")
    return [
        values.get("institution", ""),
        values.get("city", ""),
        getattr(country, "name", country or ""),
        values.get("team_leader", ""),
        values.get("email", ""),
    ]


def _budget_row(values, categories):
    amount = values.get("amount")
    return [
        str(_("Year %(n)s") % {"n": values.get("year")}),
        categories.get(values.get("category"), values.get("category") or ""),
        f"{amount:.2f}" if amount is not None else "",
        values.get("description", ""),
    ]


def conflict_context(application_pk, step, forms, loaded):
    """What the page shows when a save was refused as stale: the fields (or rows) saved meanwhile
    beside what the person typed, who saved last and when, and the current version for the form
    (saving again then keeps the typed values, deliberately)."""
    from .models import BudgetLine

    fresh = (
        Application.objects.select_related("applicant")
        .prefetch_related("partners", "budget_lines")
        .get(pk=application_pk)
    )
    who, when = last_save(fresh)
    context = {
        "conflict": True,
        "conflict_by": who,
        "conflict_at": when,
        "form_version": fresh.version,
        "loaded_token": loaded_token(fresh),
    }
    form = forms.get("form")
    if form is not None:
        names = [name for name in form.fields if name in COMPARED_FIELDS]
        context["conflict_fields"] = [
            (form.fields[name].label, _shown(name, getattr(fresh, name)), _shown(name, form.cleaned_data.get(name)))
            for name in changed_fields(fresh, loaded, names)
        ]
        return context
    formset = forms["formset"]
    typed = [f.cleaned_data for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
    if step == "partners":
        columns = [_("Institution"), _("City"), _("Country"), _("Team leader"), _("E-mail")]
        saved = [_partner_row(_values(partner)) for partner in fresh.partners.all()]
        mine = [_partner_row(row) for row in typed]
    else:
        categories = dict(BudgetLine.Category.choices)
        columns = [_("Year"), _("Category"), _("Amount (EUR)"), _("Description")]
        saved = [_budget_row(_values(line), categories) for line in fresh.budget_lines.all()]
        mine = [_budget_row(row, categories) for row in typed]
    context["conflict_columns"] = columns
    context["conflict_tables"] = [
        (_("Saved meanwhile"), [list(zip(columns, row, strict=True)) for row in saved]),
        (_("Your rows"), [list(zip(columns, row, strict=True)) for row in mine]),
    ]
    return context


def _values(instance):
    return {field.name: getattr(instance, field.name) for field in instance._meta.concrete_fields}
