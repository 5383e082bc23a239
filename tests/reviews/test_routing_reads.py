"""The set-based reads of routing (reviews.routing_reads, issue 21) give exactly the arrays the
former computation from model instances gave (tests/reviews/routing_oracle.py), on a varied call:
vocabulary terms named in either language, free keywords in any case and spacing, themes, texts,
units, e-mails and institutions written differently, co-applicants who accepted or not, applicants
without a profile, declared conflicts, reviewers who are applicants, and bids of every kind."""

import random

import numpy as np
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from applications.models import Application, CoApplicant, PartnerTeam, ResearcherProfile
from calls.models import PriorityTheme
from reviews import routing_adapter, routing_reads
from reviews.models import Bid, ConflictOfInterest
from reviews.routing import bids, text
from tests.applications.factories import ProfileFactory

from . import routing_oracle as oracle
from .factories import ExpertiseTermFactory, pool_reviewer, submitted_application

pytestmark = pytest.mark.django_db

UNITS = ["U1001", " u1001", "U1002", "u 1002", "", "  ", "U1003"]
INSTITUTIONS = ["University of Tokyo", "university OF\ttokyo", "Universität Zürich", "UNIVERSITÄT ZÜRICH", "Uni B"]
EMAILS = ["rev1@lab.example", "REV2@Lab.Example", " rev3@lab.example", "lee@kaist.example", ""]
WORDS = ["Ageing", "vieillissement", "imaging", "IMAGERIE", "cohort", " MRI ", "microglia", "santé mentale"]
TEXTS = [
    "Insuffisance cardiaque du sujet âgé, fibrose myocardique.",
    "Microglia and neuro-inflammation in Alzheimer's disease.",
    "Cohorte de patients, imagerie cérébrale et vieillissement.",
    "",
]


def varied_call(call, seed):
    rng = random.Random(seed)
    terms = [
        ExpertiseTermFactory(name_en="Ageing", name_fr="Vieillissement"),
        ExpertiseTermFactory(name_en="Imaging", name_fr="Imagerie"),
        ExpertiseTermFactory(name_en="Epidemiology", name_fr="Épidémiologie"),
    ]
    themes = [
        PriorityTheme.objects.get_or_create(
            code="mental-health", defaults={"name_fr": "Santé mentale", "name_en": "Mental health"}
        )[0],
        PriorityTheme.objects.get_or_create(code="cancer", defaults={"name_fr": "Cancer", "name_en": "Cancer"})[0],
    ]
    reviewers = []
    for n in range(9):
        reviewer = pool_reviewer(
            call,
            unit_code=rng.choice(UNITS),
            institution=rng.choice(INSTITUTIONS),
            free_keywords=", ".join(rng.sample(WORDS, rng.randint(0, 3))),
            expertise=rng.sample(terms, rng.randint(0, 2)),
            expertise_statement=rng.choice(TEXTS),
            recent_publications=rng.choice(TEXTS),
            max_load_per_call=rng.randint(1, 4),
        )
        reviewer.reviewer_profile.themes.set(rng.sample(themes, rng.randint(0, 2)))
        type(reviewer).objects.filter(pk=reviewer.pk).update(email=f"{'REV' if n % 2 else 'rev'}{n}@Lab.example")
        reviewers.append(reviewer)
    applications = []
    for n in range(14):
        application = submitted_application(
            call,
            keywords="; ".join(rng.sample(WORDS, rng.randint(0, 4))),
            theme=rng.choice(["", "mental-health", "Santé mentale", "cancer", "ageing"]),
            partner_institution=rng.choice(INSTITUTIONS),
            partner_email=rng.choice(EMAILS[:4]),
        )
        Application.objects.filter(pk=application.pk).update(
            abstract=rng.choice(TEXTS),
            vocabulary_terms=[str(t.pk) for t in rng.sample(terms, rng.randint(0, 2))] + (["x"] if n % 5 == 0 else []),
        )
        if n % 4 == 0:
            ResearcherProfile.objects.filter(user=application.applicant).update(unit_code=rng.choice(UNITS))
        if n % 7 == 3:
            ResearcherProfile.objects.filter(user=application.applicant).delete()
        if n % 3 == 0:
            co = ProfileFactory(unit_code="U0000").user
            ResearcherProfile.objects.filter(user=co).update(unit_code=rng.choice(UNITS))
            accepted = n % 2 == 0
            CoApplicant.objects.create(
                application=application,
                email=co.email,
                user=co if accepted else None,
                accepted_at=timezone.now() if accepted else None,
            )
        if n % 5 == 1:
            PartnerTeam.objects.filter(application=application).update(email=rng.choice(EMAILS))
        applications.append(application)
    # A reviewer who is an applicant, another a co-applicant who accepted.
    Application.objects.filter(pk=applications[2].pk).update(applicant=reviewers[1])
    CoApplicant.objects.create(
        application=applications[5], email=reviewers[2].email, user=reviewers[2], accepted_at=timezone.now()
    )
    for i, j in ((0, 3), (4, 4), (7, 0)):
        ConflictOfInterest.objects.create(reviewer=reviewers[j], application=applications[i], kind="other")
    kinds = [bids.EAGER, bids.WILLING, bids.NEUTRAL, bids.NOT_WILLING]
    for i, j in {(rng.randrange(14), rng.randrange(9)) for _ in range(20)}:
        Bid.objects.create(application=applications[i], reviewer=reviewers[j], kind=rng.choice(kinds))
    return oracle.load(applications, reviewers)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_set_based_reads_give_exactly_the_former_arrays(call, seed):
    applications, reviewers = varied_call(call, seed)
    # Any order of rows and columns, not only by id.
    applications, reviewers = applications[::-1], reviewers[3:] + reviewers[:3]

    expected = oracle.keyword_affinity(applications, reviewers)
    assert expected.any()
    assert np.array_equal(routing_adapter.keyword_affinity(applications, reviewers), expected)

    rows, app_ids, pool = routing_adapter._read(applications, reviewers)
    inputs = routing_reads.read_affinity_inputs(rows, app_ids, pool.ids)
    assert inputs.app_texts == [oracle.application_text(a) for a in applications]
    assert inputs.reviewer_texts == [oracle.reviewer_text(r) for r in reviewers]

    expected_conflicts = oracle.conflict_pairs(applications, reviewers)
    assert len(expected_conflicts) >= 5
    assert np.array_equal(routing_adapter.conflict_pairs(applications, reviewers), expected_conflicts)

    got_bids = routing_reads.read_bids(rows, app_ids, pool.ids)
    want_bids = oracle.bid_arrays(applications, reviewers)
    assert sorted(zip(*(part.tolist() for part in got_bids), strict=True)) == sorted(
        zip(*(part.tolist() for part in want_bids), strict=True)
    )


def test_the_routers_arrays_for_a_call_are_the_former_ones(call):
    applications, reviewers = varied_call(call, 4)
    data = routing_adapter.read_arrays(routing_adapter.routed_queryset(call), routing_adapter.pool_queryset(call))
    assert data.application_ids.tolist() == [a.pk for a in applications]
    assert data.pool.ids.tolist() == [r.pk for r in reviewers]
    texts = text.text_affinity(
        [oracle.application_text(a) for a in applications], [oracle.reviewer_text(r) for r in reviewers]
    )
    affinity, reluctant = bids.combine(
        oracle.keyword_affinity(applications, reviewers), texts, oracle.bid_arrays(applications, reviewers)
    )
    assert np.array_equal(data.affinity, affinity)
    assert sorted(map(tuple, data.reluctant.tolist())) == sorted(map(tuple, reluctant.tolist()))
    assert np.array_equal(data.conflicts, oracle.conflict_pairs(applications, reviewers))


def test_reading_a_call_costs_the_same_queries_whatever_its_size(call):
    varied_call(call, 5)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            routing_adapter.build_input(call, 3)
        return len(ctx.captured_queries)

    small = count()
    for _ in range(6):
        submitted_application(call, keywords="cohort")
        pool_reviewer(call, free_keywords="cohort")
    assert count() == small <= 16
