"""Generate a whole year of the portal's data for `make bench` (issue 9), fast.

``.venv/bin/python bench/make_dataset.py --reset`` (or bench/run.py) empties the portal's tables,
then writes, with PostgreSQL COPY (explicit ids, sequences moved on afterwards):

- the reference data of the calls app (instruments, zones, rotation, themes, key partnerships);
- 10 calls that closed over the last twelve months (Tremplins, PRI over every zone, PCT), in review,
  and 3 open calls (the public list; the open Tremplins call takes the deadline rush);
- 10,000 submitted applications spread over the past calls, with their partner teams (in every
  zone), budget lines, the project PDF's row and their history;
- 2,000 reviewers with a profile (expertise from a 300-term vocabulary with Zipf-like popularity,
  themes, unit or institution, load caps), invited to every past call and accepted;
- 3 active, conflict-free assignments per application (30,000 reviews, 80 % submitted with a score
  per criterion, the rest drafts), and a few declared conflicts of interest;
- the drafts of the rush (complete, eligible Tremplin applications, one per researcher) and the
  subscribers of the notifications benchmark.

Conflicts of interest are about 2 % of the application x reviewer pairs, as in real data: four
reviewers in five are Inserm staff in one of 40 units, and an applicant's unit is one of the same
40 (a shared unit is a computed conflict), the others belong to partner institutions.

Role users have stable e-mails (``bench-staff@``, ``bench-researcher@``, ``bench-reviewer@`` at
bench.inserm.fr) so the benchmark finds the same people at every scale. Only for benchmarks: bench/
is no Django app, so a production install has no command that empties the portal's tables; this
one runs from bench/run.py and bench/make_dataset.py (``call_command(Command(), ...)``).
"""

import json
import random
import time
from datetime import timedelta
from decimal import Decimal

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import AuditEvent, User
from applications.actions import ApplicationAction
from applications.models import (
    Application,
    Attachment,
    BudgetLine,
    PartnerTeam,
    ReferenceCounter,
    ResearcherProfile,
)
from bench import projects_data
from calls import demo
from calls import services as call_services
from calls.models import Call, Instrument, ReviewCriterion, Zone
from notifications.models import Subscription
from projects.models import Project, Report
from reviews import conflicts
from reviews.models import (
    ConflictOfInterest,
    CriterionScore,
    ExpertiseTerm,
    Recommendation,
    Review,
    ReviewAssignment,
    ReviewerInvitation,
    ReviewerProfile,
)

PASSWORD = "bench-inserm-2026"
NOTIFICATION_TOPIC = "bench:notifications"
STAFF_EMAIL = "bench-staff@bench.inserm.fr"
RESEARCHER_EMAIL = "bench-researcher@bench.inserm.fr"
REVIEWER_EMAIL = "bench-reviewer@bench.inserm.fr"
RUSH_EMAIL = "rush{n}@bench.inserm.fr"
PORTAL_APPS = ("accounts", "notifications", "calls", "applications", "reviews", "projects", "sessions", "admin")
UNITS = [f"U{1000 + 37 * n}" for n in range(40)]
REVIEWS_PER_APPLICATION = 3

FIELDS = [
    ("cardiology", "cardiologie"),
    ("oncology", "oncologie"),
    ("neuroscience", "neurosciences"),
    ("immunology", "immunologie"),
    ("infectiology", "infectiologie"),
    ("metabolism", "métabolisme"),
    ("ageing", "vieillissement"),
    ("psychiatry", "psychiatrie"),
    ("epidemiology", "épidémiologie"),
    ("genetics", "génétique"),
    ("nephrology", "néphrologie"),
    ("hepatology", "hépatologie"),
    ("pneumology", "pneumologie"),
    ("ophthalmology", "ophtalmologie"),
    ("dermatology", "dermatologie"),
    ("endocrinology", "endocrinologie"),
    ("paediatrics", "pédiatrie"),
    ("virology", "virologie"),
    ("haematology", "hématologie"),
    ("public health", "santé publique"),
]
METHODS = [
    ("imaging", "imagerie"),
    ("genomics", "génomique"),
    ("cohorts", "cohortes"),
    ("clinical trials", "essais cliniques"),
    ("cell biology", "biologie cellulaire"),
    ("modelling", "modélisation"),
    ("biomarkers", "biomarqueurs"),
    ("proteomics", "protéomique"),
    ("animal models", "modèles animaux"),
    ("data science", "science des données"),
    ("pharmacology", "pharmacologie"),
    ("gene therapy", "thérapie génique"),
    ("organoids", "organoïdes"),
    ("single-cell analysis", "analyse en cellule unique"),
    ("health economics", "économie de la santé"),
]
WORDS = (
    "the project studies how cells tissues and patients respond to treatment over time using shared "
    "cohorts samples and models built by both teams with exchanges of students and joint seminars"
).split()
FIRST_NAMES = "Alice Bruno Chloé David Emma Farid Giulia Hugo Inès Jonas Karim Léa Marc Nora Omar Paula".split()
LAST_NAMES = "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent Lefebvre".split()
PAST_CALLS = [
    # (instrument, zone codes for PRI or theme code for PCT)
    (Instrument.Code.TREMPLIN, None),
    (Instrument.Code.PRI, ["europe"]),
    (Instrument.Code.PCT, "ageing"),
    (Instrument.Code.PRI, ["asia", "oceania"]),
    (Instrument.Code.TREMPLIN, None),
    (Instrument.Code.PRI, ["north-america", "latin-america"]),
    (Instrument.Code.PCT, "mental-health"),
    (Instrument.Code.PRI, ["africa", "middle-east"]),
    (Instrument.Code.TREMPLIN, None),
    (Instrument.Code.PCT, "chronic-diseases"),
]


class Ids:
    """Explicit primary keys for COPY, per model (the tables are empty after --reset)."""

    def __init__(self):
        self.last = {}

    def next(self, model):
        if model not in self.last:
            self.last[model] = self._start(model)
        value = self.last[model] + 1
        self.last[model] = value
        return value

    @staticmethod
    def _start(model):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {model._meta.db_table}")  # noqa: S608
            return cursor.fetchone()[0]


def copy_objects(objects):
    """Write unsaved model instances (ids set) with one COPY; returns how many."""
    if not objects:
        return 0
    model = type(objects[0])
    fields = model._meta.concrete_fields
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    prepared = []
    for f in fields:
        if f.get_internal_type() == "JSONField":
            prepared.append((f.attname, lambda value: json.dumps(value)))
        else:
            prepared.append((f.attname, lambda value, f=f: f.get_db_prep_save(value, connection)))
    connection.ensure_connection()
    raw = connection.connection
    with raw.cursor() as cursor:
        with cursor.copy(f"COPY {model._meta.db_table} ({columns}) FROM STDIN") as copy:  # noqa: S608
            for obj in objects:
                copy.write_row([prepare(getattr(obj, attname)) for attname, prepare in prepared])
    return len(objects)


def move_sequences(models):
    with connection.cursor() as cursor:
        for model in models:
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, 'id'), COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, "  # noqa: S608
                "false)",
                [table],
            )


def zipf_weights(n, exponent=0.8):
    weights = [1.0 / (rank**exponent) for rank in range(1, n + 1)]
    total = sum(weights)
    return [w / total for w in weights]


class Command(BaseCommand):
    help = "Generate a year of calls, applications, reviewers and reviews for the benchmarks (empties the tables)."

    def add_arguments(self, parser):
        parser.add_argument("--applications", type=int, default=10_000)
        parser.add_argument("--reviewers", type=int, default=2_000)
        parser.add_argument("--rush-drafts", type=int, default=2_500)  # the rush (2,000) and the burst (500)
        parser.add_argument("--subscribers", type=int, default=10_000)
        parser.add_argument("--projects", type=int, default=None, help="funded projects (default: one per application)")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--reset", action="store_true", help="empty every table of the portal first")
        parser.add_argument("--json", action="store_true", help="print the figures as one JSON line")

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError(
                "The bench dataset is written with PostgreSQL COPY: set DATABASE_URL to a PostgreSQL database."
            )
        name = connection.settings_dict["NAME"]
        if options["reset"] and "bench" not in name and name != "inserm_faults":  # bench/faults' own
            raise CommandError("--reset empties every table: only on a database whose name contains 'bench'.")
        started = time.perf_counter()
        self.rng = random.Random(options["seed"])
        self.ids = Ids()
        self.now = timezone.now()
        self.application_type = ContentType.objects.get_for_model(Application)
        self.password = make_password(PASSWORD)  # hashed once: every bench user shares it
        with transaction.atomic():
            if options["reset"]:
                self.reset()
            elif User.objects.filter(email=STAFF_EMAIL).exists():
                raise CommandError("Bench data already present: pass --reset to start again.")
            self.steps = {}
            self.step(self.reference_data)
            self.step(self.make_calls)
            self.step(self.make_vocabulary)
            self.step(self.make_people, options["applications"], options["reviewers"], options["rush_drafts"])
            self.step(self.make_applications, options["applications"])
            self.step(self.make_rush_drafts, options["rush_drafts"])
            self.step(self.make_reviews)
            self.step(self.make_subscriptions, options["subscribers"])
            projects = options["projects"] if options["projects"] is not None else options["applications"]
            self.step(self.make_projects, projects)
            move_sequences(
                [
                    User,
                    ResearcherProfile,
                    ReviewerProfile,
                    ReviewerProfile.expertise.through,
                    ReviewerProfile.themes.through,
                    ExpertiseTerm,
                    Application,
                    PartnerTeam,
                    BudgetLine,
                    Attachment,
                    AuditEvent,
                    ReviewerInvitation,
                    ReviewAssignment,
                    Review,
                    CriterionScore,
                    ConflictOfInterest,
                    Subscription,
                    *projects_data.MODELS,
                ]
            )
        self.step(self.analyze)
        figures = {
            "seconds": round(time.perf_counter() - started, 2),
            "calls": Call.objects.count(),
            "applications_submitted": Application.objects.exclude(status=Application.Status.DRAFT)
            .filter(project__isnull=True)
            .count(),
            "rush_drafts": Application.objects.filter(status=Application.Status.DRAFT).count(),
            "partner_teams": PartnerTeam.objects.count(),
            "partner_zones": len(self.partner_zones),
            "zones": Zone.objects.count(),
            "researchers": User.objects.filter(is_researcher=True).count(),
            "reviewers": User.objects.filter(is_reviewer=True).count(),
            "assignments": ReviewAssignment.objects.count(),
            "reviews": Review.objects.count(),
            "reviews_submitted": Review.objects.filter(status=Review.Status.SUBMITTED).count(),
            "criterion_scores": CriterionScore.objects.count(),
            "subscribers": Subscription.objects.filter(topic=NOTIFICATION_TOPIC).count(),
            "projects": Project.objects.count(),
            "project_reports": Report.objects.count(),
            "steps_seconds": self.steps,
        }
        if options["json"]:
            self.stdout.write(json.dumps(figures))
        else:
            for key, value in figures.items():
                self.stdout.write(f"{key}: {value}")

    # --- Steps ------------------------------------------------------------------------------------

    def step(self, function, *args):
        started = time.perf_counter()
        function(*args)
        self.steps[function.__name__] = round(time.perf_counter() - started, 2)

    def analyze(self):
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    def reset(self):
        existing = set(connection.introspection.table_names())
        tables = [
            model._meta.db_table
            for label in PORTAL_APPS
            for model in apps.get_app_config(label).get_models(include_auto_created=True)
            if model._meta.db_table in existing
        ]
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")

    def reference_data(self):
        self.instruments, self.themes = demo._load_reference_data()
        self.zones = {zone.code: zone for zone in Zone.objects.prefetch_related("countries")}
        self.zone_countries = {
            code: sorted(c.country.code for c in zone.countries.all()) for code, zone in self.zones.items()
        }
        self.country_zone = {c: code for code, countries in self.zone_countries.items() for c in countries}
        self.all_foreign = sorted(self.country_zone)
        self.staff = User(
            id=self.ids.next(User),
            email=STAFF_EMAIL,
            first_name="Bench",
            last_name="Staff",
            password=self.password,
            is_staff=True,
            is_superuser=True,
            date_joined=self.now,
        )
        copy_objects([self.staff])

    def make_calls(self):
        """Ten calls closed over the last year (in review) and three open ones."""
        self.past_calls = []
        for index, (code, target) in enumerate(PAST_CALLS):
            closes = self.now - timedelta(days=20 + 33 * index)
            opens = closes - timedelta(days=60)
            instrument = self.instruments[code]
            extra = {}
            if code == Instrument.Code.PRI:
                extra["zones"] = [self.zones[z] for z in target]
            if code == Instrument.Code.PCT:
                extra.update(priority_themes=[self.themes[target]], ceiling=demo.DEMO_PCT_CEILING)
            call = call_services.create_call_from_instrument(
                instrument,
                closes.year,
                title_fr=f"{instrument.name_fr} {closes.year} — session {index + 1}",
                title_en=f"{instrument.name_en} {closes.year} — round {index + 1}",
                opens_at=opens,
                closes_at=closes,
                **extra,
            )
            call.target = target
            self.past_calls.append(call)
        Call.objects.filter(pk__in=[c.pk for c in self.past_calls]).update(status=Call.Status.IN_REVIEW)
        year = self.now.year
        self.rush_call = call_services.create_call_from_instrument(
            self.instruments[Instrument.Code.TREMPLIN],
            year,
            title_fr=f"Tremplins internationaux {year}",
            title_en=f"International springboards {year}",
            opens_at=self.now - timedelta(days=30),
            closes_at=self.now + timedelta(days=1),
        )
        call_services.open_call(self.rush_call, self.staff)
        pri = call_services.create_call_from_instrument(
            self.instruments[Instrument.Code.PRI],
            year,
            opens_at=self.now - timedelta(days=10),
            closes_at=self.now + timedelta(days=50),
        )
        call_services.open_call(pri, self.staff)
        pct = call_services.create_call_from_instrument(
            self.instruments[Instrument.Code.PCT],
            year,
            opens_at=self.now + timedelta(days=5),
            closes_at=self.now + timedelta(days=90),
            ceiling=demo.DEMO_PCT_CEILING,
            priority_themes=[self.themes["climate-health"]],
        )
        call_services.open_call(pct, self.staff)
        self.project_calls = projects_data.make_calls(self)
        self.criteria = {}
        for criterion in ReviewCriterion.objects.filter(call__in=self.past_calls).order_by("position", "id"):
            self.criteria.setdefault(criterion.call_id, []).append(criterion.pk)

    def make_vocabulary(self):
        terms = []
        for field_en, field_fr in FIELDS:
            for method_en, method_fr in METHODS:
                terms.append(
                    ExpertiseTerm(
                        id=self.ids.next(ExpertiseTerm),
                        name_en=f"{field_en} {method_en}",
                        name_fr=f"{method_fr} en {field_fr}",
                    )
                )
        self.rng.shuffle(terms)  # popularity must not follow the alphabet
        copy_objects(terms)
        self.terms = terms
        self.term_weights = zipf_weights(len(terms))
        self.theme_codes = sorted(self.themes)

    def pick_terms(self, low, high):
        count = self.rng.randint(low, high)
        chosen = {}
        while len(chosen) < count:
            for term in self.rng.choices(self.terms, weights=self.term_weights, k=count):
                chosen[term.pk] = term
        return list(chosen.values())[:count]

    def person(self, email, **flags):
        return User(
            id=self.ids.next(User),
            email=email,
            first_name=self.rng.choice(FIRST_NAMES),
            last_name=self.rng.choice(LAST_NAMES),
            password=self.password,
            language=self.rng.choice(("fr", "fr", "en")),
            date_joined=self.now - timedelta(days=self.rng.randint(30, 2000)),
            **flags,
        )

    def make_people(self, n_applications, n_reviewers, n_rush):
        rng = self.rng
        n_researchers = max(1, round(n_applications * 0.9))
        researchers = [self.person(RESEARCHER_EMAIL, is_researcher=True)]
        researchers += [
            self.person(f"researcher{n}@bench.inserm.fr", is_researcher=True) for n in range(1, n_researchers)
        ]
        rush = [self.person(RUSH_EMAIL.format(n=n), is_researcher=True) for n in range(n_rush)]
        reviewers = [self.person(REVIEWER_EMAIL, is_reviewer=True)]
        reviewers += [self.person(f"reviewer{n}@bench.inserm.fr", is_reviewer=True) for n in range(1, n_reviewers)]
        copy_objects(researchers + rush + reviewers)
        self.researchers, self.rush_researchers, self.reviewers = researchers, rush, reviewers

        profiles = []
        self.unit_of = {}
        today = self.now.date()
        for user in researchers:
            unit = rng.choice(UNITS)
            self.unit_of[user.pk] = unit
            grade = rng.choice(["CRCN", "CRCN", "CRHC", "DR2", "DR1", "IR"])
            profiles.append(
                ResearcherProfile(
                    id=self.ids.next(ResearcherProfile),
                    user_id=user.pk,
                    unit_code=unit,
                    team=f"Team {rng.randint(1, 12)}",
                    grade=grade,
                    recruited_on=today - timedelta(days=rng.randint(200, 4000)),
                    atip_avenir_year=rng.choice([None, None, None, today.year - 2]),
                    updated_at=self.now,
                )
            )
        for user in rush:
            unit = rng.choice(UNITS)
            self.unit_of[user.pk] = unit
            profiles.append(
                ResearcherProfile(
                    id=self.ids.next(ResearcherProfile),
                    user_id=user.pk,
                    unit_code=unit,
                    team="Team 1",
                    grade="CRCN",
                    recruited_on=today - timedelta(days=rng.randint(200, 1400)),  # under 5 years: eligible
                    updated_at=self.now,
                )
            )
        copy_objects(profiles)

        self.institutions = [
            f"University of {city} {n}" for n in range(20) for city in ("North", "South", "East", "West", "Central")
        ]
        self.institutions += [f"Institute {n}" for n in range(300)]
        reviewer_profiles, expertise, themes = [], [], []
        ExpertiseThrough = ReviewerProfile.expertise.through
        ThemeThrough = ReviewerProfile.themes.through
        self.reviewer_unit, self.reviewer_institution, self.capacity = {}, {}, {}
        theme_ids = {code: theme.pk for code, theme in self.themes.items()}
        for user in reviewers:
            inserm = rng.random() < 0.8
            unit = rng.choice(UNITS) if inserm else ""
            institution = "Inserm" if inserm else rng.choice(self.institutions)
            capacity = rng.randint(9, 27)  # mean 18: capacity 1.2 x the demand of 10,000 x 3
            profile = ReviewerProfile(
                id=self.ids.next(ReviewerProfile),
                user_id=user.pk,
                free_keywords="",
                institution=institution,
                country="FR" if inserm else rng.choice(self.all_foreign),
                unit_code=unit,
                max_load_per_call=capacity,
                is_available=True,
                updated_at=self.now,
            )
            reviewer_profiles.append(profile)
            self.reviewer_unit[user.pk] = unit
            self.reviewer_institution[user.pk] = institution.casefold()
            self.capacity[user.pk] = capacity
            for term in self.pick_terms(5, 15):
                expertise.append(
                    ExpertiseThrough(
                        id=self.ids.next(ExpertiseThrough), reviewerprofile_id=profile.pk, expertiseterm_id=term.pk
                    )
                )
            for code in rng.sample(self.theme_codes, rng.randint(1, 2)):
                themes.append(
                    ThemeThrough(
                        id=self.ids.next(ThemeThrough), reviewerprofile_id=profile.pk, prioritytheme_id=theme_ids[code]
                    )
                )
        copy_objects(reviewer_profiles)
        copy_objects(expertise)
        copy_objects(themes)
        invitations = [
            ReviewerInvitation(
                id=self.ids.next(ReviewerInvitation),
                call_id=call.pk,
                reviewer_id=user.pk,
                status=ReviewerInvitation.Status.ACCEPTED,
                invited_by_id=self.staff.pk,
                invited_at=call.closes_at - timedelta(days=20),
                responded_at=call.closes_at - timedelta(days=18),
            )
            for call in self.past_calls
            for user in reviewers
        ]
        copy_objects(invitations)

    def partners_for(self, call):
        rng = self.rng
        code = call.instrument.code
        if code == Instrument.Code.TREMPLIN:
            countries = [rng.choice(self.all_foreign)]
        elif code == Instrument.Code.PRI:
            pool = [c for zone in call.target for c in self.zone_countries[zone]]
            countries = [rng.choice(pool) for _ in range(rng.randint(1, 3))]
        else:
            countries = [rng.choice(self.all_foreign) for _ in range(rng.randint(4, 5))]
        return countries

    def budget_for(self, call, n_partners):
        rng = self.rng
        code = call.instrument.code
        if code == Instrument.Code.TREMPLIN:
            return [
                (1, "travel", Decimal(rng.randint(20, 60) * 100)),
                (1, "consumables", Decimal(rng.randint(10, 40) * 100)),
            ]
        if code == Instrument.Code.PRI:
            return [(year, "travel", Decimal(rng.randint(40, 110) * 100)) for year in range(1, 6)]
        return [
            (year, category, Decimal(rng.randint(50, 250) * 100))
            for year in range(1, 6)
            for category in ("travel", "events")
        ]

    def application_row(self, call, applicant, status, created, reference=None, submitted=None):
        rng = self.rng
        terms = self.pick_terms(3, 8)
        themes = getattr(call, "target", None)
        theme = themes if isinstance(themes, str) else rng.choice(self.theme_codes)
        words = rng.choices(WORDS, k=rng.randint(40, 120))
        return Application(
            id=self.ids.next(Application),
            call_id=call.pk,
            applicant_id=applicant.pk,
            title=f"{terms[0].name_en.capitalize()} with {terms[-1].name_en}"[:300],
            abstract=" ".join(words).capitalize() + ".",
            keywords=", ".join(term.name_en for term in terms),
            theme=theme,
            duration_months=call.duration_months,
            collaboration_is_new=True if call.instrument.code == Instrument.Code.TREMPLIN else None,
            status=status,
            reference=reference,
            submitted_at=submitted,
            submitted_by_id=applicant.pk if submitted else None,
            eligibility_report=[],
            eligible=True if submitted else None,
            created_at=created,
            updated_at=submitted or created,
        )

    def children(self, application, call, countries, applicant, created):
        rng = self.rng
        partners = []
        for country in countries:
            institution = rng.choice(self.institutions)
            partners.append(
                PartnerTeam(
                    id=self.ids.next(PartnerTeam),
                    application_id=application.pk,
                    institution=institution,
                    city=f"City {rng.randint(1, 500)}",
                    country=country,
                    team_leader=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                    email=f"leader{rng.randint(1, 50000)}@partner.example.org",
                )
            )
        lines = [
            BudgetLine(
                id=self.ids.next(BudgetLine),
                application_id=application.pk,
                year=year,
                category=category,
                amount=amount,
                description="",
            )
            for year, category, amount in self.budget_for(call, len(countries))
        ]
        attachment = Attachment(
            id=self.ids.next(Attachment),
            application_id=application.pk,
            kind=Attachment.Kind.PROJECT,
            file=f"applications/{application.pk}/bench.pdf",
            original_name="project.pdf",
            size=120_000 + rng.randint(0, 200_000),
            sha256="0" * 64,
            uploaded_at=created,
            uploaded_by_id=applicant.pk,
        )
        return partners, lines, attachment

    def make_applications(self, n):
        rng = self.rng
        applications, partners, lines, attachments, events = [], [], [], [], []
        counters = {}
        self.partner_institutions = {}
        self.partner_zones = set()
        self.call_applications = {call.pk: [] for call in self.past_calls}
        calls = self.past_calls
        # The bench researcher owns the first application and two more: their dashboard lists several.
        owners = [self.researchers[0]] * min(3, n) + [rng.choice(self.researchers) for _ in range(max(0, n - 3))]
        for index in range(n):
            call = calls[index % len(calls)] if index else calls[0]
            applicant = owners[index]
            created = call.opens_at + timedelta(hours=rng.randint(1, 24 * 50))
            submitted = min(created + timedelta(hours=rng.randint(1, 200)), call.closes_at - timedelta(minutes=1))
            key = (call.instrument.code, call.year)
            counters[key] = counters.get(key, 0) + 1
            reference = f"{key[0]}-{key[1]}-{counters[key]:04d}"
            application = self.application_row(
                call, applicant, Application.Status.IN_REVIEW, created, reference, submitted
            )
            countries = self.partners_for(call)
            app_partners, app_lines, attachment = self.children(application, call, countries, applicant, created)
            application.requested_amount = sum((line.amount for line in app_lines), Decimal("0"))
            applications.append(application)
            partners += app_partners
            lines += app_lines
            attachments.append(attachment)
            self.partner_zones.update(self.country_zone[c] for c in countries)
            self.partner_institutions[application.pk] = {p.institution.casefold() for p in app_partners}
            self.call_applications[call.pk].append(application)
            events += [
                self.history(application, applicant, ApplicationAction.CREATED, created),
                self.history(
                    application,
                    applicant,
                    ApplicationAction.SUBMITTED,
                    submitted,
                    status={"from": Application.Status.DRAFT.value, "to": Application.Status.SUBMITTED.value},
                    requested_amount=str(application.requested_amount),
                ),
                self.history(
                    application,
                    self.staff,
                    ApplicationAction.STATUS,
                    call.closes_at,
                    status={"from": Application.Status.SUBMITTED.value, "to": Application.Status.IN_REVIEW.value},
                ),
            ]
        copy_objects(applications)
        copy_objects(partners)
        copy_objects(lines)
        copy_objects(attachments)
        copy_objects(events)
        ReferenceCounter.objects.bulk_create(
            [
                ReferenceCounter(instrument_code=code, year=year, last_number=last)
                for (code, year), last in counters.items()
            ]
        )
        self.applications = applications

    def history(self, application, actor, action, at, **changes):
        """The application's audit-trail row, as the services record it (its history)."""
        return AuditEvent(
            id=self.ids.next(AuditEvent),
            at=at,
            actor_id=actor.pk,
            actor_repr=actor.email,
            action=action.value,
            content_type_id=self.application_type.pk,
            object_id=str(application.pk),
            object_repr=str(application)[:300],
            changes=changes,
        )

    def make_rush_drafts(self, n):
        """Complete, eligible Tremplin drafts, one per rush researcher, on the open call."""
        rng = self.rng
        call = self.rush_call
        applications, partners, lines, attachments, events = [], [], [], [], []
        for user in self.rush_researchers[:n]:
            created = self.now - timedelta(days=rng.randint(1, 20))
            application = self.application_row(call, user, Application.Status.DRAFT, created)
            app_partners, app_lines, attachment = self.children(
                application, call, [rng.choice(self.all_foreign)], user, created
            )
            applications.append(application)
            partners += app_partners
            lines += app_lines
            attachments.append(attachment)
            events.append(self.history(application, user, ApplicationAction.CREATED, created))
        copy_objects(applications)
        copy_objects(partners)
        copy_objects(lines)
        copy_objects(attachments)
        copy_objects(events)
        if applications:
            self.check_submittable(applications[0].pk)

    def check_submittable(self, application_id):
        from applications import services

        application = services._prefetched(application_id)
        findings = services.eligibility(application)
        problems = services.submission_problems(application, findings)
        if problems:
            raise CommandError(f"A rush draft could not be submitted: {problems}")

    def conflicted(self, application, reviewer_id):
        """The portal's own rule (reviews.conflicts), on the values kept in memory (no declared
        conflict yet: they are added later, on pairs left unassigned)."""
        reviewer = conflicts.ReviewerFacts(
            user_id=reviewer_id,
            unit_code=self.reviewer_unit[reviewer_id],
            institution=self.reviewer_institution[reviewer_id],
        )
        facts = conflicts.ApplicationFacts(
            application_id=application.pk,
            applicant_id=application.applicant_id,
            applicant_unit=self.unit_of.get(application.applicant_id) or "",
            partner_institutions=tuple(self.partner_institutions[application.pk]),
        )
        return bool(conflicts.conflict_kinds(reviewer, facts))

    def make_reviews(self):
        rng = self.rng
        reviewer_ids = [user.pk for user in self.reviewers]
        bench_reviewer = reviewer_ids[0]
        assignments, reviews, scores = [], [], []
        for call in self.past_calls:
            load = dict.fromkeys(reviewer_ids, 0)
            due = (call.closes_at + timedelta(days=30)).date()
            assigned_at = call.closes_at + timedelta(days=2)
            for application in self.call_applications[call.pk]:
                chosen = []
                if application.pk == self.applications[0].pk and not self.conflicted(application, bench_reviewer):
                    chosen.append(bench_reviewer)
                    load[bench_reviewer] += 1
                tries = 0
                while len(chosen) < min(REVIEWS_PER_APPLICATION, len(reviewer_ids)) and tries < 200:
                    tries += 1
                    candidate = rng.choice(reviewer_ids)
                    if candidate in chosen or load[candidate] >= self.capacity[candidate]:
                        continue
                    if self.conflicted(application, candidate):
                        continue
                    chosen.append(candidate)
                    load[candidate] += 1
                for reviewer_id in chosen:
                    assignment = ReviewAssignment(
                        id=self.ids.next(ReviewAssignment),
                        application_id=application.pk,
                        call_id=call.pk,
                        reviewer_id=reviewer_id,
                        status=ReviewAssignment.Status.ACTIVE,
                        due_date=due,
                        assigned_by_id=self.staff.pk,
                        assigned_at=assigned_at,
                        end_reason="",
                    )
                    assignments.append(assignment)
                    submitted = rng.random() < 0.8
                    review = Review(
                        id=self.ids.next(Review),
                        assignment_id=assignment.pk,
                        status=Review.Status.SUBMITTED if submitted else Review.Status.DRAFT,
                        recommendation=rng.choice(Recommendation.values) if submitted else "",
                        general_comment="A solid collaboration with clear added value." if submitted else "",
                        submitted_at=assigned_at + timedelta(days=rng.randint(1, 25)) if submitted else None,
                        updated_at=assigned_at + timedelta(days=rng.randint(1, 25)),
                    )
                    reviews.append(review)
                    criteria = self.criteria[call.pk] if submitted else self.criteria[call.pk][: rng.randint(0, 2)]
                    base = rng.randint(2, 4)
                    for criterion_id in criteria:
                        scores.append(
                            CriterionScore(
                                id=self.ids.next(CriterionScore),
                                review_id=review.pk,
                                criterion_id=criterion_id,
                                score=max(1, min(5, base + rng.randint(-1, 1))),
                                comment="",
                            )
                        )
        copy_objects(assignments)
        copy_objects(reviews)
        copy_objects(scores)
        # A few conflicts declared by reviewers, on pairs that are not assigned.
        assigned = {(a.application_id, a.reviewer_id) for a in assignments}
        declared = {}
        for _ in range(min(1000, len(self.applications) * len(reviewer_ids) // 50)):
            pair = (rng.choice(self.applications).pk, rng.choice(reviewer_ids))
            if pair not in assigned:
                declared[pair] = ConflictOfInterest(
                    id=self.ids.next(ConflictOfInterest),
                    reviewer_id=pair[1],
                    application_id=pair[0],
                    kind=ConflictOfInterest.Kind.COLLABORATOR,
                    source=ConflictOfInterest.Source.REVIEWER,
                    reason="Co-authored a paper with the applicant.",
                    recorded_by_id=pair[1],
                    created_at=self.now - timedelta(days=30),
                )
        copy_objects(list(declared.values()))

    def make_projects(self, n):
        projects_data.make_projects(self, n)

    def make_subscriptions(self, n):
        users = (self.researchers + self.rush_researchers + self.reviewers)[:n]
        copy_objects(
            [
                Subscription(
                    id=self.ids.next(Subscription), user_id=user.pk, topic=NOTIFICATION_TOPIC, created_at=self.now
                )
                for user in users
            ]
        )
