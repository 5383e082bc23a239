"""The co-applicants' roles against every page of an application and every page of issue 17:
anonymous, another researcher, the lead, a co-applicant who accepted, a co-applicant the lead
removed (access ends at once: 404 everywhere), a reviewer and staff. Each request is rolled back."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import translation

from applications import co_applicants, services
from applications.co_applicants import link_path
from applications.models import Attachment
from tests.applications.factories import ApplicationFactory, ProfileFactory, pdf_bytes
from tests.factories import ResearcherFactory, ReviewerFactory, StaffFactory

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "other", "lead", "co", "removed", "reviewer", "staff")


def expect(default, **overrides):
    return {role: overrides.get(role, default) for role in ROLES}


@pytest.fixture
def world():
    draft = ApplicationFactory()
    lead = draft.applicant
    ProfileFactory(user=lead)
    users = {"anonymous": None, "lead": lead, "other": ResearcherFactory(), "reviewer": ReviewerFactory()}
    users["staff"] = StaffFactory()
    members = {}
    for role in ("co", "removed"):
        user = ResearcherFactory(email=f"{role}@inserm.example")
        ProfileFactory(user=user)
        member = co_applicants.invite_co_applicant(draft, lead, user.email, "co_investigator")
        members[role] = co_applicants.accept_invitation(link_path(member).split("/")[-2], user)
        users[role] = user
    co_applicants.remove_co_applicant(members["removed"], lead)
    waiting = co_applicants.invite_co_applicant(draft, lead, "waiting@inserm.example", "administrative")
    attachment = services.add_attachment(
        draft, SimpleUploadedFile("p.pdf", pdf_bytes(), "application/pdf"), Attachment.Kind.PROJECT, lead
    )
    return draft, users, members["co"], waiting, attachment


def cases(draft, co, waiting, attachment, language):
    def u(name, *args):
        with translation.override(language):
            return reverse(f"applications:{name}", args=args)

    token = link_path(waiting).split("/")[-2]
    researchers = expect(404, anonymous=302, other=200, lead=200, co=200, removed=200)
    return [
        ("get", u("dashboard"), {}, researchers),
        ("get", u("detail", draft.pk), {}, expect(404, lead=200, co=200, staff=200)),
        ("get", u("step", draft.pk, "general"), {}, expect(404, lead=200, co=200, staff=302)),
        ("get", u("step", draft.pk, "budget"), {}, expect(404, lead=200, co=200, staff=302)),
        (
            "post",
            u("autosave", draft.pk),
            {"title": "Autosaved"},
            expect(404, anonymous=401, lead=200, co=200, staff=409),
        ),
        ("post", u("checklist", draft.pk), {"checklist_step": "budget"}, expect(404, lead=200, co=200)),
        ("post", u("submit", draft.pk), {}, expect(404, lead=302)),
        ("get", u("withdraw", draft.pk), {}, expect(404, lead=200)),
        ("post", u("withdraw", draft.pk), {}, expect(404, lead=302)),
        ("get", u("attachment", draft.pk, attachment.pk), {}, expect(404, lead=200, co=200, staff=200)),
        ("post", u("attachment_delete", draft.pk, attachment.pk), {}, expect(404, lead=302, co=302)),
        (
            "post",
            u("co_applicant_invite", draft.pk),
            {"email": "x@inserm.example", "role": "administrative"},
            expect(404, lead=302),
        ),
        ("post", u("co_applicant_resend", draft.pk, waiting.pk), {}, expect(404, lead=302)),
        ("get", u("co_applicant_remove", draft.pk, waiting.pk), {}, expect(404, lead=200)),
        ("post", u("co_applicant_remove", draft.pk, waiting.pk), {}, expect(404, lead=302)),
        # A co-applicant leaves (their own row): the lead may remove it too.
        ("get", u("co_applicant_remove", draft.pk, co.pk), {}, expect(404, lead=200, co=200)),
        ("post", u("co_applicant_remove", draft.pk, co.pk), {}, expect(404, lead=302, co=302)),
        ("get", u("co_applicant_invitation", token), {}, expect(403, anonymous=302)),
        ("post", u("co_applicant_invitation", token), {}, expect(403, anonymous=302)),
        ("get", u("co_applicant_invitation", token[:-3] + "abc"), {}, expect(410)),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_the_expected_status_on_every_co_applicant_url(world, role):
    draft, users, co, waiting, attachment = world
    client = Client()
    if users[role] is not None:
        client.force_login(users[role])
    wrong = []
    for language in ("en", "fr"):
        for method, url, data, expected in cases(draft, co, waiting, attachment, language):
            with transaction.atomic():
                response = getattr(client, method)(url, data)
                transaction.set_rollback(True)
            if response.status_code != expected[role]:
                wrong.append(f"{method.upper()} {url}: {response.status_code}, expected {expected[role]}")
    assert not wrong, f"{role}:\n" + "\n".join(wrong)
