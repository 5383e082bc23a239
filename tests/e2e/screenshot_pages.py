"""`make screenshots`: the main pages at desktop and phone widths, as PNG files in artifacts/screenshots/.

Run by scripts/screenshots.py (pytest collects this module only when named on the command line).
Besides the pictures, it asserts what a look would check: no page is wider than the screen (a
wide table scrolls inside its .table-responsive box), and axe finds nothing serious at either width.
The committee dossier of a call (issue 18, staff version) is drawn too: its first pages as
dossier-page-<n>.png (French) and dossier-en-page-1.png, rendered by PDFium.
"""

import base64
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings

from reviews import services as reviews_services
from tests.e2e.browser import BLOCKING_IMPACTS, format_violations
from tests.e2e.data import (
    assign,
    closed_call,
    draft_over_the_ceiling,
    open_call,
    pri_call,
    pri_draft_with_partner_answers,
    submitted_to,
)
from tests.factories import StaffFactory
from tests.reviews.factories import pool_reviewer

pytestmark = pytest.mark.django_db(transaction=True)

OUTPUT = Path(settings.BASE_DIR) / "artifacts" / "screenshots"
VIEWPORTS = {"desktop": (1366, 900, False), "phone": (390, 844, True)}

OVERFLOW = """
var width = document.documentElement.clientWidth, wide = [];
document.querySelectorAll('body *').forEach(function (el) {
  var box = el.getBoundingClientRect();
  if (!box.width || el.closest('.table-responsive, .visually-hidden, .visually-hidden-focusable')) { return; }
  if (box.right > width + 1) { wide.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '')); }
});
document.querySelectorAll('table').forEach(function (table) {
  var box = table.parentElement.closest('.table-responsive') || document.documentElement;
  if (table.getBoundingClientRect().width > box.clientWidth + 1) {
    wide.push('table' + (table.className ? '.' + table.className.trim().split(/\\s+/).join('.') : '') + ' (cut)');
  }
});
return {page: document.documentElement.scrollWidth, width: width, wide: wide.slice(0, 10)};
"""


def build_pages():
    """Who sees which page: (name, path, user or None)."""
    call = open_call()
    draft = draft_over_the_ceiling(call)
    review_call = closed_call()
    reviewer = pool_reviewer(review_call)
    colleagues = [pool_reviewer(review_call) for _ in range(2)]
    applications = [submitted_to(review_call) for _ in range(3)]
    criteria = list(review_call.criteria.order_by("position"))
    for application, marks in zip(applications, ([5, 4, 4, 5], [3, 4, 2, 3], [4, 2, 5, 1]), strict=True):
        for person in (reviewer, *colleagues):
            assignment = assign(application, person)
            if person != reviewer or application != applications[0]:
                reviews_services.save_review(
                    assignment,
                    person,
                    scores={c.pk: (mark, "") for c, mark in zip(criteria, marks, strict=True)},
                    recommendation="support",
                    submit=True,
                )
    staff = StaffFactory()
    decided = submitted_to(review_call)
    assign(decided, colleagues[0])
    from applications.models import Application

    Application.objects.filter(pk__in=[a.pk for a in (*applications, decided)]).update(status="in_review")
    reviews_services.record_decision(decided, "funded", "9500", staff)
    bare_staff = StaffFactory(is_superuser=False)
    proposal = reviews_services.launch_routing(review_call, staff, reviewers_per_application=2)
    return [
        *world_pages(),
        *project_pages(staff, reviewer),
        *partner_pages(),
        ("call-list", "/fr/calls/", None),
        ("call-list-en", "/en/calls/", None),
        ("staff-calls", "/fr/reviews/staff/", staff),
        ("staff-proposal", f"/fr/reviews/staff/proposals/{proposal.pk}/", staff),
        ("staff-proposal-en", f"/en/reviews/staff/proposals/{proposal.pk}/", staff),
        ("home", "/fr/", None),
        ("call", f"/fr/calls/{call.pk}/", None),
        ("application-budget-checklist", f"/fr/applications/{draft.pk}/edit/budget/", draft.applicant),
        ("application-general", f"/fr/applications/{draft.pk}/edit/general/", draft.applicant),
        ("application-partners", f"/fr/applications/{draft.pk}/edit/partners/", draft.applicant),
        ("application-partners-en", f"/en/applications/{draft.pk}/edit/partners/", draft.applicant),
        ("staff-release-letters-en", f"/en/reviews/staff/calls/{review_call.pk}/letters/", staff),
        ("researcher-dashboard", "/fr/applications/", draft.applicant),
        ("application-detail", f"/fr/applications/{draft.pk}/", draft.applicant),
        ("reviewer-queue", "/fr/reviews/", reviewer),
        ("reviewer-scoring", f"/fr/reviews/applications/{applications[0].pk}/", reviewer),
        ("staff-ranking", f"/fr/reviews/staff/calls/{review_call.pk}/ranking/", staff),
        ("staff-ranking-en", f"/en/reviews/staff/calls/{review_call.pk}/ranking/", staff),
        ("staff-release-letters", f"/fr/reviews/staff/calls/{review_call.pk}/letters/", staff),
        ("staff-without-permission-403", f"/en/reviews/staff/calls/{review_call.pk}/ranking/", bare_staff),
        ("signup", "/fr/accounts/signup/", None),
        ("application-attachments", f"/fr/applications/{draft.pk}/edit/attachments/", draft.applicant),
        ("application-withdraw", f"/fr/applications/{draft.pk}/withdraw/", draft.applicant),
        ("application-withdraw-en", f"/en/applications/{draft.pk}/withdraw/", draft.applicant),
        ("apply-to-closed-call", f"/fr/applications/new/{review_call.pk}/", draft.applicant),
        ("apply-to-closed-call-en", f"/en/applications/new/{review_call.pk}/", draft.applicant),
        ("dashboard-en", "/en/applications/", draft.applicant),
    ]


def project_pages(staff, reviewer):
    """A PRI in its first year (a payment, a submitted report with a mission and a co-publication,
    a pending extension) and a Tremplin whose final evaluation is asked of `reviewer`."""
    from django.utils import timezone

    from projects.models import ChangeRequest, Report
    from projects.services import evaluation, money, reports
    from tests.projects.factories import funded_project

    today = timezone.localdate()
    pri = funded_project("PRI", "60000.00", staff=staff)
    lead = pri.lead
    money.record_payment(pri, "12000", today, staff, instalment=pri.instalments.first())
    first = pri.reports.order_by("due_on").first()
    reports.save_report(
        first,
        lead,
        fields={"scientific_progress": "Two workshops held; the shared protocol is written. " * 4},
        missions=[
            {
                "traveller": "Camille Durand",
                "from_city": "Paris",
                "from_country": "FR",
                "to_city": "Tokyo",
                "to_country": "JP",
                "started_on": today,
                "ended_on": today,
            }
        ],
        publications=[
            {"doi": "10.1038/s41586-020-2649-2", "title": "Immune ageing in two cohorts", "year": today.year}
        ],
    )
    reports.submit_report(first, lead)
    second = pri.reports.filter(status=Report.Status.PLANNED).order_by("due_on").first()
    change = ChangeRequest.objects.create(
        project=pri, kind=ChangeRequest.Kind.EXTENSION, months=6, justification="Samples delayed.", requested_by=lead
    )
    tremplin = funded_project("TREMPLIN", "9500.00", staff=staff)
    final = tremplin.reports.get()
    reports.save_report(
        final,
        tremplin.lead,
        fields={
            "scientific_progress": "The cohort is shared.",
            "partnership_outcome": "A lasting partnership.",
            "next_steps": "A PRI application.",
        },
    )
    reports.submit_report(final, tremplin.lead)
    reports.accept_report(final, staff)
    asked = evaluation.request_evaluation(tremplin, reviewer, today + timedelta(days=21), staff)
    return [
        ("project-lead", f"/fr/projects/{pri.pk}/", lead),
        ("project-lead-en", f"/en/projects/{pri.pk}/", lead),
        ("project-staff", f"/fr/projects/{pri.pk}/", staff),
        ("project-dashboard", "/fr/applications/", lead),
        ("project-report-edit", f"/fr/projects/{pri.pk}/reports/{second.pk}/", lead),
        ("project-report-edit-en", f"/en/projects/{pri.pk}/reports/{second.pk}/", lead),
        ("project-report-staff", f"/fr/projects/{pri.pk}/reports/{first.pk}/", staff),
        ("project-change-new", f"/fr/projects/{pri.pk}/changes/new/?kind=budget_transfer", lead),
        ("project-change-decide-en", f"/en/projects/{pri.pk}/changes/{change.pk}/", staff),
        ("project-payment", f"/fr/projects/{pri.pk}/payments/", staff),
        ("projects-staff-list", "/fr/projects/staff/", staff),
        ("projects-staff-list-en", "/en/projects/staff/", staff),
        ("projects-staff-dashboard", "/fr/projects/staff/dashboard/", staff),
        ("evaluations-reviewer-en", "/en/projects/evaluations/", reviewer),
        ("evaluation-reviewer", f"/fr/projects/evaluations/{asked.pk}/", reviewer),
    ]


def world_pages():
    """Inserm in the world (issue 19): the public page with the demo's 2020 figures, map and sites;
    in English with Japan's section open."""
    from cooperation import demo

    demo.load()
    return [
        ("world", "/fr/international/", None),
        ("world-en", "/en/international/?country=JP#country", None),
    ]


def partner_pages():
    """Issue 17: a PRI draft's partners step with each team's answer (confirmed with a letter,
    declined, waiting), and the pages a team's leader opens by their link: waiting, confirmed, and
    an old link replaced by a newer one (410)."""
    from applications.partner_links import link_path, make_token

    call = pri_call()
    draft, (confirmed, _declined, waiting) = pri_draft_with_partner_answers(call)
    lead = draft.applicant
    replaced = f"/partners/{make_token(waiting.pk, waiting.link_version - 1, call.closes_at)}/"
    return [
        ("application-partners-answers", f"/fr/applications/{draft.pk}/edit/partners/", lead),
        ("application-partners-answers-en", f"/en/applications/{draft.pk}/edit/partners/", lead),
        ("call-pri-partners-must-confirm", f"/fr/calls/{call.pk}/", None),
        ("partner-page", f"/fr{link_path(waiting)}", None),
        ("partner-page-en", f"/en{link_path(waiting)}", None),
        ("partner-page-confirmed-en", f"/en{link_path(confirmed)}", None),
        ("partner-link-replaced", f"/fr{replaced}", None),
        ("partner-link-replaced-en", f"/en{replaced}", None),
    ]


def screenshot(driver, path, width, height, mobile):
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile},
    )
    driver.refresh()
    full_height = driver.execute_script("return document.documentElement.scrollHeight")
    shot = driver.execute_cdp_cmd(
        "Page.captureScreenshot",
        {
            "format": "png",
            "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": width, "height": max(height, full_height), "scale": 1},
        },
    )
    path.write_bytes(base64.b64decode(shot["data"]))
    return driver.execute_script(OVERFLOW)


def test_screenshots_of_the_main_pages(browser):
    OUTPUT.mkdir(parents=True, exist_ok=True)
    browser.check_accessibility = False
    problems = []
    for name, path, user in build_pages():
        if user is None:
            browser.log_out()
        else:
            browser.log_in_as(user)
        browser.go(path)
        for viewport, (width, height, mobile) in VIEWPORTS.items():
            layout = screenshot(browser.driver, OUTPUT / f"{name}-{viewport}.png", width, height, mobile)
            if layout["page"] > layout["width"] or layout["wide"]:
                problems.append(
                    f"{name} ({viewport}): {layout['page']}px wide for {layout['width']}px: {layout['wide']}"
                )
            blocking = [v for v in browser.axe() if v.get("impact") in BLOCKING_IMPACTS]
            if blocking:
                problems.append(f"{name} ({viewport}): " + format_violations(browser.driver.current_url, blocking))
    browser.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    print(f"Screenshots in {OUTPUT}")
    assert not problems, "Pages to fix:\n" + "\n".join(problems)


DOSSIER_TITLES = (
    "Immune ageing in two cohorts: a Franco-Japanese comparison of T-cell exhaustion",
    "Heat waves and mental health in older adults",
)
DOSSIER_COMMENTS = (
    "The partnership is balanced and the exchanges of students are well planned; the work plan for "
    "the second year should say how the samples travel between the two laboratories.",
    "An ambitious project led by complementary teams. The budget is realistic.",
)


def dossier_call():
    """A closed call with two reviewed applications: a confirmed partner team, two budget lines with
    their details, the rules' report frozen at submission, a project description drawn by
    WeasyPrint, two submitted reviews with comments and the rapporteur's synthesis."""
    import weasyprint
    from django.core.files.base import ContentFile

    from applications.models import Application, BudgetLine, PartnerAnswer
    from applications.services import eligibility, frozen_report
    from calls.models import Call
    from tests.applications.factories import AttachmentFactory, BudgetLineFactory

    call = closed_call()
    reviewers = [pool_reviewer(call) for _ in range(2)]
    staff = StaffFactory()
    criteria = list(call.criteria.order_by("position"))
    for number, title in enumerate(DOSSIER_TITLES):
        application = submitted_to(call, amount="4500.00", status=Application.Status.IN_REVIEW)
        Application.objects.filter(pk=application.pk).update(
            title=title, abstract=" ".join(DOSSIER_COMMENTS * 3), collaboration_is_new=True
        )
        application.partners.update(
            team_leader="Dr Haruki Sato", answer=PartnerAnswer.CONFIRMED, answered_at=application.submitted_at
        )
        BudgetLineFactory(
            application=application,
            category=BudgetLine.Category.CONSUMABLES,
            amount="3500.00",
            description="Reagents and sequencing kits for the shared cohort samples",
        )
        application.refresh_from_db()
        application.call.status = Call.Status.OPEN  # judged as at its submission, when the call was open
        report = frozen_report(eligibility(application, application.submitted_at))
        Application.objects.filter(pk=application.pk).update(eligibility_report=report, requested_amount="8000.00")
        project = weasyprint.HTML(string=f"<h1>{title}</h1><p>{' '.join([DOSSIER_COMMENTS[0]] * 12)}</p>").write_pdf()
        AttachmentFactory(application=application, file=ContentFile(project, name="project.pdf"), size=len(project))
        for index, reviewer in enumerate(reviewers):
            reviews_services.save_review(
                assign(application, reviewer),
                reviewer,
                scores={c.pk: (4 - (index + number + c.position) % 3, DOSSIER_COMMENTS[index]) for c in criteria},
                recommendation="support",
                general_comment=DOSSIER_COMMENTS[1 - index],
                submit=True,
            )
        reviews_services.name_rapporteur(application, reviewers[0], staff)
        reviews_services.write_synthesis(
            application,
            reviewers[0],
            strengths=DOSSIER_COMMENTS[0],
            weaknesses="The second year's budget is not explained.",
            recommendation="support",
            submit=True,
        )
    return call, staff


def test_screenshots_of_the_committee_dossier():
    """The staff dossier of a call of two applications, its first pages as PNG (PDFium, 110 dpi)."""
    import logging

    import pypdfium2

    from reviews.dossier import build
    from reviews.models import Dossier

    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)  # its steps, page by page
    OUTPUT.mkdir(parents=True, exist_ok=True)
    call, staff = dossier_call()
    for language, prefix, count in (("fr", "dossier", 3), ("en", "dossier-en", 1)):
        dossier = build(Dossier.objects.create(call=call, requested_by=staff).pk, language)
        with dossier.file.open("rb") as handle:
            document = pypdfium2.PdfDocument(handle.read())
        assert len(document) >= 2 * count
        for index in range(count):
            image = document[index].render(scale=110 / 72).to_pil()
            image.save(OUTPUT / f"{prefix}-page-{index + 1}.png")
        document.close()
