"""Funded projects for the tests: a call of an instrument, a submitted application, its funded
decision published through reviews.services.release_decisions (which creates the project)."""

from decimal import Decimal

from django.utils import timezone

from calls.models import Call
from projects.models import Project
from reviews import services as review_services
from reviews.models import Decision
from tests.factories import InstrumentFactory, StaffFactory
from tests.reviews.factories import ClosedCallFactory, submitted_application


def published_decision(instrument="TREMPLIN", amount="8000.00", *, duration_months=None, decided_at=None, staff=None):
    """A funded decision of an application of a call of `instrument`, recorded and released by
    staff (the path the portal takes); returns the decision."""
    staff = staff or StaffFactory()
    call = ClosedCallFactory(instrument=InstrumentFactory(code=instrument))
    application = submitted_application(call, amount=amount)
    application.duration_months = duration_months or call.duration_months
    application.status = application.Status.IN_REVIEW
    application.save(update_fields=["duration_months", "status"])
    Call.objects.filter(pk=call.pk).update(status=Call.Status.IN_REVIEW)
    decision = review_services.record_decision(application, "funded", Decimal(amount), staff)
    if decided_at is not None:
        Decision.objects.filter(pk=decision.pk).update(decided_at=decided_at)
    review_services.release_decisions(call, staff)
    decision.refresh_from_db()
    return decision


def funded_project(instrument="TREMPLIN", amount="8000.00", **kwargs):
    """The project of a freshly published funded decision."""
    decision = published_decision(instrument, amount, **kwargs)
    return Project.objects.select_related("instrument", "lead").get(decision=decision)


def aware(year, month, day, hour=12):
    return timezone.make_aware(timezone.datetime(year, month, day, hour))
