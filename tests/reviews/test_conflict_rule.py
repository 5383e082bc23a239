"""The conflict-of-interest rule is written once (reviews.conflicts.conflict_kinds) and mirrored twice
for speed: in SQL (models.conflict_filter, the querysets) and in bulk (routing_adapter.conflict_pairs,
the router). Each case is built in the database and the three must give the same answer."""

from dataclasses import dataclass, field

import pytest
from django.utils import timezone

from accounts.models import User
from applications.models import Application, CoApplicant, PartnerTeam, ResearcherProfile
from reviews import conflicts, routing_adapter
from reviews.models import ConflictOfInterest, conflict_filter
from reviews.selectors import conflict_facts
from tests.applications.factories import ProfileFactory

from .factories import ReviewerProfileFactory, submitted_application

pytestmark = pytest.mark.django_db


@dataclass
class Case:
    """An application (applicant's unit, one partner team) and a reviewer, unrelated unless a
    field says otherwise; ``expected``: the kinds of conflict, in the rule's order."""

    expected: list
    applicant_unit: str | None = "U1234"  # None: the applicant has no researcher profile
    partner_email: str = "leader@partner.example"
    partner_institution: str = "University of Tokyo"
    reviewer_email: str = "reviewer@elsewhere.example"
    reviewer_unit: str = "U9999"
    reviewer_institution: str = "Karolinska Institutet"
    reviewer_is_applicant: bool = False
    declared: dict = field(default_factory=dict)  # ConflictOfInterest fields
    co_applicant_unit: str | None = None  # None: no co-applicant
    co_applicant_accepted: bool = True
    reviewer_is_co_applicant: bool = False


CASES = {
    "no conflict": Case([]),
    "the reviewer is the applicant": Case([conflicts.PERSONAL], reviewer_is_applicant=True),
    "partner team leader, e-mail in another case": Case(
        [conflicts.COLLABORATOR], partner_email="sATO@u-tokyo.example", reviewer_email="Sato@U-Tokyo.Example"
    ),
    "same unit, another case and a stray space": Case([conflicts.SAME_UNIT], reviewer_unit=" u1234"),
    "same unit, a stray space on the applicant's side": Case(
        [conflicts.SAME_UNIT], applicant_unit="u1234 ", reviewer_unit="U1234"
    ),
    "partner institution, another case and spacing": Case(
        [conflicts.PARTNER_INSTITUTION],
        partner_institution="University of  Tokyo",
        reviewer_institution="university OF\ttokyo",
    ),
    "partner institution, accented capitals": Case(
        [conflicts.PARTNER_INSTITUTION],
        partner_institution="Universität Zürich",
        reviewer_institution="UNIVERSITÄT ZÜRICH",
    ),
    "a similar but other institution": Case([], reviewer_institution="University of Kyoto"),
    "declared by the reviewer": Case(["other"], declared={"kind": "other", "source": "reviewer"}),
    "recorded by staff, also computed": Case(
        [conflicts.SAME_UNIT, conflicts.PERSONAL],
        reviewer_unit="U1234",
        declared={"kind": conflicts.PERSONAL, "source": "staff"},
    ),
    "declared with the computed kind: once": Case(
        [conflicts.SAME_UNIT], reviewer_unit="U1234", declared={"kind": conflicts.SAME_UNIT}
    ),
    "every computed kind at once": Case(
        [conflicts.PERSONAL, conflicts.COLLABORATOR, conflicts.SAME_UNIT, conflicts.PARTNER_INSTITUTION],
        reviewer_is_applicant=True,
        partner_email="me@here.example",
        reviewer_email="me@here.example",
        reviewer_unit="U1234",
        reviewer_institution="University of Tokyo",
    ),
    "a co-applicant's unit, another case and a space": Case(
        [conflicts.SAME_UNIT], co_applicant_unit="U5678", reviewer_unit=" u5678"
    ),
    "a co-applicant's unit, invitation not accepted: no conflict": Case(
        [], co_applicant_unit="U5678", co_applicant_accepted=False, reviewer_unit="U5678"
    ),
    "the reviewer is a co-applicant": Case(
        [conflicts.PERSONAL], co_applicant_unit="U5678", reviewer_is_co_applicant=True
    ),
    "a co-applicant with a blank unit is not the same unit": Case([], co_applicant_unit=" ", reviewer_unit=""),
    "two empty units are not the same unit": Case([], applicant_unit="", reviewer_unit=""),
    "a blank unit is not the same unit": Case([], applicant_unit="  ", reviewer_unit=" "),
    "an applicant without a researcher profile": Case([], applicant_unit=None, reviewer_unit=""),
    "two empty institutions are not the same institution": Case([], partner_institution="", reviewer_institution=""),
    "two empty e-mails are not the same person": Case([], partner_email="", reviewer_email=""),
}


def build(call, case):
    application = submitted_application(call)
    if case.applicant_unit is None:
        ResearcherProfile.objects.filter(user=application.applicant).delete()
    else:
        ResearcherProfile.objects.filter(user=application.applicant).update(unit_code=case.applicant_unit)
    PartnerTeam.objects.filter(application=application).update(
        email=case.partner_email, institution=case.partner_institution
    )
    user = application.applicant if case.reviewer_is_applicant else None
    if case.co_applicant_unit is not None:
        co_applicant = ProfileFactory(unit_code="U0000").user
        ResearcherProfile.objects.filter(user=co_applicant).update(unit_code=case.co_applicant_unit)
        CoApplicant.objects.create(
            application=application,
            email=co_applicant.email,
            user=co_applicant if case.co_applicant_accepted else None,
            accepted_at=timezone.now() if case.co_applicant_accepted else None,
        )
        user = co_applicant if case.reviewer_is_co_applicant else user
    profile = ReviewerProfileFactory(
        **({"user": user} if user else {}), unit_code=case.reviewer_unit, institution=case.reviewer_institution
    )
    # The manager lowers e-mails; the rule must not rely on it (older accounts, imports).
    User.objects.filter(pk=profile.user_id).update(email=case.reviewer_email)
    if case.declared:
        ConflictOfInterest.objects.create(reviewer=profile.user, application=application, **case.declared)
    return Application.objects.get(pk=application.pk), User.objects.get(pk=profile.user_id)


@pytest.mark.parametrize("name", CASES)
def test_the_rule_and_its_sql_and_bulk_mirrors_agree(call, name):
    case = CASES[name]
    application, reviewer = build(call, case)

    rule = conflicts.conflict_kinds(*conflict_facts(reviewer, application))
    sql = Application.objects.filter(conflict_filter(reviewer), pk=application.pk).exists()
    bulk = routing_adapter.conflict_pairs([application], [reviewer]).tolist()

    assert rule == case.expected
    assert sql == bool(case.expected)
    assert bulk == ([[0, 0]] if case.expected else [])
