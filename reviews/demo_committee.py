"""Demo of the committee (issue 18), loaded by reviews.demo after the closed call. Idempotent.

A closed Tremplin call at the meeting stage: four applications (one by the demo researcher),
screened admissible, routed by the real router to the demo reviewer and two colleagues, every
review submitted with a comment for the applicant, a rapporteur named and a synthesis written for
each, a few messages in a discussion. The call has a budget envelope that the top three requests
fit and the four do not, and shares its feedback with the applicants: staff hold the meeting,
publish within the envelope, and the demo researcher reads the feedback in their letter.
"""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from applications import drafting
from applications import services as applications
from applications.models import Application, BudgetLine, Grade, ResearcherProfile
from calls import services as calls
from calls.models import Call, Instrument, ReviewCriterion

from .models import ReviewAssignment, ReviewerInvitation, ReviewerProfile, Screening
from .services import (
    confirm_routing,
    launch_routing,
    name_rapporteur,
    post_message,
    proposed_rapporteur,
    save_review,
    screen_application,
    write_synthesis,
)

MEETING_CALL_TITLE_FR = "Tremplins internationaux — comité de sélection de démonstration"
MEETING_CALL_TITLE_EN = "International springboards — demonstration selection committee"
ENVELOPE = Decimal("24000")

# Two colleagues of the demo reviewer, so that each application has two reviews.
REVIEWERS = [
    ("ana.costa@demo.inserm.fr", "Ana", "Costa", "Universidade de Lisboa", "PT", ["immunology", "ageing", "cancer"]),
    ("lars.nilsson@demo.inserm.fr", "Lars", "Nilsson", "Lund University", "SE", ["epidemiology", "public health"]),
]

# (applicant e-mail, first, last, unit, title, partner, city, country, fields, requested, score)
APPLICATIONS = [
    (
        "researcher@demo.inserm.fr",
        "Camille",
        "Durand",
        "U1234",
        "Immunosénescence et vaccination des personnes âgées",
        "University of Melbourne",
        "Melbourne",
        "AU",
        ["ageing", "immunology", "public health"],
        Decimal("8000"),
        4,
    ),
    (
        "researcher6@demo.inserm.fr",
        "Inès",
        "Garnier",
        "U1310",
        "Frailty and inflammation in a Chilean cohort",
        "Pontificia Universidad Católica de Chile",
        "Santiago",
        "CL",
        ["ageing", "epidemiology", "immunology"],
        Decimal("9000"),
        5,
    ),
    (
        "researcher7@demo.inserm.fr",
        "Yann",
        "Le Goff",
        "U1311",
        "Air pollution and childhood asthma in Hanoi",
        "Hanoi Medical University",
        "Hanoi",
        "VN",
        ["public health", "epidemiology", "prevention"],
        Decimal("7000"),
        4,
    ),
    (
        "researcher8@demo.inserm.fr",
        "Léa",
        "Fontaine",
        "U1312",
        "Immune checkpoints in elderly cancer patients",
        "University of Tokyo",
        "Tokyo",
        "JP",
        ["cancer", "immunology", "ageing"],
        Decimal("6000"),
        2,
    ),
]

COMMENTS = {
    5: ("An outstanding partnership with a clear plan.", "The aims are clear and the partner is well chosen."),
    4: ("A sound project; year 2 is ambitious.", "A sound project. Consider a more realistic timeline for year 2."),
    3: ("Promising but thin on methods.", "Describe the methods and the data sharing more precisely."),
    2: ("The partnership is not yet convincing.", "Explain what each team brings and how they will work together."),
}


def _reviewer(email, first, last, institution, country, fields, terms):
    user, _ = User.objects.get_or_create(
        email=email,
        defaults={"first_name": first, "last_name": last, "is_reviewer": True, "language": "en"},
    )
    profile, created = ReviewerProfile.objects.get_or_create(
        user=user, defaults={"institution": institution, "country": country, "max_load_per_call": 8}
    )
    if created:
        profile.expertise.set([terms[name] for name in fields])
    return user


def _application(call, row, terms, pdf, staff):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from applications.models import Attachment

    email, first, last, unit, title, institution, city, country, fields, amount, _score = row
    researcher, _ = User.objects.get_or_create(
        email=email, defaults={"first_name": first, "last_name": last, "is_researcher": True, "language": "fr"}
    )
    ResearcherProfile.objects.get_or_create(
        user=researcher,
        defaults={
            "unit_code": unit,
            "team": title,
            "grade": Grade.CRCN,
            "recruited_on": timezone.localdate() - timedelta(days=700),
        },
    )
    draft = applications.create_draft(researcher, call)
    drafting.update_draft(
        draft,
        researcher,
        title=title,
        abstract=f"{title}: a new collaboration between an Inserm team and {institution}.",
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
        email=f"{email.split('@')[0]}.partner@example.org",
    )
    BudgetLine.objects.create(application=draft, year=1, category="travel", amount=amount)
    applications.add_attachment(
        draft, SimpleUploadedFile("project.pdf", pdf, "application/pdf"), Attachment.Kind.PROJECT, researcher
    )
    applications.submit_application(draft, researcher)
    return Application.objects.get(pk=draft.pk)


def load(terms, staff, pdf):
    if Call.objects.filter(title_fr=MEETING_CALL_TITLE_FR).exists():
        return
    reviewers = [User.objects.get(email="reviewer@demo.inserm.fr")]
    reviewers += [_reviewer(*row, terms) for row in REVIEWERS]
    tremplin = Instrument.objects.get(code=Instrument.Code.TREMPLIN)
    now = timezone.now()
    call = calls.create_call_from_instrument(
        tremplin,
        now.year,
        title_fr=MEETING_CALL_TITLE_FR,
        title_en=MEETING_CALL_TITLE_EN,
        opens_at=now - timedelta(days=60),
        closes_at=now + timedelta(days=1),
    )
    calls.open_call(call, staff)
    scores = {}
    for row in APPLICATIONS:
        application = _application(call, row, terms, pdf, staff)
        scores[application.pk] = row[-1]
    calls.close_call(call, staff)
    Call.objects.filter(pk=call.pk).update(budget_envelope=ENVELOPE, feedback_to_applicants=True)
    for application in Application.objects.filter(call=call):
        screen_application(application, staff, Screening.Outcome.ADMISSIBLE)
    for reviewer in reviewers:
        ReviewerInvitation.objects.get_or_create(
            call=call,
            reviewer=reviewer,
            defaults={"status": ReviewerInvitation.Status.ACCEPTED, "invited_by": staff},
        )
    proposal = launch_routing(call, staff, reviewers_per_application=2, inline=True)
    confirm_routing(proposal, staff)
    criteria = list(ReviewCriterion.objects.filter(call=call))
    for assignment in ReviewAssignment.objects.filter(call=call).select_related("reviewer").order_by("pk"):
        score = scores[assignment.application_id]
        # The second reviewer of an application is a point more generous: a spread to discuss.
        if assignment.reviewer.email != "reviewer@demo.inserm.fr":
            score = min(5, score + 1)
        confidential, for_applicant = COMMENTS[score]
        save_review(
            assignment,
            assignment.reviewer,
            scores={criterion.pk: (score, confidential) for criterion in criteria},
            recommendation={5: "strongly_support", 4: "support", 3: "reservations", 2: "do_not_support"}[score],
            general_comment=confidential,
            comment_for_applicant=for_applicant,
            submit=True,
        )
    for application in Application.objects.filter(call=call).order_by("pk"):
        rapporteur = proposed_rapporteur(application)
        name_rapporteur(application, rapporteur, staff)
        score = scores[application.pk]
        write_synthesis(
            application,
            rapporteur,
            strengths="A committed partner team and a clear question.",
            weaknesses=COMMENTS[score][1],
            recommendation={5: "strongly_support", 4: "support", 3: "reservations", 2: "do_not_support"}[score],
            submit=True,
        )
    discussed = Application.objects.filter(call=call, applicant__email="researcher8@demo.inserm.fr").first()
    if discussed is not None:
        assignments = ReviewAssignment.objects.filter(application=discussed).select_related("reviewer")
        # The demo reviewer asks first; the colleague answers.
        for assignment in sorted(assignments, key=lambda a: a.reviewer.email != "reviewer@demo.inserm.fr"):
            post_message(
                discussed,
                assignment.reviewer,
                "Is the partner's role in year 2 clear to you? I scored it low on that."
                if assignment.reviewer.email == "reviewer@demo.inserm.fr"
                else "Their letter describes it, but only briefly.",
            )
