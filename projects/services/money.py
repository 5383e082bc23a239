"""A project's money: the payments staff record, never more in all than the award, and what the
project page shows of it (awarded, paid, remaining, each instalment and what was paid against it).

Decisions:
- A terminated project receives no more payments; a suspended one neither (its payments wait until
  it is resumed); a closed project may still receive what remains of its award (the balance is
  often paid once the final evaluation is in), never more.
- A payment is dated between the decision and today.
- What was paid against each instalment: a payment recorded against an instalment counts for it
  (up to its amount); every other euro (payments recorded against no instalment, and what a
  payment gives beyond its instalment's amount) goes to the instalments in the order they fall
  due. The payments never exceed the award, which the instalments add up to, so every euro lands.
"""

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from accounts.audit import record
from calls.rules.base import Money

from ..actions import ProjectAction
from ..models import Instalment, Payment, Project
from .base import ProjectError, lock, require

#: The amounts a DecimalField(max_digits=12, decimal_places=2) holds.
MAX_AMOUNT = Decimal("1e10")
CENT = Decimal("0.01")
_SPACES = re.compile(r"[\s\u00a0\u202f€]")


def euros(amount):
    """An amount as people read it in the active language: "6 000" (fr) / "6,000" (en)."""
    return str(Money(Decimal(amount)))


def _day(day):
    return formats.date_format(day, "DATE_FORMAT")


def parse_amount(value, *, what=None):
    """`value` (a Decimal, an int or text typed in either language: "6000", "6 000,50",
    "6000.50") as a Decimal of euros and cents greater than zero, or ProjectError saying why."""
    what = what or _("The amount")
    if isinstance(value, bool) or value is None:
        raise ProjectError(_("Give the amount in euros, e.g. 6000 or 6000.50."))
    if isinstance(value, Decimal | int):
        amount = Decimal(value)
    else:
        text = _SPACES.sub("", str(value))
        if not text:
            raise ProjectError(_("Give the amount in euros, e.g. 6000 or 6000.50."))
        try:
            amount = Decimal(formats.sanitize_separators(text))
        except (InvalidOperation, ValueError):
            raise ProjectError(_("Give the amount in euros, e.g. 6000 or 6000.50.")) from None
    if not amount.is_finite():
        raise ProjectError(_("Give the amount in euros, e.g. 6000 or 6000.50."))
    if amount <= 0:
        raise ProjectError(_("%(what)s must be greater than zero.") % {"what": what})
    if amount >= MAX_AMOUNT:
        raise ProjectError(_("%(what)s is too large.") % {"what": what})
    if amount != amount.quantize(CENT):
        raise ProjectError(_("%(what)s is in euros and cents: at most two decimals.") % {"what": what})
    return amount.quantize(CENT)


def _refuse_payment_when(project):
    Status = Project.Status
    if project.status == Status.TERMINATED:
        raise ProjectError(
            _("Project %(reference)s was terminated early: no more payments are made to it.")
            % {"reference": project.reference}
        )
    if project.status == Status.SUSPENDED:
        raise ProjectError(
            _("Project %(reference)s is suspended: its payments wait until it is resumed.")
            % {"reference": project.reference}
        )


def _paid_so_far(project):
    return project.payments.aggregate(total=Sum("amount"))["total"] or Decimal("0")


def record_payment(project, amount, paid_on, by, instalment=None, note=""):
    """Staff record what was paid to `project` and when. Refused for a terminated or suspended
    project, a date before the decision or in the future, and an amount that would bring the
    payments over the award (checked under the project's lock, so two staff recording at once
    cannot together pay more than the award)."""
    require(by, "projects.record_payments")
    amount = parse_amount(amount, what=_("The payment"))
    if not isinstance(paid_on, datetime.date) or isinstance(paid_on, datetime.datetime):
        raise ProjectError(_("Give the date of the payment."))
    note = (note or "").strip()
    note_field = Payment._meta.get_field("note")
    if len(note) > note_field.max_length:
        raise ProjectError(
            _("The note is at most %(max)s characters long (it has %(count)s).")
            % {"max": note_field.max_length, "count": len(note)}
        )
    try:
        note_field.run_validators(note)
    except ValidationError as error:
        raise ProjectError(*error.messages) from None
    with transaction.atomic():
        locked = lock(project)
        _refuse_payment_when(locked)
        if paid_on < locked.decided_on:
            raise ProjectError(
                _("A payment cannot be dated before the decision, on %(date)s.") % {"date": _day(locked.decided_on)}
            )
        if paid_on > timezone.localdate():
            raise ProjectError(_("A payment cannot be dated in the future: record it once it is made."))
        if instalment is not None:
            instalment_id = getattr(instalment, "pk", instalment)
            instalment = Instalment.objects.filter(project=locked, pk=instalment_id).first()
            if instalment is None:
                raise ProjectError(_("Choose an instalment of this project, or none."))
        paid = _paid_so_far(locked)
        total = paid + amount
        if total > locked.awarded:
            remaining = max(locked.awarded - paid, Decimal("0"))
            if remaining == 0:
                raise ProjectError(
                    _("The award of %(awarded)s € is paid in full: nothing remains to be paid.")
                    % {"awarded": euros(locked.awarded)}
                )
            raise ProjectError(
                _(
                    "This payment of %(amount)s € would bring the payments to %(total)s €, over the award of "
                    "%(awarded)s €: %(remaining)s € remain to be paid."
                )
                % {
                    "amount": euros(amount),
                    "total": euros(total),
                    "awarded": euros(locked.awarded),
                    "remaining": euros(remaining),
                }
            )
        payment = Payment.objects.create(
            project=locked, instalment=instalment, amount=amount, paid_on=paid_on, note=note, recorded_by=by
        )
        record(
            by,
            ProjectAction.PAYMENT,
            locked,
            payment=payment.pk,
            amount=amount,
            paid_on=paid_on,
            instalment=instalment.sequence if instalment else None,
            paid={"from": paid, "to": total},
        )
    return payment


@dataclass
class InstalmentLine:
    instalment: Instalment
    paid: Decimal = Decimal("0")

    @property
    def sequence(self):
        return self.instalment.sequence

    @property
    def due_on(self):
        return self.instalment.due_on

    @property
    def amount(self):
        return self.instalment.amount

    @property
    def remaining(self):
        return max(self.amount - self.paid, Decimal("0"))

    @property
    def is_paid(self):
        return self.paid >= self.amount


@dataclass
class MoneySummary:
    awarded: Decimal
    paid: Decimal
    instalments: list = field(default_factory=list)
    payments: list = field(default_factory=list)

    @property
    def remaining(self):
        """What remains to be paid: never below zero."""
        return max(self.awarded - self.paid, Decimal("0"))

    @property
    def next_instalment(self):
        """The first instalment not yet paid in full (None when everything is paid)."""
        return next((line for line in self.instalments if not line.is_paid), None)

    @property
    def paid_percent(self):
        if not self.awarded:
            return 0
        return min(100, int(100 * self.paid / self.awarded))


def money_summary(project):
    """Awarded, paid, remaining; the instalments with what was paid against each; the payments.
    Two queries, whatever the number of instalments and payments."""
    instalments = list(project.instalments.order_by("sequence"))
    payments = list(project.payments.select_related("recorded_by").order_by("paid_on", "pk"))
    lines = [InstalmentLine(instalment) for instalment in instalments]
    by_id = {line.instalment.pk: line for line in lines}
    loose = Decimal("0")
    for payment in payments:
        payment.instalment_line = by_id.get(payment.instalment_id)
        line = payment.instalment_line
        if line is None:
            loose += payment.amount
            continue
        counted = min(payment.amount, line.remaining)
        line.paid += counted
        loose += payment.amount - counted
    for line in lines:
        if loose <= 0:
            break
        counted = min(loose, line.remaining)
        line.paid += counted
        loose -= counted
    return MoneySummary(
        awarded=project.awarded,
        paid=sum((p.amount for p in payments), Decimal("0")),
        instalments=lines,
        payments=payments,
    )


__all__ = ["money_summary", "parse_amount", "record_payment"]
