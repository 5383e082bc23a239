"""Bids and conflicts before routing (issue 18): a reviewer who accepted a call's invitation reads
its admissible applications once it has closed (title, abstract, instrument, theme, partner
countries, the applicant's name and unit; no document) and, for each, bids (eager, willing, no
preference, not willing) or declares a conflict of interest with a reason. Bidding ends when
routing is confirmed (the call moves on to review)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from applications.models import Application
from applications.validators import text_validators
from calls.models import Call

from ..models import Bid, ConflictOfInterest, ReviewerInvitation, conflict_filter
from ..routing_adapter import routable
from .base import ReviewError
from .scoring import declare_conflict

#: What a reviewer may declare before routing (the computed kinds are the portal's to find).
DECLARABLE_KINDS = (
    ConflictOfInterest.Kind.COLLABORATOR,
    ConflictOfInterest.Kind.PERSONAL,
    ConflictOfInterest.Kind.SAME_UNIT,
    ConflictOfInterest.Kind.OTHER,
)
CONFLICT_REASON_MAX_CHARS = 1000


def bidding_problems(reviewer, call):
    """Why `reviewer` cannot bid on `call` now, in words (empty: they can)."""
    accepted = ReviewerInvitation.objects.filter(
        call=call, reviewer=reviewer, status=ReviewerInvitation.Status.ACCEPTED
    ).exists()
    if not (reviewer.is_authenticated and reviewer.is_active and accepted):
        return [_("Only the reviewers who accepted to review this call bid on its applications.")]
    if call.status == Call.Status.DRAFT or call.status == Call.Status.OPEN:
        return [_("Bidding opens once the call has closed and its applications are screened.")]
    if call.status != Call.Status.CLOSED:
        return [_("Bidding is over: the applications of this call are already with their reviewers.")]
    return []


def biddable(reviewer, call):
    """The applications of `call` `reviewer` may bid on: admissible, and no conflict of interest,
    computed or declared."""
    return routable(Application.objects.filter(call=call)).exclude(conflict_filter(reviewer))


def _checked(reviewer, application):
    problems = bidding_problems(reviewer, application.call)
    if problems:
        raise ReviewError(*problems)
    if not biddable(reviewer, application.call).filter(pk=application.pk).exists():
        raise ReviewError(_("This application is not one you may bid on."))


def save_bid(reviewer, application, kind):
    """Record the reviewer's bid on the application (the same bid again changes nothing)."""
    try:
        kind = Bid.Kind(kind)
    except ValueError:
        raise ReviewError(_("Choose eager, willing, no preference or not willing.")) from None
    _checked(reviewer, application)
    bid, _created = Bid.objects.update_or_create(application=application, reviewer=reviewer, defaults={"kind": kind})
    return bid


def declare_conflict_before_routing(reviewer, application, kind, reason):
    """The reviewer declares a conflict with the application (a kind and a reason they write): it
    leaves their list, their bid on it is dropped, routing never assigns it to them."""
    try:
        kind = ConflictOfInterest.Kind(kind)
    except ValueError:
        kind = None
    if kind not in DECLARABLE_KINDS:
        raise ReviewError(_("Choose the kind of conflict of interest."))
    reason = (reason or "").strip()
    if not reason:
        raise ReviewError(_("Say in a few words what the conflict of interest is."))
    try:
        for validator in text_validators(CONFLICT_REASON_MAX_CHARS):
            validator(reason)
    except ValidationError as error:
        raise ReviewError(*error.messages) from None
    _checked(reviewer, application)
    with transaction.atomic():
        Bid.objects.filter(application=application, reviewer=reviewer).delete()
        return declare_conflict(reviewer, application, kind, reason, reviewer)
