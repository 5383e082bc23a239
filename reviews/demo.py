"""Demo expertise vocabulary and reviewer, loaded by `make run` after the calls. Idempotent."""

from accounts.models import User
from calls.models import Call

from .models import ExpertiseTerm, ReviewerInvitation, ReviewerProfile

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
        },
    )
    if created:
        profile.expertise.set([terms["ageing"], terms["epidemiology"], terms["public health"], terms["immunology"]])
    staff = User.objects.filter(is_staff=True).order_by("pk").first()
    # The demo reviewer has accepted to review every demo call (no e-mail: demo data).
    for call in Call.objects.exclude(status=Call.Status.DRAFT).filter(instrument__has_calls=True):
        ReviewerInvitation.objects.get_or_create(
            call=call,
            reviewer=reviewer,
            defaults={"status": ReviewerInvitation.Status.ACCEPTED, "invited_by": staff},
        )
