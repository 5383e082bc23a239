"""Data the journeys and the screenshots start from, built with the services and factories."""

from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from calls.models import Call, Instrument, ReviewCriterion
from calls.services import DEFAULT_CRITERIA
from tests.applications.factories import ApplicationFactory, BudgetLineFactory, PartnerFactory, ProfileFactory
from tests.calls.factories import ZoneFactory
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


def pri_call(**fields):
    """An open PRI call targeting an Asian zone (this year's rotation), every partner team's
    confirmation required before submission (the PRI default)."""
    zone = ZoneFactory(name_fr="Asie-Océanie", name_en="Asia-Oceania", countries=["JP", "SG", "KR", "AU"])
    fields.setdefault("title_fr", "Projets de recherche internationaux 2026")
    fields.setdefault("title_en", "International research projects 2026")
    fields.setdefault("partners_must_confirm", True)
    instrument = InstrumentFactory(code=Instrument.Code.PRI, partners_must_confirm=True)
    return CallFactory(instrument=instrument, zones=[zone], **fields)


PRI_TEAMS = (
    ("Kyoto University", "Kyoto", "JP", "Dr Haruki Sato", "h.sato@kyoto-u.example"),
    ("National University of Singapore", "Singapore", "SG", "Dr Mei Lin Tan", "meilin.tan@nus.example"),
    ("Seoul National University", "Seoul", "KR", "Dr Ji-woo Park", "jiwoo.park@snu.example"),
)


def pri_draft_with_partner_answers(call):
    """A PRI draft whose three partner teams were e-mailed their links: the first confirmed with a
    letter of support, the second declined, the third has not answered (its first link was replaced
    by a second). Returns the draft and its teams in that order."""
    from applications import drafting, partners
    from applications.models import PartnerAnswer
    from tests.applications.factories import pdf_bytes

    profile = ProfileFactory()
    draft = ApplicationFactory(
        call=call,
        applicant=profile.user,
        title="Ageing cohorts in Asia: immunity and frailty",
        abstract="Two cohorts, in Kyoto and Singapore, follow the immunity of older people to understand frailty.",
        duration_months=call.duration_months,
    )
    teams = [
        drafting.add_partner(
            draft,
            profile.user,
            institution=institution,
            city=city,
            country=country,
            team_leader=leader,
            email=email,
            language=language,
        )
        for (institution, city, country, leader, email), language in zip(PRI_TEAMS, ("en", "fr", "en"), strict=True)
    ]
    BudgetLineFactory(application=draft, amount=Decimal("30000"))
    letter = SimpleUploadedFile("letter-kyoto.pdf", pdf_bytes(), "application/pdf")
    partners.answer_as_partner(teams[0], PartnerAnswer.CONFIRMED, {}, letter=letter)
    partners.answer_as_partner(teams[1], PartnerAnswer.DECLINED)
    partners.resend_partner_link(teams[2], profile.user)
    return draft, [type(team).objects.get(pk=team.pk) for team in teams]


__all__ = [
    "assign",
    "closed_call",
    "draft_over_the_ceiling",
    "open_call",
    "pri_call",
    "pri_draft_with_partner_answers",
    "submitted_to",
    "tremplin",
]
