"""The researcher's section of the personal-data download and of an erasure (accounts.personal_data).

Kept on erasure: decided applications, as frozen grant records (reference, call, title, abstract,
partners, budget, eligibility report, decision) with their history and attachments, for the
retention period the README states; the account that owns them is anonymised. Erased: drafts and
withdrawn applications with their files and history, and the researcher profile. While an
application is submitted or in review, the erasure waits for the decision (the review needs it).
The outbox's call alerts and e-mails are the notifications section's. The applications the user
works on as a co-applicant are listed (address, role, dates) and their co-applicant rows erased:
the application stays its lead's. Frozen copies of submissions go or stay with their application;
requests for more information name staff (kept: their accounts are closed by the administrators).

`MODELS` are those that name the user: as applicant, submitter or uploader (their rows go or stay
with the application), and as the actor of an application's history (staff's rows about other
people's applications stay: staff accounts are closed by the administrators, not erased here).
"""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.personal_data import ErasureError

from .models import Application, CoApplicant, ResearcherProfile

MODELS = [
    "applications.ResearcherProfile",
    "applications.Application",
    "applications.Attachment",
    "applications.CoApplicant",
    "applications.InformationRequest",
    "applications.SubmittedVersion",
]

KEPT_STATUSES = (Application.Status.DECIDED,)
BLOCKING_STATUSES = (Application.Status.SUBMITTED, Application.Status.IN_REVIEW, Application.Status.MORE_INFO)


def _profile(user):
    profile = ResearcherProfile.objects.filter(user=user).first()
    if profile is None:
        return None
    return {
        "unit_code": profile.unit_code,
        "team": profile.team,
        "grade": profile.grade,
        "recruited_on": profile.recruited_on,
        "atip_avenir_year": profile.atip_avenir_year,
        "erc_starting_grant_year": profile.erc_starting_grant_year,
        "orcid": profile.orcid,
    }


def _application(application):
    return {
        "id": application.pk,
        "reference": application.reference,
        "call": str(application.call),
        "status": application.status,
        "title": application.title,
        "abstract": application.abstract,
        "keywords": application.keywords,
        "theme": application.theme,
        "duration_months": application.duration_months,
        "collaboration_is_new": application.collaboration_is_new,
        "created_at": application.created_at,
        "submitted_at": application.submitted_at,
        "withdrawn_at": application.withdrawn_at,
        "requested_amount": application.requested_amount,
        "eligible": application.eligible,
        "eligibility_report": application.eligibility_report,
        "partners": [
            {
                "institution": p.institution,
                "city": p.city,
                "country": str(p.country),
                "team_leader": p.team_leader,
                "email": p.email,
            }
            for p in application.partners.all()
        ],
        "budget": [
            {"year": b.year, "category": b.category, "amount": b.amount, "description": b.description}
            for b in application.budget_lines.all()
        ],
        "attachments": [
            {
                "kind": a.kind,
                "file_name": a.original_name,
                "size": a.size,
                "sha256": a.sha256,
                "uploaded_at": a.uploaded_at,
            }
            for a in application.attachments.all()
        ],
    }


def export(user):
    applications = (
        Application.objects.filter(applicant=user)
        .select_related("call")
        .prefetch_related("partners", "budget_lines", "attachments")
        .order_by("created_at", "pk")
    )
    co_applications = CoApplicant.objects.filter(user=user).select_related("application").order_by("invited_at", "pk")
    return {
        "researcher_profile": _profile(user),
        "applications": [_application(a) for a in applications],
        "co_applications": [
            {
                "application": str(c.application),
                "email": c.email,
                "role": c.role,
                "invited_at": c.invited_at,
                "accepted_at": c.accepted_at,
            }
            for c in co_applications
        ],
    }


def erase(user, by_user):
    applications = Application.objects.select_for_update().filter(applicant=user)
    if applications.filter(status__in=BLOCKING_STATUSES).exists():
        raise ErasureError(
            _("The researcher has an application under review: carry out the erasure after the decision.")
        )
    erasable = list(applications.exclude(status__in=KEPT_STATUSES).prefetch_related("attachments"))
    files = [(a.file.storage, a.file.name) for application in erasable for a in application.attachments.all()]
    kept = applications.filter(status__in=KEPT_STATUSES).count()
    for application in erasable:
        application.delete()
    transaction.on_commit(lambda: [storage.delete(name) for storage, name in files])
    profiles = ResearcherProfile.objects.filter(user=user).delete()[0]
    co_applications = CoApplicant.objects.filter(user=user).delete()[0]
    return (
        f"{len(erasable)} draft or withdrawn application(s) and {len(files)} file(s) deleted; "
        f"{co_applications} co-applicant place(s) left; "
        f"{profiles} researcher profile deleted; {kept} decided application(s) kept as grant records."
    )
