"""Every admin changelist of the portal, every app's and the third-party ones registered on its
site, costs the same number of queries with 1 row as with 50: no query per row.

Each registered model has a builder below that makes `n` new rows, each with related rows of its
own (its user, call, application...), so a relation read per row would show as 49 more queries.
A model registered without a builder fails the test: give it one.
"""

from datetime import timedelta
from decimal import Decimal
from itertools import count

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_countries import countries
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import AuditEvent, ErasureRequest
from calls.models import Instrument, ZoneCountry
from reviews.models import ConflictOfInterest, Decision, Review, RoutingProposal
from tests.applications.factories import ApplicationFactory, ProfileFactory
from tests.calls.factories import InstitutionalAgreementFactory, RotationYearFactory, ZoneFactory
from tests.factories import CallFactory, InstrumentFactory, ResearcherFactory, StaffFactory, UserFactory
from tests.isolation import fast_password_hashing, media_root, no_celery_broker  # noqa: F401
from tests.notifications.factories import NotificationFactory, SubscriptionFactory
from tests.reviews.factories import (
    ClosedCallFactory,
    ExpertiseTermFactory,
    ReviewerProfileFactory,
    assign,
    pool_reviewer,
    submitted_application,
)

pytestmark = pytest.mark.django_db

_numbers = count(1)


def _each(n, make):
    return [make(next(_numbers)) for _ in range(n)]


def _groups(n):
    permissions = list(Permission.objects.order_by("pk")[:3])

    def make(i):
        group = Group.objects.create(name=f"Group {i}")
        group.permissions.set(permissions)
        return group

    return _each(n, make)


def _access(model, **fields):
    def build(n):
        return _each(
            n,
            lambda i: model.objects.create(
                username=f"user{i}@example.org",
                ip_address=f"10.0.{i // 250}.{i % 250 + 1}",
                user_agent="Mozilla/5.0",
                http_accept="text/html",
                path_info="/fr/accounts/login/",
                **fields,
            ),
        )

    return build


def _audit_events(n):
    def make(i):
        call = CallFactory()
        return AuditEvent.objects.create(
            actor=StaffFactory(),
            actor_repr=f"staff{i}@inserm.fr",
            action="call.status",
            content_type=ContentType.objects.get_for_model(call),
            object_id=str(call.pk),
            object_repr=str(call),
            changes={"status": {"from": "draft", "to": "open"}, "closes_at": {"from": None, "to": "2026-12-31"}},
        )

    return _each(n, make)


def _erasure_requests(n):
    def make(i):
        user = ResearcherFactory()
        return ErasureRequest.objects.create(user=user, user_repr=user.email, handled_by=StaffFactory())

    return _each(n, make)


def _devices(n):
    return _each(n, lambda i: TOTPDevice.objects.create(user=StaffFactory(), name=f"Phone {i}", confirmed=True))


def _instruments(n):
    # The programmes have four instruments; the changelist must not care how many there are.
    return _each(n, lambda i: Instrument.objects.create(code=f"X{i}", name_fr=f"Instrument {i}", name_en=f"I {i}"))


def _zones(n):
    """Zones of two countries each (a country belongs to one zone: those still free)."""
    taken = set(ZoneCountry.objects.values_list("country", flat=True))
    free = iter(code for code, _name in countries if code not in taken)
    return _each(n, lambda i: ZoneFactory(countries=[next(free), next(free)]))


def _rotation_years(n):
    return _each(n, lambda i: RotationYearFactory(year=2100 + i, zones=[ZoneFactory(), ZoneFactory()]))


def _themes(n):
    from calls.models import PriorityTheme

    return _each(n, lambda i: PriorityTheme.objects.create(code=f"theme-{i}", name_fr=f"Thème {i}", name_en=f"T {i}"))


def _calls(n):
    return _each(n, lambda i: CallFactory(instrument=InstrumentFactory(code=Instrument.Code.PRI)))


def _agreements(n):
    return _each(n, lambda i: InstitutionalAgreementFactory(themes_fr="Vieillissement", themes_en="Ageing"))


def _conflicts(n):
    call = ClosedCallFactory()
    return _each(
        n,
        lambda i: ConflictOfInterest.objects.create(
            reviewer=ReviewerProfileFactory().user,
            application=submitted_application(call),
            kind=ConflictOfInterest.Kind.COLLABORATOR,
            recorded_by=StaffFactory(),
        ),
    )


def _proposals(n):
    def make(i):
        call = ClosedCallFactory()
        return RoutingProposal.objects.create(
            call=call,
            application=submitted_application(call) if i % 2 else None,
            due_date=timezone.localdate() + timedelta(days=20),
            created_by=StaffFactory(),
        )

    return _each(n, make)


def _assignments(n):
    call = ClosedCallFactory()
    return _each(n, lambda i: assign(submitted_application(call), pool_reviewer(call)))


def _reviews(n):
    return [Review.objects.create(assignment=assignment, recommendation="support") for assignment in _assignments(n)]


def _decisions(n):
    call = ClosedCallFactory()
    return _each(
        n,
        lambda i: Decision.objects.create(
            application=submitted_application(call, status="in_review"),
            outcome=Decision.Outcome.FUNDED,
            amount=Decimal("8000.00"),
            decided_by=StaffFactory(),
        ),
    )


def _invitations(n):
    call = ClosedCallFactory()
    return _each(n, lambda i: pool_reviewer(call))


def _project_records(label):
    """Funded projects (Tremplin: one report each) with one record of every kind each."""

    def build(n):
        from tests.projects.factories import bulk_projects, project_records

        projects = bulk_projects(n, instrument=Instrument.Code.TREMPLIN)
        if label == "projects.Project":
            return projects
        if label == "projects.Report":
            return [project.reports.get() for project in projects]
        return [project_records(project)[label] for project in projects]

    return build


def _cooperations(n):
    from cooperation.models import Cooperation

    def make(i):
        return Cooperation.objects.create(
            year=2020,
            unit_code=f"U{i}",
            partner_institution=f"Institute {i}",
            city="Tokyo",
            country="JP",
            kind=Cooperation.Kind.COHORT,
            declared_by=ResearcherFactory(),
        )

    return _each(n, make)


def _sites(n):
    from cooperation.models import Site

    return _each(
        n,
        lambda i: Site.objects.create(
            name_fr=f"Site {i}",
            name_en=f"Site {i}",
            kind=Site.Kind.PRI_CITY,
            city="Tokyo",
            country="JP",
            latitude=Decimal("35.6"),
            longitude=Decimal("139.6"),
        ),
    )


def _figures(n):
    from cooperation.models import YearlyFigures

    return _each(n, lambda i: YearlyFigures.objects.create(year=1990 + i % 100, declared_cooperations=i))


PROJECT_MODELS = [
    "projects.Project",
    "projects.Payment",
    "projects.Report",
    "projects.ReportVersion",
    "projects.Evaluation",
    "projects.ChangeRequest",
]

BUILDERS = {
    "auth.Group": _groups,
    "axes.AccessAttempt": _access(AccessAttempt, get_data="", post_data="", failures_since_start=3),
    "axes.AccessLog": _access(AccessLog),
    "axes.AccessFailureLog": _access(AccessFailureLog, locked_out=False),
    "accounts.User": lambda n: UserFactory.create_batch(n),
    "accounts.AuditEvent": _audit_events,
    "accounts.ErasureRequest": _erasure_requests,
    "otp_totp.TOTPDevice": _devices,
    "notifications.Notification": lambda n: NotificationFactory.create_batch(n),
    "notifications.Subscription": lambda n: SubscriptionFactory.create_batch(n),
    "calls.Instrument": _instruments,
    "calls.Zone": _zones,
    "calls.RotationYear": _rotation_years,
    "calls.PriorityTheme": _themes,
    "calls.Call": _calls,
    "calls.InstitutionalAgreement": _agreements,
    "applications.Application": lambda n: ApplicationFactory.create_batch(n),
    "applications.ResearcherProfile": lambda n: ProfileFactory.create_batch(n),
    "reviews.ExpertiseTerm": lambda n: ExpertiseTermFactory.create_batch(n),
    "reviews.ReviewerProfile": lambda n: _each(n, lambda i: ReviewerProfileFactory(expertise=[ExpertiseTermFactory()])),
    "reviews.ReviewerInvitation": _invitations,
    "reviews.ConflictOfInterest": _conflicts,
    "reviews.RoutingProposal": _proposals,
    "reviews.ReviewAssignment": _assignments,
    "reviews.Review": _reviews,
    "reviews.Decision": _decisions,
    **{label: _project_records(label) for label in PROJECT_MODELS},
    "cooperation.Cooperation": _cooperations,
    "cooperation.Site": _sites,
    "cooperation.YearlyFigures": _figures,
}

REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)


def test_every_registered_changelist_has_a_builder():
    assert sorted(model._meta.label for model in REGISTERED) == sorted(BUILDERS)


def _changelist(client, model):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    client.get(url)  # the session, content types and permissions' caches, as for any later request
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return queries, response.context["cl"]


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_changelist_costs_the_same_queries_with_1_and_50_rows(model, client, settings):
    settings.PAGE_CACHE = False  # the queries of a rendered page (a cached one costs fewer)
    client.force_login(StaffFactory(email="admin@inserm.fr"))
    build = BUILDERS[model._meta.label]
    build(1)
    one, listed = _changelist(client, model)
    shown = len(listed.result_list)
    build(49)
    fifty, listed = _changelist(client, model)
    assert len(listed.result_list) == min(shown + 49, listed.list_per_page)
    assert len(fifty.captured_queries) == len(one.captured_queries), "\n".join(
        query["sql"] for query in fifty.captured_queries
    )
