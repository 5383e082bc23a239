"""Demo expertise vocabulary and reviewer, loaded by `make run` after the calls. Idempotent.

Also a closed Tremplin call whose four applications, submitted by demo researchers, chose fields
of the same vocabulary as the demo reviewer: three are screened admissible, the reviewers bid on
them and staff can route them and see real affinities; the fourth waits for staff's screening. And
(demo_committee) a second closed call at the committee meeting's stage.
"""

import io
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import User
from applications import drafting
from applications import services as applications
from applications.models import Application, Attachment, BudgetLine, Grade, ResearcherProfile
from calls import services as calls
from calls.models import Call, Instrument

from . import demo_committee
from .models import ExpertiseTerm, ReviewerInvitation, ReviewerProfile, Screening
from .services import screen_application

EXPERTISE = [
    ("vieillissement", "ageing"),
    ("neurosciences", "neuroscience"),
    ("maladies infectieuses émergentes", "emerging infectious diseases"),
    ("santé mentale", "mental health"),
    ("psychiatrie", "psychiatry"),
    ("maladies chroniques", "chronic diseases"),
    ("diabète", "diabetes"),
    ("maladies métaboliques", "metabolic diseases"),
    ("santé publique", "public health"),
    ("prévention", "prevention"),
    ("épidémiologie", "epidemiology"),
    ("immunologie", "immunology"),
    ("cancer", "cancer"),
    ("génétique", "genetics"),
    ("science des données", "data science"),
    ("intelligence artificielle", "artificial intelligence"),
    ("changement climatique et santé", "climate change and health"),
    ("recherche clinique", "clinical research"),
]


def load():
    terms = {}
    for name_fr, name_en in EXPERTISE:
        term, _ = ExpertiseTerm.objects.get_or_create(name_en=name_en, defaults={"name_fr": name_fr})
        terms[name_en] = term
    reviewer = User.objects.get(email="reviewer@demo.inserm.fr")
    profile, created = ReviewerProfile.objects.get_or_create(
        user=reviewer,
        defaults={
            "institution": "University College London",
            "country": "GB",
            "max_load_per_call": 8,
            "free_keywords": "healthy ageing, cohorts",
            "expertise_statement": (
                "Épidémiologie du vieillissement et des maladies neurodégénératives ; grandes cohortes "
                "populationnelles, fragilité et déclin cognitif."
            ),
            "recent_publications": (
                "Frailty trajectories in an ageing population cohort\n"
                "Neuro-inflammation and cognitive decline in older adults\n"
                "Déterminants sociaux du vieillissement en bonne santé"
            ),
        },
    )
    if created:
        profile.expertise.set([terms["ageing"], terms["epidemiology"], terms["public health"], terms["immunology"]])
    staff = User.objects.filter(is_staff=True).order_by("pk").first()
    load_closed_call(terms, staff)
    demo_committee.load(terms, staff, _pdf())
    # The demo reviewer has accepted to review every demo call not yet decided (no e-mail: demo data).
    for call in Call.objects.exclude(status__in=[Call.Status.DRAFT, Call.Status.DECIDED]).filter(
        instrument__has_calls=True
    ):
        ReviewerInvitation.objects.get_or_create(
            call=call,
            reviewer=reviewer,
            defaults={"status": ReviewerInvitation.Status.ACCEPTED, "invited_by": staff},
        )


CLOSED_CALL_TITLE_FR = "Tremplins internationaux — appel de démonstration clos"
CLOSED_CALL_TITLE_EN = "International springboards — closed demonstration call"

# (first name, last name, title, partner institution, city, country, fields of the vocabulary)
DEMO_APPLICATIONS = [
    (
        "Claire",
        "Dubois",
        "Immune ageing in two cohorts",
        "Karolinska Institutet",
        "Stockholm",
        "SE",
        ["ageing", "immunology", "epidemiology"],
    ),
    (
        "Malik",
        "Benali",
        "Diabetes prevention in primary care",
        "University of Cape Town",
        "Cape Town",
        "ZA",
        ["diabetes", "prevention", "public health"],
    ),
    (
        "Sofia",
        "Moreau",
        "Deep learning for brain imaging",
        "University of Toronto",
        "Toronto",
        "CA",
        ["artificial intelligence", "neuroscience", "data science"],
    ),
    (
        "Hugo",
        "Lambert",
        "Heat waves and mental health",
        "Universidade de São Paulo",
        "São Paulo",
        "BR",
        ["climate change and health", "mental health", "epidemiology"],
    ),
]


def _pdf():
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def load_closed_call(terms, staff):
    """Once: a Tremplin call opened, applied to by four demo researchers, then closed by staff."""
    if Call.objects.filter(title_fr=CLOSED_CALL_TITLE_FR).exists():
        return
    tremplin = Instrument.objects.get(code=Instrument.Code.TREMPLIN)
    now = timezone.now()
    call = calls.create_call_from_instrument(
        tremplin,
        now.year,
        title_fr=CLOSED_CALL_TITLE_FR,
        title_en=CLOSED_CALL_TITLE_EN,
        opens_at=now - timedelta(days=30),
        closes_at=now + timedelta(days=1),
    )
    calls.open_call(call, staff)
    pdf = _pdf()
    for index, (first, last, title, institution, city, country, fields) in enumerate(DEMO_APPLICATIONS, start=1):
        researcher, _ = User.objects.get_or_create(
            email=f"researcher{index + 1}@demo.inserm.fr",
            defaults={"first_name": first, "last_name": last, "is_researcher": True, "language": "fr"},
        )
        ResearcherProfile.objects.get_or_create(
            user=researcher,
            defaults={
                "unit_code": f"U{1300 + index}",
                "team": title,
                "grade": Grade.CRCN,
                "recruited_on": now.date() - timedelta(days=700),
            },
        )
        draft = applications.create_draft(researcher, call)
        drafting.update_draft(
            draft,
            researcher,
            title=title,
            abstract=f"{title}: a new collaboration with {institution}.",
            keywords=", ".join(fields),
            vocabulary_terms=[terms[name].pk for name in fields],
            collaboration_is_new=True,
        )
        drafting.add_partner(
            draft,
            researcher,
            institution=institution,
            city=city,
            country=country,
            team_leader=f"Dr {last} (partner)",
            email=f"partner{index}@example.org",
        )
        BudgetLine.objects.create(application=draft, year=1, category="travel", amount=6000 + 500 * index)
        applications.add_attachment(
            draft, SimpleUploadedFile("project.pdf", pdf, "application/pdf"), Attachment.Kind.PROJECT, researcher
        )
        applications.submit_application(draft, researcher)
    calls.close_call(call, staff)
    # Screened by staff after the close: three admissible, the fourth left for staff to screen.
    for application in Application.objects.filter(call=call).order_by("pk")[:3]:
        screen_application(application, staff, Screening.Outcome.ADMISSIBLE)
    ReviewerInvitation.objects.get_or_create(
        call=call,
        reviewer=User.objects.get(email="reviewer@demo.inserm.fr"),
        defaults={"status": ReviewerInvitation.Status.ACCEPTED, "invited_by": staff},
    )
