"""Shared vocabulary of the programme rules: outcomes, findings and the plain facts they judge.

Nothing here touches the database: the rules take frozen dataclasses of plain values, so a form,
the admin, a service or a Celery task can all ask them and get the same answer.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from zoneinfo import ZoneInfo

from django.utils import formats
from django.utils.translation import gettext, ngettext

PARIS = ZoneInfo("Europe/Paris")


class Outcome(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    WARNING = "warning"
    # The rule cannot judge yet: what it needs is not filled in. Blocks submission like a failure,
    # but is shown as something to do, never as passed nor as broken.
    TODO = "todo"


# Parameters of a message, rendered in the active language only when the message is shown.
@dataclass(frozen=True)
class Money:
    amount: Decimal

    def __str__(self):
        amount = Decimal(self.amount)  # rules pass `amount or 0`: an int 0 for an empty budget
        places = 0 if amount == amount.to_integral_value() else 2
        return formats.number_format(amount, places, use_l10n=True, force_grouping=True)


@dataclass(frozen=True)
class Countries:
    codes: tuple[str, ...]

    def __str__(self):
        from django_countries import countries  # a lookup table, not a model

        return ", ".join(str(countries.name(code) or code) for code in self.codes)


@dataclass(frozen=True)
class Day:
    value: date

    def __str__(self):
        return formats.date_format(self.value, "DATE_FORMAT", use_l10n=True)


@dataclass(frozen=True)
class Moment:
    value: datetime

    def __str__(self):
        return formats.date_format(self.value.astimezone(PARIS), "DATETIME_FORMAT", use_l10n=True)


@dataclass(frozen=True)
class Text:
    """A translatable message: the English msgid and its parameters, translated when str()'d."""

    msgid: str
    params: tuple[tuple[str, object], ...] = ()
    # A message with a plural form: the plural msgid and the parameter whose number chooses the form.
    plural: str | None = None
    number: str | None = None

    def __str__(self):
        values = {key: str(value) for key, value in self.params}
        if self.plural is None:
            message = gettext(self.msgid)
        else:
            message = ngettext(self.msgid, self.plural, int(dict(self.params)[self.number]))
        return message % values if values else message


def text(msgid, **params):
    return Text(msgid, tuple(sorted(params.items())))


def ngettext_noop(singular, plural):
    """Marks a message with a plural form for makemessages (inserm_portal's makemessages command
    extracts it); plural_text() chooses the form when the message is shown."""
    return singular, plural


def plural_text(forms, number, **params):
    """A message whose form follows the number in the parameter named `number` ("1 partner team",
    "2 partner teams"; in French 0 and 1 take the singular)."""
    singular, plural = forms
    return Text(singular, tuple(sorted(params.items())), plural=plural, number=number)


@dataclass(frozen=True)
class Finding:
    code: str
    outcome: Outcome
    message: Text
    # The call or proposal field the finding is about, so a form can show it beside that field.
    subject: str | None = None

    @property
    def passed(self):
        return self.outcome not in (Outcome.FAIL, Outcome.TODO)

    def __str__(self):
        return str(self.message)


def passed(code, message, subject=None):
    return Finding(code, Outcome.PASS, message, subject)


def failed(code, message, subject=None):
    return Finding(code, Outcome.FAIL, message, subject)


def warned(code, message, subject=None):
    return Finding(code, Outcome.WARNING, message, subject)


def to_do(code, message, subject=None):
    return Finding(code, Outcome.TODO, message, subject)


def is_eligible(findings):
    """An application may be submitted when no finding fails and none waits for missing input
    (warnings do not block)."""
    return all(finding.passed for finding in findings)


class InstrumentCode(StrEnum):
    TREMPLIN = "TREMPLIN"
    PRI = "PRI"
    PIC = "PIC"
    PCT = "PCT"


class CallStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    IN_REVIEW = "in_review"
    DECIDED = "decided"


@dataclass(frozen=True)
class ApplicantFacts:
    grade: str | None
    recruited_on: date | None
    atip_avenir_year: int | None
    erc_starting_grant_year: int | None


@dataclass(frozen=True)
class InstrumentFacts:
    code: str
    duration_months: int | None
    ceiling: Decimal | None
    european_ceiling: Decimal | None
    non_european_ceiling: Decimal | None
    min_partners: int
    max_partners: int | None
    has_calls: bool = True
    partners_must_confirm: bool = False


@dataclass(frozen=True)
class CallFacts:
    instrument_code: str
    status: str
    opens_at: datetime
    closes_at: datetime
    duration_months: int | None
    ceiling: Decimal | None
    european_ceiling: Decimal | None
    non_european_ceiling: Decimal | None
    zone_countries: frozenset[str] = field(default_factory=frozenset)
    priority_themes: frozenset[str] = field(default_factory=frozenset)
    min_partners: int = 1
    max_partners: int | None = None
    # Every partner team confirms its participation (by its signed link) before submission.
    partners_must_confirm: bool = False


@dataclass(frozen=True)
class ProposalFacts:
    partner_countries: tuple[str, ...]
    amount: Decimal
    duration_months: int | None = None
    theme: str | None = None
    collaboration_is_new: bool | None = None
    # Each partner team's answer to its invitation: "waiting", "confirmed" or "declined".
    partner_answers: tuple[str, ...] = ()
