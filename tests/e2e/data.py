"""Data the journeys and the screenshots start from, built with the services and factories."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from calls.models import Call, Instrument, ReviewCriterion
from calls.services import DEFAULT_CRITERIA
from tests.applications.factories import ApplicationFactory, BudgetLineFactory, PartnerFactory, ProfileFactory
from tests.factories import CallFactory, InstrumentFactory
from tests.reviews.factories import assign, submitted_application


def tremplin():
    return InstrumentFactory(code=Instrument.Code.TREMPLIN)


def open_call(**fields):
    fields.setdefault("title_fr", "Tremplins internationaux 2026")
    fields.setdefault("title_en", "International springboards 2026")
    return CallFactory(instrument=tremplin(), **fields)


def closed_call(**fields):
    """A Tremplin call closed yesterday with the default review criteria of every new call."""
    call = open_call(
        status=Call.Status.CLOSED,
        opens_at=timezone.now() - timedelta(days=40),
        closes_at=timezone.now() - timedelta(days=1),
        **fields,
    )
    ReviewCriterion.objects.bulk_create(
        ReviewCriterion(call=call, name_fr=fr, name_en=en, position=position)
        for position, (fr, en) in enumerate(DEFAULT_CRITERIA, start=1)
    )
    return call


def submitted_to(call, language="fr", **fields):
    application = submitted_application(call, **fields)
    application.applicant.language = language
    application.applicant.save(update_fields=["language"])
    return application


def draft_over_the_ceiling(call, amount=Decimal("12000")):
    """A Tremplin draft by an eligible researcher, a partner in Tokyo, a budget over the ceiling."""
    profile = ProfileFactory()
    application = ApplicationFactory(call=call, applicant=profile.user, title="Neuro-immune dialogue in ageing")
    PartnerFactory(application=application)
    BudgetLineFactory(application=application, amount=amount)
    return application


__all__ = ["assign", "closed_call", "draft_over_the_ceiling", "open_call", "submitted_to", "tremplin"]
