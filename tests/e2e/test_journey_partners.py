"""Issue 17 in the browser: a PRI draft whose call requires every partner team's confirmation.

The lead starts the draft, invites an Inserm colleague as co-applicant (who accepts by the
e-mailed link and sees no Submit button), and adds two partner teams, each e-mailed its signed link (read in the
outbox); the checklist shows both waiting and submission blocked. The first team's leader opens
their link with no account, corrects their city, confirms and uploads a letter; the second
declines. The lead's checklist follows (one confirmed, one declined, still blocked); the lead
replaces the declined team by another, which confirms; the checklist turns green and the lead
submits. Staff then ask for more information on the budget from admin; the lead follows the
request's link, changes the budget and resubmits: two versions, each readable. Besides: an old
link, once the invitation is sent again, gives the 410 page and changes nothing; a partner's page
shows no other team and no document.

Each step is a small function so that the later steps of issue 17 append to the journey.
"""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone, translation
from django.utils.translation import gettext

from applications.models import Application, Attachment, CoApplicant, PartnerAnswer, PartnerTeam, SubmittedVersion
from notifications.models import Notification
from tests.applications.factories import ProfileFactory, pdf_bytes
from tests.e2e.data import pri_call
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db(transaction=True)

CONFIRMED = "partners.confirmed"
TITLE = "Ageing cohorts in Asia: immunity and frailty"
TEAMS = {
    "kyoto": {
        "institution": "Kyoto University",
        "city": "Kyoto",
        "country": "JP",
        "team_leader": "Dr Haruki Sato",
        "email": "h.sato@kyoto-u.example",
    },
    "nus": {
        "institution": "National University of Singapore",
        "city": "Singapore",
        "country": "SG",
        "team_leader": "Dr Mei Lin Tan",
        "email": "meilin.tan@nus.example",
    },
    "snu": {
        "institution": "Seoul National University",
        "city": "Seoul",
        "country": "KR",
        "team_leader": "Dr Ji-woo Park",
        "email": "jiwoo.park@snu.example",
    },
}


def other(lang):
    return "en" if lang == "fr" else "fr"


# --- Reading the pages -------------------------------------------------------------------------------


def checklist(browser):
    """The eligibility checklist beside every step: {rule code: outcome}."""
    return {
        item.get_attribute("data-code"): item.get_attribute("class").removeprefix("checklist-")
        for item in browser.find_all(".checklist li[data-code]")
    }


def confirmation_item(browser):
    return browser.find(f".checklist li[data-code='{CONFIRMED}']").text


def answers_table(browser):
    """The partners step's table of answers: {institution: its row's text}."""
    rows = {}
    for row in browser.find_all("#partner-answers ~ table tbody tr"):
        text = row.text
        institution = next(team["institution"] for team in TEAMS.values() if team["institution"] in text)
        rows[institution] = text
    return rows


def submit_button(browser, lang, application):
    return browser.find(f"form[action='/{lang}/applications/{application.pk}/submit/'] button")


def save_and_continue(browser):
    browser.click("main form button[type=submit]:not([name])")


def invitation(team):
    """The latest invitation e-mailed to `team`'s leader (the outbox)."""
    return Notification.objects.filter(kind="partner.invitation", to_email=team["email"]).latest("pk")


def link_of(notification):
    return f"/{notification.language}{notification.context['url_path']}"


# --- The lead's steps --------------------------------------------------------------------------------


def lead_starts_a_draft(browser, lang, call, lead):
    browser.log_in_as(lead)
    browser.go(f"/{lang}/calls/{call.pk}/")
    with translation.override(lang):
        # The call page states that every partner team must confirm before submission.
        setting = gettext(
            "Every partner team must confirm its participation before you submit: the portal e-mails each one a link "
            "when you add it."
        )
        assert setting in browser.text("main")
    browser.click(f"main a[href='/{lang}/applications/new/{call.pk}/']")
    browser.click("main form button[type=submit]")
    application = Application.objects.get(applicant=lead)
    assert browser.path == f"/{lang}/applications/{application.pk}/edit/general/"
    browser.fill("id_title", TITLE)
    browser.fill("id_abstract", "Two cohorts, in Kyoto and Singapore, follow the immunity of older people.")
    browser.fill("id_keywords", "ageing, immunosenescence, cohorts")
    browser.fill("id_theme", "Immunology")
    save_and_continue(browser)
    return application


def lead_invites_a_co_applicant(browser, lang, application):
    """From the application's page the lead invites an Inserm colleague as co-investigator; the
    colleague accepts by the e-mailed link, sees the draft and no Submit button (the lead's)."""
    colleague = ProfileFactory(user__language=lang, user__email=f"colleague-{lang}@inserm.example").user
    browser.go(f"/{lang}/applications/{application.pk}/")
    browser.fill("id_email", colleague.email)
    browser.tick("#id_role_0")
    browser.click("#co-applicants form button[type=submit]")
    invitation = Notification.objects.get(kind="co_applicant.invitation", recipient=colleague)
    assert invitation.language == lang
    browser.log_in_as(colleague)
    browser.go(f"/{lang}{invitation.context['url_path']}")
    assert TITLE in browser.text("main")
    browser.click("main form button[type=submit]")
    assert browser.path == f"/{lang}/applications/{application.pk}/"
    assert CoApplicant.objects.get(application=application).user == colleague
    assert not browser.find_all(f"form[action='/{lang}/applications/{application.pk}/submit/'] button")
    browser.log_in_as(application.applicant)
    browser.go(f"/{lang}/applications/{application.pk}/edit/partners/")
    return colleague


def fill_team_row(browser, index, team, language):
    prefix = f"id_partners-{index}-"
    for name in ("institution", "city", "team_leader", "email"):
        browser.fill(prefix + name, team[name])
    browser.choose(prefix + "country", team["country"])
    browser.choose(prefix + "language", language)


def lead_adds_two_teams(browser, lang, application):
    """The partners step: two teams, each leader e-mailed in the language chosen for them."""
    assert browser.path == f"/{lang}/applications/{application.pk}/edit/partners/"
    fill_team_row(browser, 0, TEAMS["kyoto"], lang)
    browser.tick("main form [data-formset-add]")  # a second row, added in the page
    fill_team_row(browser, 1, TEAMS["nus"], other(lang))
    browser.click("main form button[type=submit][name=stay].btn")
    assert application.partners.count() == 2
    assert invitation(TEAMS["kyoto"]).language == lang
    assert invitation(TEAMS["nus"]).language == other(lang)
    rows = answers_table(browser)
    with translation.override(lang):
        waiting = gettext("Waiting (link sent on %(day)s)").split("(")[0].strip()
    assert all(waiting in row for row in rows.values()), rows


def lead_fills_budget_and_project(browser, lang, application, tmp_path):
    browser.go(f"/{lang}/applications/{application.pk}/edit/budget/")
    browser.choose("id_budget-0-year", "1")
    browser.choose("id_budget-0-category", "travel")
    browser.fill("id_budget-0-amount", "30000")
    save_and_continue(browser)
    browser.go(f"/{lang}/applications/{application.pk}/edit/attachments/")
    pdf = tmp_path / "project.pdf"
    pdf.write_bytes(pdf_bytes(pages=2))
    browser.choose("id_kind", "project")
    browser.find("#id_file").send_keys(str(pdf))
    browser.click("main form button[type=submit]")
    assert "project.pdf" in browser.text("main")


def lead_sees_submission_blocked(browser, lang, application, *, waiting, declined):
    """Only the partner teams' answers stand between the draft and its submission."""
    browser.go(f"/{lang}/applications/{application.pk}/edit/partners/")
    outcomes = checklist(browser)
    assert outcomes.pop(CONFIRMED) == "fail"
    assert set(outcomes.values()) == {"pass"}, outcomes
    item = confirmation_item(browser)
    assert re.search(rf"\b{waiting}\b", item.split(";")[0]) and re.search(rf"\b{declined}\b", item.split(";")[1])
    browser.go(f"/{lang}/applications/{application.pk}/")
    assert not submit_button(browser, lang, application).is_enabled()
    assert f"/{lang}/applications/{application.pk}/edit/partners/" in browser.find("#submit-blockers").get_attribute(
        "innerHTML"
    )


def lead_replaces_the_declined_team(browser, lang, application):
    """The declined team's row is removed, another team added in its place (e-mailed its link)."""
    browser.go(f"/{lang}/applications/{application.pk}/edit/partners/")
    declined = application.partners.get(answer=PartnerAnswer.DECLINED)
    rows = browser.find_all("[data-formset-rows] [data-formset-row]")
    index = next(
        i
        for i, row in enumerate(rows)
        if row.find_element("css selector", "input[name$='-institution']").get_attribute("value")
        == declined.institution
    )
    browser.tick(f"#id_partners-{index}-DELETE")
    browser.tick("main form [data-formset-add]")
    fill_team_row(browser, len(rows), TEAMS["snu"], lang)
    browser.click("main form button[type=submit][name=stay].btn")
    assert not PartnerTeam.objects.filter(pk=declined.pk).exists()
    assert sorted(application.partners.values_list("institution", flat=True)) == sorted(
        [TEAMS["kyoto"]["institution"], TEAMS["snu"]["institution"]]
    )
    assert invitation(TEAMS["snu"]).language == lang


def lead_submits(browser, lang, application):
    browser.go(f"/{lang}/applications/{application.pk}/edit/partners/")
    outcomes = checklist(browser)
    assert outcomes[CONFIRMED] == "pass"
    assert set(outcomes.values()) == {"pass"}, outcomes
    browser.go(f"/{lang}/applications/{application.pk}/")
    browser.click(submit_button(browser, lang, application))
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert application.reference == "PRI-2026-0001"
    assert application.reference in browser.text(".messages")


# --- Staff ask for more information; the lead fixes and resubmits -------------------------------------


def staff_ask_for_more_information(browser, lang, application, staff):
    """From the application's admin page: a message, the budget section reopened, ten days."""
    browser.use_language(lang)
    browser.log_in_as(staff)
    browser.go(f"/admin/applications/application/{application.pk}/change/")
    browser.click(f"a[href$='/applications/application/{application.pk}/request-information/']")
    browser.fill("id_message", "Please split the travel budget between Kyoto and Seoul.")
    browser.tick("input[name=sections][value=budget]")
    browser.set_value("id_deadline", (timezone.localdate() + timedelta(days=10)).isoformat())
    browser.click("input[type=submit]")
    application.refresh_from_db()
    assert application.status == Application.Status.MORE_INFO
    request = Notification.objects.get(recipient=application.applicant, kind="application.info_requested")
    assert request.language == lang


def lead_fixes_the_budget_and_resubmits(browser, lang, application):
    """The lead reads the request on the application's page, follows its link to the budget (the
    only section open), changes it and resubmits; both versions stay readable."""
    browser.log_in_as(application.applicant)
    browser.go(f"/{lang}/applications/{application.pk}/")
    assert "Please split the travel budget between Kyoto and Seoul." in browser.text("#information-request")
    browser.click(f"#information-request a[href='/{lang}/applications/{application.pk}/edit/budget/']")
    browser.fill("id_budget-0-amount", "28000")
    save_and_continue(browser)
    assert browser.path == f"/{lang}/applications/{application.pk}/"
    # The general step stays closed: it says which section is open.
    browser.go(f"/{lang}/applications/{application.pk}/edit/general/")
    assert not browser.find_all("main form #id_title")
    with translation.override(lang):
        closed = gettext("This part is not open for changes. Staff asked for more information on: %(sections)s.")
    assert closed.split(":")[0] in browser.text("main")
    browser.go(f"/{lang}/applications/{application.pk}/")
    browser.click(f"main form[action='/{lang}/applications/{application.pk}/resubmit/'] button")
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    versions = SubmittedVersion.objects.filter(application=application).order_by("number")
    assert [v.number for v in versions] == [1, 2]
    assert versions[0].content["budget"][0]["amount"] == "30000.00"
    assert versions[1].content["budget"][0]["amount"] == "28000.00"
    browser.click(f"main a[href='/{lang}/applications/{application.pk}/versions/']")
    browser.click(f"main a[href='/{lang}/applications/{application.pk}/versions/2/']")
    assert "28" in browser.text("main")


# --- The partner's steps (no account: a fresh session) -----------------------------------------------


def partner_opens_link(browser, team):
    """The team's leader, logged in nowhere, opens the link of their latest invitation."""
    browser.log_out()
    notification = invitation(team)
    browser.go(link_of(notification))
    assert browser.language == notification.language
    return notification.language


def partner_page_reveals_only_its_team(browser, application):
    """The page shows the application's title, abstract and call, and this team only."""
    main = browser.text("main")
    assert application.title in main
    assert application.abstract in main
    assert application.call.instrument.name_en in main or application.call.instrument.name_fr in main
    others = [p for p in application.partners.all() if p.email != browser.find("#id_email").get_attribute("value")]
    for partner in others:
        assert partner.institution not in main and partner.team_leader not in main and partner.email not in main
    html = browser.driver.page_source
    assert "/attachments/" not in html and "/download" not in html
    for attachment in Attachment.objects.filter(application=application):
        assert attachment.original_name not in html


def partner_answers(browser, team, answer, *, city=None, letter=None):
    language = partner_opens_link(browser, team)
    browser.tick(f"input[name=answer][value={answer}]")
    if city is not None:
        browser.fill("id_city", city)
    if letter is not None:
        browser.find("#id_letter").send_keys(str(letter))
    browser.click("main form button[type=submit]")
    with translation.override(language):
        assert gettext("Thank you: your answer is recorded.") in browser.text(".messages")
    return language


# --- The journey -------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_partner_teams_confirm_by_their_links_and_the_lead_submits_once_every_team_confirmed(browser, lang, tmp_path):
    call = pri_call()
    lead = ProfileFactory(user__language=lang).user

    application = lead_starts_a_draft(browser, lang, call, lead)
    lead_invites_a_co_applicant(browser, lang, application)
    lead_adds_two_teams(browser, lang, application)
    lead_fills_budget_and_project(browser, lang, application, tmp_path)
    lead_sees_submission_blocked(browser, lang, application, waiting=2, declined=0)

    # The first team: its city corrected, confirmed, with a letter of support.
    letter = tmp_path / "letter-kyoto.pdf"
    letter.write_bytes(pdf_bytes())
    partner_opens_link(browser, TEAMS["kyoto"])
    partner_page_reveals_only_its_team(browser, application)
    language = partner_answers(browser, TEAMS["kyoto"], "confirmed", city="Kyoto (Sakyo-ku)", letter=letter)
    kyoto = application.partners.get(email=TEAMS["kyoto"]["email"])
    assert (kyoto.answer, kyoto.city) == (PartnerAnswer.CONFIRMED, "Kyoto (Sakyo-ku)")
    assert kyoto.letters.count() == 1
    with translation.override(language):
        assert gettext("Your letter of support is received.") in browser.text("main")
    partner_page_reveals_only_its_team(browser, application)  # its own letter is named, never linked

    # The second team declines (in the other language).
    assert partner_answers(browser, TEAMS["nus"], "declined") == other(lang)
    assert application.partners.get(email=TEAMS["nus"]["email"]).answer == PartnerAnswer.DECLINED

    # The lead's checklist follows: one confirmed, one declined, still blocked.
    browser.log_in_as(lead)
    browser.go(f"/{lang}/applications/{application.pk}/edit/partners/")
    rows = answers_table(browser)
    with translation.override(lang):
        assert str(PartnerAnswer.CONFIRMED.label) in rows[TEAMS["kyoto"]["institution"]]
        assert str(PartnerAnswer.DECLINED.label) in rows[TEAMS["nus"]["institution"]]
    lead_sees_submission_blocked(browser, lang, application, waiting=0, declined=1)

    # The lead replaces the declined team; the new team confirms; the checklist turns green.
    lead_replaces_the_declined_team(browser, lang, application)
    lead_sees_submission_blocked(browser, lang, application, waiting=1, declined=0)
    partner_answers(browser, TEAMS["snu"], "confirmed")
    browser.log_in_as(lead)
    lead_submits(browser, lang, application)

    # Staff ask for more information on the budget; the lead fixes it and resubmits.
    staff_ask_for_more_information(browser, lang, application, StaffFactory())
    lead_fixes_the_budget_and_resubmits(browser, lang, application)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_link_sent_again_kills_the_old_one_which_says_so_and_changes_nothing(browser, lang):
    call = pri_call()
    lead = ProfileFactory(user__language=lang).user
    application = lead_starts_a_draft(browser, lang, call, lead)
    fill_team_row(browser, 0, TEAMS["kyoto"], lang)
    browser.click("main form button[type=submit][name=stay].btn")
    old_link = link_of(invitation(TEAMS["kyoto"]))

    # The lead sends the link again from the partners step.
    browser.click("#partner-answers ~ table form button")
    new_link = link_of(invitation(TEAMS["kyoto"]))
    assert new_link != old_link
    with translation.override(lang):
        sent_again = gettext("A new link is on its way to %(email)s; the previous one no longer works.")
        assert sent_again % {"email": TEAMS["kyoto"]["email"]} in browser.text(".messages")

    # The old link: the page says why, answers 410, and a post through it changes nothing.
    browser.log_out()
    browser.go(old_link)
    with translation.override(lang):
        assert gettext("This link no longer works") in browser.text("h1")
        assert gettext("A newer link was sent for your team: use the link of the most recent e-mail.") in browser.text(
            "main"
        )
    assert not browser.find_all("main form")
    client = Client()
    assert client.get(old_link).status_code == 410
    assert client.post(old_link, {"answer": "declined", "city": "Osaka"}).status_code == 410
    partner = application.partners.get()
    assert partner.answer == PartnerAnswer.WAITING and partner.answered_at is None

    # The new link works.
    browser.go(new_link)
    assert TEAMS["kyoto"]["institution"] in browser.find("#id_institution").get_attribute("value")
