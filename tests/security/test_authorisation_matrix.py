"""Every URL pattern of the portal × every role → the expected status, and 0 leaks.

The patterns are enumerated from the URL resolver: a page added without an expectation here makes
`test_every_url_pattern_has_an_expectation` fail. Django admin is one block whose expectations are
derived from each ModelAdmin's own permissions: anonymous visitors and non-staff are always sent
to log in, staff get the page (or 403 where the ModelAdmin forbids adding or deleting).
"""

from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.resolvers import LocalePrefixPattern
from django.utils import translation

from applications.co_applicants import link_path
from applications.models import Application, CoApplicant
from applications.partner_links import make_link

from .factories import ROLES

LANGUAGES = ("en", "fr")


def canonical(route):
    """A route without its language prefix: 'en/applications/<int:pk>/' -> 'applications/<int:pk>/'."""
    for code in LANGUAGES:
        if route.startswith(f"{code}/"):
            return route[len(code) + 1 :]
    return route


def _join(route1, route2):
    # As django.urls.resolvers.URLResolver._join_route does for ResolverMatch.route.
    return route1 + (route2[1:] if route2.startswith("^") else route2)


def enumerate_routes(patterns=None, prefix=""):
    """Every URL pattern of the portal as its canonical route (admin and both languages included)."""
    patterns = get_resolver().url_patterns if patterns is None else patterns
    routes = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            part = "" if isinstance(pattern.pattern, LocalePrefixPattern) else str(pattern.pattern)
            routes |= enumerate_routes(pattern.url_patterns, _join(prefix, part))
        elif isinstance(pattern, URLPattern):
            routes.add(_join(prefix, str(pattern.pattern)))
    return routes


def route_of(url):
    path = urlsplit(url).path
    language = path.split("/")[1] if path.split("/")[1] in LANGUAGES else "fr"
    with translation.override(language):
        return canonical(resolve(path).route)


def expect(default, **overrides):
    unknown = set(overrides) - set(ROLES)
    assert not unknown, unknown
    return {role: overrides.get(role, default) for role in ROLES}


RESEARCHER_PAGE = expect(404, anonymous=302, owner=200, other_researcher=200)
REVIEWER_PAGE = expect(404, anonymous=302, assigned=200, unassigned=200, conflicted=200)
STAFF_PAGE = expect(404, anonymous=302, staff=200, staff_without_permissions=403)


@dataclass
class Case:
    url: str
    expected: dict
    method: str = "get"
    data: dict = field(default_factory=dict)
    # Set on pages that show or change an application, an assignment, a file or a decision: the
    # only roles that may ever get a 200 there.
    may_see: frozenset | None = None


def portal_cases(world, language):
    """The portal's own pages, with real objects for their arguments."""
    w = world
    draft, reviewed, decided = w.draft, w.reviewed, w.decided
    owner_or_staff = frozenset({"owner", "staff"})
    with_assigned = frozenset({"owner", "staff", "assigned"})
    only_assigned = frozenset({"assigned"})

    def u(name, *args):
        with translation.override(language):
            return reverse(name, args=args)

    return [
        # Public pages and account pages.
        Case(u("home"), expect(200)),
        Case(u("call_list"), expect(200)),
        Case(u("call_detail", w.open_call.pk), expect(200)),
        *open_data_cases(u),
        Case(u("call_subscriptions"), expect(404, anonymous=302, owner=200, other_researcher=200)),
        Case(u("login"), expect(302, anonymous=200)),
        Case(u("logout"), expect(405)),
        Case(u("password_reset"), expect(200)),
        Case(u("password_reset_done"), expect(200)),
        Case(u("password_reset_confirm", "OTk5OTk5", "set-password"), expect(200)),
        Case(u("password_reset_complete"), expect(200)),
        Case(u("signup"), expect(302, anonymous=200)),
        Case(u("signup_sent"), expect(200)),
        Case(u("signup_resend"), expect(405)),
        Case(u("signup_resend"), expect(302), method="post", data={"email": "someone@example.org"}),
        Case(u("signup_verify", "OTk5OTk5", "not-a-token"), expect(200)),
        Case(u("two_factor"), expect(404, anonymous=302, staff=302, staff_without_permissions=302)),
        Case(u("two_factor_enrol"), expect(404, anonymous=302, staff=200, staff_without_permissions=200)),
        Case(u("personal_data"), expect(200, anonymous=302)),
        Case(u("personal_data_download"), expect(200, anonymous=302)),
        Case(u("javascript-catalog"), expect(200)),
        Case(reverse("set_language"), expect(302), method="post", data={"language": language, "next": "/"}),
        # For load balancers: no login, nothing secret.
        Case(reverse("healthz"), expect(200)),
        Case(reverse("readyz"), expect(200)),
        # Metrics: for the allowed addresses (the test client's 127.0.0.1), whoever is logged in.
        Case(reverse("metrics"), expect(200)),
        # Single sign-on's start and callback: 404s while it is off, as here (tests/production/test_sso.py).
        Case(reverse("oidc_authentication_init"), expect(404)),
        Case(reverse("oidc_authentication_callback"), expect(404)),
        # Reviewers.
        Case(u("reviews:queue"), REVIEWER_PAGE),
        Case(u("reviews:profile"), REVIEWER_PAGE),
        Case(u("reviews:invitation", w.invitation.pk), expect(404, anonymous=302, assigned=200)),
        Case(u("reviews:assignment", reviewed.pk), expect(404, anonymous=302, assigned=200), may_see=only_assigned),
        Case(
            u("reviews:attachment", reviewed.pk, w.reviewed_attachment.pk),
            expect(404, anonymous=302, assigned=200),
            may_see=only_assigned,
        ),
        # A file of another application through an assignment the reviewer holds: never.
        Case(u("reviews:attachment", reviewed.pk, w.draft_attachment.pk), expect(404, anonymous=302), may_see=set()),
        Case(u("reviews:recuse", reviewed.pk), expect(404, anonymous=302, assigned=200), may_see=only_assigned),
        # The synthesis is posted by the rapporteur only (the view takes no GET).
        Case(u("reviews:synthesis", reviewed.pk), expect(404, anonymous=302, assigned=405), may_see=set()),
        Case(u("reviews:discussion", reviewed.pk), expect(404, anonymous=302, assigned=405), may_see=set()),
        # Bids before routing: the reviewers who accepted the closed call; a conflicted one never
        # reaches the application's conflict page.
        Case(u("reviews:bids", w.closed_call.pk), REVIEWER_PAGE),
        Case(
            u("reviews:bid_conflict", w.closed_call.pk, reviewed.pk),
            expect(404, anonymous=302, assigned=200, unassigned=200),
            may_see=frozenset({"assigned", "unassigned"}),
        ),
        Case(u("reviews:bid_conflict", w.open_call.pk, draft.pk), expect(404, anonymous=302), may_see=set()),
        Case(u("reviews:decision", decided.pk), expect(404, anonymous=302, owner=200), may_see={"owner"}),
        # A decision not yet released is not shown, even to the applicant.
        Case(u("reviews:decision", reviewed.pk), expect(404, anonymous=302), may_see=set()),
        # Staff pages.
        Case(u("reviews:staff_calls"), STAFF_PAGE),
        Case(u("reviews:staff_call", w.closed_call.pk), STAFF_PAGE),
        Case(u("reviews:ranking", w.closed_call.pk), STAFF_PAGE, may_see={"staff"}),
        Case(u("reviews:export_csv", w.closed_call.pk), STAFF_PAGE, may_see={"staff"}),
        Case(u("reviews:export_xlsx", w.closed_call.pk), STAFF_PAGE, may_see={"staff"}),
        Case(u("reviews:release_letters", w.closed_call.pk), STAFF_PAGE, may_see={"staff"}),
        Case(u("reviews:screening", w.closed_call.pk), STAFF_PAGE, may_see={"staff"}),
        Case(u("reviews:staff_bids", w.closed_call.pk), STAFF_PAGE, may_see={"staff"}),
        Case(u("reviews:meeting", w.closed_call.pk), STAFF_PAGE, may_see={"staff"}),
        Case(u("reviews:staff_discussion", reviewed.pk), STAFF_PAGE, may_see={"staff"}),
        Case(u("reviews:dossiers", w.closed_call.pk), STAFF_PAGE, may_see={"staff"}),
        Case(u("reviews:dossier", w.dossier.pk), STAFF_PAGE, may_see={"staff"}),
        Case(u("reviews:dossier_progress", w.dossier.pk), STAFF_PAGE, may_see={"staff"}),
        # Not built yet: 404 to staff too (nothing to download), never a file to anyone else.
        Case(
            u("reviews:dossier_download", w.dossier.pk),
            expect(404, anonymous=302, staff_without_permissions=403),
            may_see=set(),
        ),
        Case(u("reviews:screen_application", reviewed.pk), STAFF_PAGE, may_see={"staff"}),
        Case(u("reviews:staff_proposal", w.proposal.pk), STAFF_PAGE),
        Case(u("reviews:proposal_progress", w.proposal.pk), STAFF_PAGE),
        Case(u("reviews:decide", reviewed.pk), STAFF_PAGE, may_see={"staff"}),
        # Researchers.
        Case(u("applications:profile"), RESEARCHER_PAGE),
        Case(u("applications:dashboard"), RESEARCHER_PAGE),
        Case(u("applications:start", w.open_call.pk), RESEARCHER_PAGE),
        Case(u("applications:detail", draft.pk), expect(404, owner=200, staff=200), may_see=owner_or_staff),
        Case(
            u("applications:detail", reviewed.pk),
            expect(404, owner=200, assigned=200, staff=200),
            may_see=with_assigned,
        ),
        Case(u("applications:detail", decided.pk), expect(404, owner=200, staff=200), may_see=owner_or_staff),
        Case(u("applications:step", draft.pk, "general"), expect(404, owner=200, staff=302), may_see={"owner"}),
        Case(u("applications:step", draft.pk, "no-such-step"), expect(404), may_see=set()),
        Case(u("applications:step", reviewed.pk, "budget"), expect(404, owner=302, staff=302), may_see=set()),
        Case(u("applications:autosave", draft.pk), expect(405)),
        Case(
            u("applications:autosave", draft.pk),
            expect(404, anonymous=401, owner=200, staff=409),
            method="post",
            data={"title": "Saved by autosave"},
            may_see={"owner"},
        ),
        Case(u("applications:checklist", draft.pk), expect(404, owner=405, staff=405), may_see=set()),
        Case(
            u("applications:checklist", draft.pk),
            expect(404, owner=200),
            method="post",
            data={"checklist_step": "budget"},
            may_see={"owner"},
        ),
        Case(u("applications:submit", draft.pk), expect(404, owner=405, staff=405), may_see=set()),
        Case(u("applications:submit", draft.pk), expect(404, owner=302), method="post", may_see=set()),
        Case(u("applications:withdraw", draft.pk), expect(404, owner=200), may_see={"owner"}),
        Case(u("applications:withdraw", draft.pk), expect(404, owner=302), method="post", may_see=set()),
        Case(
            u("applications:attachment", draft.pk, w.draft_attachment.pk),
            expect(404, owner=200, staff=200),
            may_see=owner_or_staff,
        ),
        Case(
            u("applications:attachment", reviewed.pk, w.reviewed_attachment.pk),
            expect(404, owner=200, assigned=200, staff=200),
            may_see=with_assigned,
        ),
        # A file asked for through another application's address: never.
        Case(u("applications:attachment", reviewed.pk, w.draft_attachment.pk), expect(404), may_see=set()),
        Case(
            u("applications:attachment_delete", draft.pk, w.draft_attachment.pk),
            expect(404, owner=405, staff=405),
            may_see=set(),
        ),
        Case(
            u("applications:attachment_delete", draft.pk, w.draft_attachment.pk),
            expect(404, owner=302),
            method="post",
            may_see=set(),
        ),
        *register_cases(w, u),
        *partner_cases(w, u),
        *co_applicant_cases(w, u),
        *information_cases(w, u),
        *project_cases(w, u),
        *world_cases(u),
    ]


def world_cases(u):
    """Inserm in the world (issue 19): the public page with its figures and map, open to every
    role, anonymous visitors included; a bad filter value still shows the page (400, with why)."""
    return [
        Case(u("cooperation:world"), expect(200)),
        Case(u("cooperation:world") + "?year=2020&country=JP", expect(200)),
        Case(u("cooperation:world") + "?country=ZZ&type=nope", expect(400)),
    ]


def register_cases(w, u):
    """The register (issue 19): staff with the import permission import a file (its report opens
    with the token of a file they uploaded; a POST imports); each researcher declares their own
    unit's cooperations, and changes or deletes only those (another unit's row: 404)."""
    from cooperation import import_files
    from cooperation.models import Cooperation

    owner = w.users["owner"]
    data = b"year,unit_code,partner_institution,city,country,kind\n2020,U1001,NIH,Bethesda,US,cohort\n"
    token = import_files.keep(data, "register.csv", "cooperations", w.users["staff"])
    row, _created = Cooperation.objects.get_or_create(
        unit_code=owner.researcher_profile.unit_code,
        year=2020,
        partner_institution="Charité",
        city="Berlin",
        country="DE",
        kind=Cooperation.Kind.MOBILITY,
    )
    staff_action = expect(404, anonymous=302, staff=405, staff_without_permissions=403)
    return [
        Case(u("cooperation:import"), STAFF_PAGE, may_see={"staff"}),
        Case(u("cooperation:import_report") + "?token=" + token, STAFF_PAGE, may_see={"staff"}),
        # An unknown or expired upload: back to the form, with why.
        Case(
            u("cooperation:import_report") + "?token=nope",
            expect(404, anonymous=302, staff=302, staff_without_permissions=403),
            may_see=set(),
        ),
        Case(u("cooperation:import_apply"), staff_action, may_see=set()),
        Case(
            u("cooperation:import_apply"),
            expect(404, anonymous=302, staff=302, staff_without_permissions=403),
            method="post",
            data={"token": "nope"},
            may_see=set(),
        ),
        Case(u("cooperation:declarations"), RESEARCHER_PAGE),
        Case(u("cooperation:declaration_new"), RESEARCHER_PAGE),
        Case(u("cooperation:declaration_edit", row.pk), expect(404, anonymous=302, owner=200), may_see={"owner"}),
        Case(u("cooperation:declaration_delete", row.pk), expect(404, anonymous=302, owner=200), may_see={"owner"}),
        Case(
            u("cooperation:declaration_delete", row.pk),
            expect(404, anonymous=302, owner=302),
            method="post",
            may_see=set(),
        ),
    ]


def information_cases(w, u):
    """Requests for more information and submitted versions (issue 17): only the lead resubmits
    (a POST); the versions are seen by whoever sees the application (the lead, staff, the reviewer
    it is assigned to), by no one else."""
    reviewed = w.reviewed
    with_assigned = frozenset({"owner", "staff", "assigned"})
    seen = expect(404, owner=200, assigned=200, staff=200)
    return [
        Case(u("applications:resubmit", reviewed.pk), expect(404, owner=405, assigned=405, staff=405), may_see=set()),
        # Not asked for more information: refused with a message (the page says why).
        Case(u("applications:resubmit", reviewed.pk), expect(404, owner=302), method="post", may_see=set()),
        Case(u("applications:versions", reviewed.pk), seen, may_see=with_assigned),
        Case(u("applications:version", reviewed.pk, 1), seen, may_see=with_assigned),
        Case(u("applications:version", reviewed.pk, 2), expect(404), may_see=set()),
        Case(u("applications:versions", w.draft.pk), expect(404, owner=200, staff=200), may_see={"owner", "staff"}),
    ]


def co_applicant_cases(w, u):
    """Co-applicants (issue 17): only the lead invites, sends a link again and removes (a GET that
    confirms, then a POST); the invitation's page opens for the invited address only (anyone else
    logged in is told which address to use, 403), an anonymous visitor is sent to log in, a bad
    token opens nothing (410). The co-applicant's own roles are in test_co_applicant_matrix.py."""
    member, _created = CoApplicant.objects.get_or_create(
        application=w.draft, email="invited@inserm.example", defaults={"invited_by": w.draft.applicant}
    )
    token = link_path(member).split("/")[-2]
    invite = {"email": "new@inserm.example", "role": "co_investigator"}
    return [
        Case(u("applications:co_applicant_invite", w.draft.pk), expect(404, owner=405, staff=405), may_see=set()),
        Case(
            u("applications:co_applicant_invite", w.draft.pk),
            expect(404, owner=302),
            method="post",
            data=invite,
            may_see=set(),
        ),
        Case(
            u("applications:co_applicant_resend", w.draft.pk, member.pk),
            expect(404, owner=405, staff=405),
            may_see=set(),
        ),
        Case(
            u("applications:co_applicant_resend", w.draft.pk, member.pk),
            expect(404, owner=302),
            method="post",
            may_see=set(),
        ),
        Case(u("applications:co_applicant_remove", w.draft.pk, member.pk), expect(404, owner=200), may_see={"owner"}),
        Case(
            u("applications:co_applicant_remove", w.draft.pk, member.pk),
            expect(404, owner=302),
            method="post",
            may_see=set(),
        ),
        Case(u("applications:co_applicant_invitation", token), expect(403, anonymous=302), may_see=set()),
        Case(
            u("applications:co_applicant_invitation", token), expect(403, anonymous=302), method="post", may_see=set()
        ),
        Case(u("applications:co_applicant_invitation", token[:-4] + "xxxx"), expect(410), may_see=set()),
    ]


def partner_cases(w, u):
    """Partner teams (issue 17): their page is public by design, the signed token being the key
    (it shows that team's own entry only); a bad token opens nothing for anyone; only the
    applicant sends a link again."""
    partner = w.draft.partners.first()
    token = make_link(partner)
    return [
        Case(u("applications:partner_answer", token), expect(200)),
        Case(u("applications:partner_answer", token[:-4] + "xxxx"), expect(410), may_see=set()),
        Case(u("applications:partner_answer", "not-a-token"), expect(410), may_see=set()),
        Case(u("applications:partner_resend", w.draft.pk, partner.pk), expect(405), may_see=set()),
        Case(
            u("applications:partner_resend", w.draft.pk, partner.pk),
            expect(404, owner=302),
            method="post",
            may_see=set(),
        ),
    ]


def open_data_cases(u):
    """The open API and the feeds of open calls (issue 19): public, read-only, the same for everyone
    (the API is not translated: its addresses have no language prefix)."""
    api = ["calls", "projects", "sites", "figures", "schema", "docs"]
    return [
        *[Case(reverse(f"api:{name}"), expect(200)) for name in api],
        Case(reverse("api:calls"), expect(405), method="post"),
        Case(u("cooperation:feed_rss"), expect(200)),
        Case(u("cooperation:feed_atom"), expect(200)),
    ]


LEAD_OR_STAFF = expect(404, anonymous=302, owner=200, staff=200, staff_without_permissions=403)
# A staff action (POST only): others never learn it exists; staff without the permission are told.
STAFF_ACTION = expect(404, anonymous=302, staff=405, staff_without_permissions=403)


def project_cases(w, u):
    """Funded projects (issue 16): the lead researcher's, staff's, the evaluator's pages."""
    project, report, change, evaluation = w.project, w.report, w.change, w.evaluation
    lead_or_staff = frozenset({"owner", "staff"})
    return [
        Case(u("projects:detail", project.pk), LEAD_OR_STAFF, may_see=lead_or_staff),
        Case(u("projects:set_start", project.pk), STAFF_ACTION, may_see=set()),
        Case(u("projects:suspend", project.pk), STAFF_ACTION, may_see=set()),
        Case(u("projects:resume", project.pk), STAFF_ACTION, may_see=set()),
        Case(u("projects:terminate", project.pk), STAFF_ACTION, may_see=set()),
        Case(
            u("projects:suspend", project.pk),
            expect(404, anonymous=302, staff=200, staff_without_permissions=403),
            method="post",
            may_see={"staff"},
        ),
        Case(
            u("projects:report_add", project.pk), expect(404, anonymous=302, staff=200, staff_without_permissions=403)
        ),
        Case(u("projects:report", project.pk, report.pk), LEAD_OR_STAFF, may_see=lead_or_staff),
        Case(
            u("projects:report_attachment", project.pk, report.pk, w.report_attachment.pk),
            LEAD_OR_STAFF,
            may_see=lead_or_staff,
        ),
        Case(
            u("projects:report_attachment_add", project.pk, report.pk),
            expect(404, anonymous=302, owner=405, staff=405, staff_without_permissions=403),
            may_see=set(),
        ),
        Case(
            u("projects:report_attachment_remove", project.pk, report.pk, w.report_attachment.pk),
            expect(404, anonymous=302, owner=405, staff=405, staff_without_permissions=403),
            may_see=set(),
        ),
        Case(
            u("projects:record_payment", project.pk),
            expect(404, anonymous=302, staff=200, staff_without_permissions=403),
            may_see={"staff"},
        ),
        Case(
            u("projects:change_new", project.pk),
            expect(404, anonymous=302, owner=200, staff=403, staff_without_permissions=403),
            may_see={"owner"},
        ),
        Case(
            u("projects:change_decide", project.pk, change.pk),
            expect(404, anonymous=302, staff=200, staff_without_permissions=403),
            may_see={"staff"},
        ),
        Case(
            u("projects:change_withdraw", project.pk, change.pk),
            expect(404, anonymous=302, owner=405, staff=405, staff_without_permissions=403),
            may_see=set(),
        ),
        Case(u("projects:evaluations"), REVIEWER_PAGE),
        Case(
            u("projects:evaluation", evaluation.pk),
            expect(404, anonymous=302, assigned=200, staff=200, staff_without_permissions=403),
            may_see={"assigned", "staff"},
        ),
        Case(u("projects:request_evaluation", project.pk), STAFF_ACTION, may_see=set()),
        Case(u("projects:cancel_evaluation", project.pk), STAFF_ACTION, may_see=set()),
        Case(u("projects:staff_list"), STAFF_PAGE, may_see={"staff"}),
        Case(u("projects:staff_dashboard"), STAFF_PAGE, may_see={"staff"}),
        Case(u("projects:staff_export_csv"), STAFF_PAGE, may_see={"staff"}),
        Case(u("projects:staff_export_xlsx"), STAFF_PAGE, may_see={"staff"}),
        # Inserm in the world: the staff dashboard of a year.
        Case(u("cooperation:dashboard"), STAFF_PAGE),
    ]


STAFF_ROLES = ("staff", "staff_without_permissions")
NOT_STAFF = {role: 302 for role in ROLES if role not in STAFF_ROLES}


def staff(expected, without_permissions=403):
    """Admin's answer to staff (a superuser) and to staff without any permission."""
    return {**NOT_STAFF, "staff": expected, "staff_without_permissions": without_permissions}


def admin_cases(world):
    """Django admin: every registered model's pages with a real object when one exists."""
    superuser = world.users["staff"]
    request = RequestFactory().get("/admin/")
    request.user = superuser
    cases = [
        # Admin's index lists no model to staff without permissions ("nothing to see or change").
        Case(reverse("admin:index"), staff(200, 200)),
        # Logged-in users who are not staff are told why (sending them to log in would loop).
        Case(reverse("admin:login"), {**staff(302, 302), **{role: 403 for role in NOT_STAFF if role != "anonymous"}}),
        # Logging out of admin is a POST; admin sends whoever is not staff to its index, then to log in.
        Case(reverse("admin:logout"), staff(405, 405)),
        Case(reverse("admin:password_change"), staff(200, 200)),
        Case(reverse("admin:password_change_done"), staff(200, 200)),
        Case(reverse("admin:autocomplete"), staff(403)),
        Case(reverse("admin:jsi18n"), staff(200, 200)),
        # The shortcut sends to the portal's page, which then checks the permission.
        Case(
            reverse("admin:view_on_site", args=[ContentType.objects.get_for_model(Application).pk, world.draft.pk]),
            staff(302, 302),
        ),
        Case("/admin/no-such-page/", staff(404, 404)),
    ]
    app_labels = set()
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        app_labels.add(opts.app_label)
        name = f"admin:{opts.app_label}_{opts.model_name}"
        cases.append(Case(reverse(f"{name}_changelist"), staff(200)))
        add = 200 if model_admin.has_add_permission(request) else 403
        cases.append(Case(reverse(f"{name}_add"), staff(add)))
        obj = model._default_manager.order_by("pk").first()
        if obj is None:
            # No such record: admin sends staff back to the index with a message (after checking
            # the permission, except on the history page).
            object_id, change, history = "0", 302, 302
            delete = 302 if model_admin.has_delete_permission(request) else 403
            bare_history = 302
        else:
            object_id, change, history = obj.pk, 200, 200
            delete = 200 if model_admin.has_delete_permission(request, obj) else 403
            bare_history = 403
        cases.append(Case(reverse(f"{name}_change", args=[object_id]), staff(change)))
        cases.append(Case(reverse(f"{name}_history", args=[object_id]), staff(history, bare_history)))
        cases.append(Case(reverse(f"{name}_delete", args=[object_id]), staff(delete)))
        # The old-style address '<id>/' redirects to '<id>/change/'.
        cases.append(Case(reverse(f"{name}_changelist") + f"{object_id}/", staff(302, 302)))
    cases.append(Case(reverse("admin:calls_call_from_instrument"), staff(200)))
    # Staff hand an application to another lead (applications.transfer_application).
    cases.append(Case(reverse("admin:applications_application_transfer", args=[world.draft.pk]), staff(200)))
    # Staff ask the lead for more information (applications.request_information).
    cases.append(
        Case(reverse("admin:applications_application_request_information", args=[world.reviewed.pk]), staff(200))
    )
    cases.append(
        Case(
            reverse("admin:applications_application_request_information", args=[world.reviewed.pk]),
            staff(200),
            method="post",
            data={"message": "", "sections": ["nowhere"], "deadline": "yesterday"},
        )
    )
    owner = world.users["owner"]
    cases.append(Case(reverse("admin:auth_user_password_change", args=[owner.pk]), staff(200)))
    for label in sorted(app_labels):
        # An app with no model the user may see does not exist for them.
        cases.append(Case(reverse("admin:app_list", args=[label]), staff(200, 404)))
    return cases


def all_cases(world):
    return [case for language in LANGUAGES for case in portal_cases(world, language)] + admin_cases(world)


def client_for(world, role):
    client = Client()
    user = world.users[role]
    if user is not None:
        client.force_login(user)
    return client


def run(client, case):
    """One request whose changes are rolled back, so each case sees the same world."""
    with transaction.atomic():
        response = getattr(client, case.method)(case.url, case.data)
        transaction.set_rollback(True)
    return response


def test_every_url_pattern_has_an_expectation(world):
    covered = {route_of(case.url) for case in all_cases(world)}
    missing = enumerate_routes() - covered
    assert not missing, f"URL patterns with no expectation in the authorisation matrix: {sorted(missing)}"


def test_every_portal_page_is_covered_in_both_languages(world):
    for language in LANGUAGES:
        prefixes = {urlsplit(case.url).path.split("/")[1] for case in portal_cases(world, language)}
        assert language in prefixes


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_the_expected_status_on_every_url(world, role):
    client = client_for(world, role)
    wrong, leaks = [], []
    cases = all_cases(world)
    for case in cases:
        response = run(client, case)
        if response.status_code != case.expected[role]:
            wrong.append(f"{case.method.upper()} {case.url}: {response.status_code}, expected {case.expected[role]}")
        if response.status_code == 200 and case.may_see is not None and role not in case.may_see:
            leaks.append(f"{case.method.upper()} {case.url}")
        if (
            response.status_code == 302
            and role not in STAFF_ROLES
            and case.url.startswith("/admin/")
            and "logout" not in case.url
        ):
            location = response["Location"]
            if not location.startswith(("/admin/login/", "/en/accounts/login/", "/fr/accounts/login/")):
                wrong.append(f"{case.method.upper()} {case.url}: sent to {location}, not to log in")
    assert not leaks, f"{role} got 200 on pages that are not theirs: {leaks}"
    assert not wrong, f"{role}: {len(wrong)} of {len(cases)} URLs answered otherwise:\n" + "\n".join(wrong)


def test_an_anonymous_visitor_is_sent_to_log_in_from_a_login_only_page(world):
    response = client_for(world, "anonymous").get("/en/applications/")
    assert response.status_code == 302
    assert response["Location"].startswith("/en/accounts/login/?next=")
