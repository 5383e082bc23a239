"""The committee dossier at the scale of a call (issue 18; key ``committee`` of results.json).

On the bench's data (bench/dataset.py, run first), a closed PRI call of 100 applications is added,
each as a real one looks when the committee meets: its partner teams and budget lines (copied from
one of the dataset's applications), the eligibility report frozen at submission (the rules run on
it), a project description and, for one in two, a partner's letter of support (PDFs drawn by
WeasyPrint here, stored as uploads are), three submitted reviews with a comment per criterion and
a synthesis. The staff version of the call's dossier (with the reviews) is then built through the
Celery task's function, timed, and its pages counted. Run again, the phase replaces its call.
"""

from __future__ import annotations

import hashlib
import io
import time
from datetime import timedelta
from decimal import Decimal

N_APPLICATIONS = 100
TITLE_EN = "International research projects — committee dossier bench"
TITLE_FR = "Projets de recherche internationaux — banc du dossier de comité"
REFERENCE = "BENCH-DOSSIER-{n:03d}"

BUDGET_DETAILS = {
    "travel": "Two return flights and ten days' stay for a PhD student and the team leader",
    "events": "A joint two-day workshop with both teams and invited speakers",
    "consumables": "Reagents and sequencing kits for the shared cohort samples",
}
PARAGRAPH = (
    "The two teams will pool the samples of their cohorts and compare the immune response of older "
    "patients over three years, using the same protocols and a shared data management plan. Exchanges "
    "of students in both directions, joint seminars and co-supervised theses build a lasting link. "
)
SECTIONS = ("Context", "Objectives", "Methods", "Work plan", "Expected results", "Added value of the partnership")


def _project_pdf(reference, title, pages):
    """A project description of about `pages` A4 pages, drawn by WeasyPrint."""
    import weasyprint

    body = "".join(f"<h2>{name}</h2>" + f"<p>{PARAGRAPH * (2 * pages)}</p>" for name in SECTIONS)
    html = f"<html><body><h1>{reference} — {title}</h1>{body}</body></html>"
    return weasyprint.HTML(string=html).write_pdf()


def _letter_pdf(institution, leader):
    import weasyprint

    html = (
        f"<html><body><p>{institution}</p><h1>Letter of support</h1>"
        f"<p>{PARAGRAPH}</p><p>{PARAGRAPH}</p><p>{leader}</p></body></html>"
    )
    return weasyprint.HTML(string=html).write_pdf()


def _attachment(application, kind, name, data):
    from django.core.files.base import ContentFile

    from applications.models import Attachment

    attachment = Attachment(
        application=application,
        kind=kind,
        original_name=name,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_at=application.submitted_at,
        uploaded_by_id=application.applicant_id,
    )
    attachment.file.save(name, ContentFile(data), save=False)
    return attachment


def _remove_previous():
    from applications.models import Application
    from calls.models import Call
    from reviews.models import Dossier, Synthesis

    for call in Call.objects.filter(title_en=TITLE_EN):
        for dossier in Dossier.objects.filter(call=call):
            if dossier.file:
                dossier.file.delete(save=False)
        Dossier.objects.filter(call=call).delete()
        Synthesis.objects.filter(application__call=call).delete()
        for application in Application.objects.filter(call=call).prefetch_related("attachments"):
            for attachment in application.attachments.all():
                attachment.file.delete(save=False)
        Application.objects.filter(call=call).delete()
        call.delete()


def make_call(n_applications=N_APPLICATIONS):
    """The call of `n_applications`, reviewed and synthesised; returns (call, figures)."""
    from django.db import transaction
    from django.db.models import Count

    from applications.models import Application, Attachment, BudgetLine, PartnerAnswer, PartnerTeam
    from applications.services import eligibility, frozen_report
    from calls import services as call_services
    from calls.models import Call, Instrument, ReviewCriterion
    from reviews.models import CriterionScore, Recommendation, Review, ReviewAssignment, Synthesis

    _remove_previous()
    source = (
        Call.objects.filter(instrument__code=Instrument.Code.PRI, status=Call.Status.IN_REVIEW)
        .annotate(n=Count("applications"))
        .filter(n__gte=n_applications)
        .order_by("closes_at")
        .first()
    )
    if source is None:
        raise RuntimeError(f"No past PRI call of {n_applications} applications: run the dataset phase first.")
    originals = list(
        Application.objects.filter(call=source)
        .select_related("applicant")
        .prefetch_related("partners", "budget_lines", "review_assignments__review")
        .order_by("pk")[:n_applications]
    )
    projects = {pages: None for pages in (1, 2, 3)}
    with transaction.atomic():
        call = call_services.create_call_from_instrument(
            source.instrument,
            source.year,
            title_fr=TITLE_FR,
            title_en=TITLE_EN,
            opens_at=source.opens_at,
            closes_at=source.closes_at,
            zones=list(source.zones.all()),
        )
        # Open while its applications are judged as they were at submission, in review after.
        call.status = Call.Status.OPEN
        Call.objects.filter(pk=call.pk).update(status=call.status)
        criteria = list(ReviewCriterion.objects.filter(call=call).order_by("position", "id"))
        copies = []
        for n, original in enumerate(originals, start=1):
            copy = Application.objects.get(pk=original.pk)
            copy.pk = copy.id = None
            copy.call = call
            copy.reference = REFERENCE.format(n=n)
            copy.save()
            PartnerTeam.objects.bulk_create(
                [
                    PartnerTeam(
                        application=copy,
                        institution=p.institution,
                        city=p.city,
                        country=p.country,
                        team_leader=p.team_leader,
                        email=p.email,
                        answer=PartnerAnswer.CONFIRMED,
                        answered_at=original.submitted_at - timedelta(days=3),
                    )
                    for p in original.partners.all()
                ]
            )
            BudgetLine.objects.bulk_create(
                [
                    BudgetLine(
                        application=copy,
                        year=line.year,
                        category=line.category,
                        amount=line.amount,
                        description=BUDGET_DETAILS.get(line.category, ""),
                    )
                    for line in original.budget_lines.all()
                ]
            )
            copy.eligibility_report = frozen_report(eligibility(copy, copy.submitted_at))
            Application.objects.filter(pk=copy.pk).update(eligibility_report=copy.eligibility_report)
            pages = 1 + n % 3
            if projects[pages] is None:
                projects[pages] = _project_pdf("", "Project description", pages)
            attachments = [_attachment(copy, Attachment.Kind.PROJECT, "project.pdf", projects[pages])]
            partners = list(copy.partners.all())
            if n % 2 and partners:
                attachments.append(
                    _attachment(
                        copy,
                        Attachment.Kind.LETTER,
                        "letter.pdf",
                        _letter_pdf(partners[0].institution, partners[0].team_leader),
                    )
                )
                attachments[-1].partner = partners[0]
            Attachment.objects.bulk_create(attachments)
            reviewers = []
            for index, old in enumerate(original.review_assignments.all()):
                assignment = ReviewAssignment.objects.create(
                    application=copy,
                    call=call,
                    reviewer_id=old.reviewer_id,
                    due_date=old.due_date,
                    assigned_at=old.assigned_at,
                    assigned_by_id=old.assigned_by_id,
                )
                review = Review.objects.create(
                    assignment=assignment,
                    status=Review.Status.SUBMITTED,
                    recommendation=Recommendation.values[(n + index) % len(Recommendation.values)],
                    general_comment=PARAGRAPH * 2,
                    comment_for_applicant=PARAGRAPH,
                    submitted_at=old.assigned_at + timedelta(days=10),
                )
                CriterionScore.objects.bulk_create(
                    [
                        CriterionScore(
                            review=review,
                            criterion=criterion,
                            score=1 + (n + index + position) % 5,
                            comment="Clear and convincing; the work plan could say more about the risks.",
                        )
                        for position, criterion in enumerate(criteria)
                    ]
                )
                reviewers.append(old.reviewer_id)
            Synthesis.objects.create(
                application=copy,
                rapporteur_id=reviewers[0],
                strengths=PARAGRAPH,
                weaknesses="The budget for the second year is not explained. " * 3,
                recommendation=Recommendation.values[n % len(Recommendation.values)],
                submitted_at=copy.submitted_at + timedelta(days=40),
            )
            copies.append(copy)
        Call.objects.filter(pk=call.pk).update(status=Call.Status.IN_REVIEW)
    figures = {
        "applications": len(copies),
        "partner_teams": PartnerTeam.objects.filter(application__call=call).count(),
        "budget_lines": BudgetLine.objects.filter(application__call=call).count(),
        "attachments": Attachment.objects.filter(application__call=call).count(),
        "reviews": Review.objects.filter(assignment__call=call, status=Review.Status.SUBMITTED).count(),
        "syntheses": Synthesis.objects.filter(application__call=call).count(),
        "requested_eur": str(sum((c.requested_amount or Decimal("0") for c in copies), Decimal("0"))),
    }
    return call, figures


def measure(n_applications=N_APPLICATIONS):
    """{"seconds", "pages", ...}: the staff dossier of the 100-application call, built by the task's
    function (reviews.dossier.build, as the Celery worker runs it)."""
    from django.contrib.auth import get_user_model
    from pypdf import PdfReader

    from bench import dataset as data
    from reviews.dossier import build
    from reviews.models import Dossier

    started = time.perf_counter()
    call, figures = make_call(n_applications)
    figures["setup_seconds"] = round(time.perf_counter() - started, 2)
    staff = get_user_model().objects.get(email=data.STAFF_EMAIL)
    dossier = Dossier.objects.create(call=call, with_reviews=True, requested_by=staff)
    started = time.perf_counter()
    dossier = build(dossier.pk, "fr")
    figures["seconds"] = round(time.perf_counter() - started, 2)
    with dossier.file.open("rb") as handle:
        content = handle.read()
    reader = PdfReader(io.BytesIO(content))
    figures.update(
        status=dossier.status,
        pages=len(reader.pages),
        bookmarks=len([item for item in reader.outline if not isinstance(item, list)]),
        megabytes=round(len(content) / 1e6, 2),
    )
    return figures
