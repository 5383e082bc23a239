"""Demo researcher profile, and their PRI draft with two partner teams abroad (one confirmed, one
waiting: its invitation is in the mail folder), loaded by `make run` after the accounts and calls.
Idempotent."""

import io
from datetime import date
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import User
from calls.models import Call, Instrument, ZoneCountry

from . import drafting, partners, services
from .models import Application, Attachment, BudgetLine, Grade, PartnerAnswer, ResearcherProfile

DEMO_PRI_TITLE = "Cohortes du vieillissement en Asie : immunité et fragilité"
# Partner teams in countries of the Asia–Oceania zone, if the call targets them; else the first of its zones.
PREFERRED_COUNTRIES = ("JP", "SG", "AU", "KR", "IN", "NZ")
PARTNERS = (
    {
        "institution": "Kyoto University",
        "city": "Kyoto",
        "team_leader": "Dr Haruki Sato",
        "email": "h.sato@kyoto-u.example",
        "language": "en",
    },
    {
        "institution": "National University of Singapore",
        "city": "Singapore",
        "team_leader": "Dr Mei Lin Tan",
        "email": "meilin.tan@nus.example",
        "language": "en",
    },
)


def load():
    researcher = User.objects.get(email="researcher@demo.inserm.fr")
    # Recruited as CRCN in 2023: eligible for the Tremplins until 2028.
    ResearcherProfile.objects.get_or_create(
        user=researcher,
        defaults={
            "unit_code": "U1234",
            "team": "Vieillissement et immunité",
            "grade": Grade.CRCN,
            "recruited_on": date(2023, 9, 1),
        },
    )
    load_pri_draft(researcher)


def _pdf():
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _countries(call):
    targeted = set(ZoneCountry.objects.filter(zone__calls=call).values_list("country", flat=True))
    chosen = [code for code in PREFERRED_COUNTRIES if code in targeted]
    chosen += sorted(targeted - set(chosen) - {"FR"})
    return chosen[: len(PARTNERS)]


def load_pri_draft(researcher):
    """Once: a complete PRI draft on the open PRI call; the first partner team has confirmed, the
    second has not answered yet (its invitation e-mail carries the link that confirms it)."""
    now = timezone.now()
    call = (
        Call.objects.open_at(now)
        .filter(instrument__code=Instrument.Code.PRI)
        .select_related("instrument")
        .order_by("closes_at", "pk")
        .first()
    )
    if call is None or Application.objects.filter(call=call, applicant=researcher, title=DEMO_PRI_TITLE).exists():
        return
    countries = _countries(call)
    if len(countries) < len(PARTNERS):
        return
    draft = services.create_draft(researcher, call)
    drafting.update_draft(
        draft,
        researcher,
        title=DEMO_PRI_TITLE,
        abstract="Deux cohortes, à Kyoto et à Singapour, suivent l'immunité de personnes âgées pour comprendre "
        "la fragilité : nous consolidons un partenariat de cinq ans.",
        keywords="vieillissement, immunosénescence, cohortes",
    )
    teams = [
        drafting.add_partner(draft, researcher, country=country, **values)
        for country, values in zip(countries, PARTNERS, strict=True)
    ]
    BudgetLine.objects.create(application=draft, year=1, category=BudgetLine.Category.TRAVEL, amount=Decimal("18000"))
    BudgetLine.objects.create(application=draft, year=2, category=BudgetLine.Category.EVENTS, amount=Decimal("12000"))
    services.add_attachment(
        draft, SimpleUploadedFile("projet.pdf", _pdf(), "application/pdf"), Attachment.Kind.PROJECT, researcher
    )
    partners.answer_as_partner(teams[0], PartnerAnswer.CONFIRMED, {}, now=now)
