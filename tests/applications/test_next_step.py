"""The dashboard's next step and the application's completeness never disagree: the next step is
what the first incomplete step lacks, in the same words, whatever part is missing."""

import pytest

from applications.models import Attachment
from tests.factories import CallFactory, InstrumentFactory

from .factories import AttachmentFactory, complete_application
from .helpers import page_url

pytestmark = pytest.mark.django_db


def remove_title(application):
    application.title = ""
    application.save()


def remove_keywords(application):
    application.keywords = ""
    application.save()


def remove_partners(application):
    application.partners.all().delete()


def remove_budget(application):
    application.budget_lines.all().delete()


def leave_the_declaration_unanswered(application):
    application.collaboration_is_new = None
    application.save()


def keep_only_a_cv(application):
    application.attachments.all().delete()
    AttachmentFactory(application=application, kind=Attachment.Kind.CV)


def pages(client, application):
    client.force_login(application.applicant)
    dashboard = client.get(page_url("dashboard"))
    [row] = [a for a in dashboard.context["applications"] if a.pk == application.pk]
    detail = client.get(page_url("detail", application.pk))
    return row.next_step, detail.context["steps"]


@pytest.mark.parametrize(
    "remove",
    [remove_title, remove_keywords, remove_partners, remove_budget, leave_the_declaration_unanswered, keep_only_a_cv],
)
def test_the_dashboard_asks_for_what_the_first_incomplete_step_lacks(client, english, remove):
    application = complete_application()
    remove(application)
    next_step, steps = pages(client, application)
    [first, *_others] = [step for step in steps if not step.done]
    assert next_step == " ".join(str(message) for message in first.missing)


def test_a_tremplin_without_its_declaration_is_not_told_to_submit(client, english):
    application = complete_application()
    leave_the_declaration_unanswered(application)
    next_step, steps = pages(client, application)
    assert next_step == "Say whether the collaboration is new."
    assert [step.slug for step in steps if not step.done] == ["declarations"]


def test_a_budget_of_zero_euros_is_complete_on_both_pages_and_left_to_the_checklist(client, english):
    application = complete_application(amount=0)
    next_step, steps = pages(client, application)
    assert all(step.done for step in steps)
    assert next_step == "Check the eligibility checklist and submit."


def test_a_pri_draft_has_no_declaration_to_make_on_either_page(client, english):
    call = CallFactory(instrument=InstrumentFactory(code="PRI"))
    application = complete_application(call=call, collaboration_is_new=None)
    next_step, steps = pages(client, application)
    assert "declarations" not in [step.slug for step in steps]
    assert next_step == "Check the eligibility checklist and submit."
