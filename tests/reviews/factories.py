"""Factories of the reviews app: reviewers and their profiles, submitted applications, assignments."""

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from applications.models import Application
from calls.models import Call, ReviewCriterion
from reviews.models import (
    ExpertiseTerm,
    ReviewAssignment,
    ReviewerInvitation,
    ReviewerProfile,
    Screening,
)
from tests.applications.factories import (
    AttachmentFactory,
    BudgetLineFactory,
    PartnerFactory,
    ProfileFactory,
)
from tests.factories import CallFactory, ReviewerFactory


class ClosedCallFactory(CallFactory):
    """A Tremplin call closed yesterday, with two weighted criteria."""

    status = Call.Status.CLOSED
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=40))
    closes_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))

    @factory.post_generation
    def criteria(obj, create, extracted, **kwargs):
        if not create:
            return
        weights = extracted if extracted is not None else [Decimal("2"), Decimal("1")]
        ReviewCriterion.objects.bulk_create(
            [
                ReviewCriterion(call=obj, name_fr=f"Critère {i}", name_en=f"Criterion {i}", weight=w, position=i)
                for i, w in enumerate(weights, start=1)
            ]
        )


class ExpertiseTermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExpertiseTerm
        django_get_or_create = ("name_en",)

    name_en = factory.Sequence(lambda n: f"term {n}")
    name_fr = factory.LazyAttribute(lambda o: f"{o.name_en} (fr)")


class ReviewerProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReviewerProfile
        skip_postgeneration_save = True

    user = factory.SubFactory(ReviewerFactory)
    institution = "Karolinska Institutet"
    country = "SE"
    unit_code = ""
    free_keywords = "ageing"
    max_load_per_call = 5

    @factory.post_generation
    def expertise(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.expertise.set(extracted)


def pool_reviewer(call, **profile_fields):
    """A reviewer with a profile who accepted the call's invitation."""
    profile = ReviewerProfileFactory(**profile_fields)
    ReviewerInvitation.objects.create(call=call, reviewer=profile.user, status=ReviewerInvitation.Status.ACCEPTED)
    return profile.user


_references = iter(range(1, 10**6))


def submitted_application(
    call,
    *,
    unit_code=None,
    partner_institution="University of Tokyo",
    partner_email=None,
    partner_country="JP",
    keywords="ageing, neuro-immunology",
    theme="",
    amount="8000.00",
    attachment=False,
    status=Application.Status.SUBMITTED,
    screened=True,
):
    """A submitted application with a profile (unit), one partner, one budget line; screened
    admissible unless `screened` is False (routing takes admissible applications only)."""
    profile = ProfileFactory(**({"unit_code": unit_code} if unit_code else {}))
    number = next(_references)
    application = Application.objects.create(
        call=call,
        applicant=profile.user,
        title=f"Project {number}",
        abstract="Neurons and immune cells in the ageing brain.",
        keywords=keywords,
        theme=theme,
        duration_months=12,
        status=status,
        reference=f"TREMPLIN-{call.year}-{call.pk}-{number:05d}",
        submitted_at=timezone.now() - timedelta(days=2),
        requested_amount=Decimal(amount),
        eligible=True,
    )
    PartnerFactory(
        application=application,
        institution=partner_institution,
        country=partner_country,
        email=partner_email or f"leader{number}@partner.example",
    )
    BudgetLineFactory(application=application, amount=Decimal(amount))
    if attachment:
        AttachmentFactory(application=application)
    if screened:
        Screening.objects.create(application=application, outcome=Screening.Outcome.ADMISSIBLE)
    return application


def assign(application, reviewer, due_in_days=20):
    """An active assignment made directly (the routing path has its own tests)."""
    if application.status == Application.Status.SUBMITTED:
        application.status = Application.Status.IN_REVIEW
        application.save(update_fields=["status"])
    return ReviewAssignment.objects.create(
        application=application,
        call=application.call,
        reviewer=reviewer,
        due_date=timezone.localdate() + timedelta(days=due_in_days),
    )
