"""Django admin shows every record of a funded project, and changes none: the services own them."""

import pytest
from django.contrib import admin
from django.urls import reverse

from accounts.audit import record
from projects.actions import ProjectAction
from projects.models import (
    ChangeRequest,
    Evaluation,
    Instalment,
    Mission,
    Payment,
    Project,
    ProjectBudgetLine,
    ProjectPartner,
    Publication,
    Report,
    ReportAttachment,
    ReportVersion,
    Spending,
)

from .factories import bulk_projects, project_records

pytestmark = pytest.mark.django_db

REGISTERED = [Project, Payment, Report, ReportVersion, Evaluation, ChangeRequest]
INLINED = {
    Project: [ProjectPartner, ProjectBudgetLine, Instalment],
    Report: [ReportVersion, Mission, Publication, Spending, ReportAttachment],
}


@pytest.fixture
def records(staff):
    [project] = bulk_projects(1, instrument="TREMPLIN")  # one report: its final report
    return {Project: project, Report: project.reports.order_by("due_on").first()} | {
        type(record): record for record in project_records(project, staff=staff).values()
    }


def admin_url(model, view, *args):
    return reverse(f"admin:projects_{model._meta.model_name}_{view}", args=args)


def test_every_model_of_the_app_is_registered_or_inlined():
    from django.apps import apps

    shown = set(REGISTERED) | {model for models in INLINED.values() for model in models}
    assert set(apps.get_app_config("projects").get_models()) == shown
    for model, inlined in INLINED.items():
        assert {inline.model for inline in admin.site._registry[model].inlines} == set(inlined)


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model.__name__)
def test_a_superuser_opens_the_changelist_and_the_change_page(client, staff, records, model):
    client.force_login(staff)
    record = records[model]
    changelist = client.get(admin_url(model, "changelist"))
    assert changelist.status_code == 200
    assert list(changelist.context["cl"].result_list) == [record]
    change = client.get(admin_url(model, "change", record.pk))
    assert change.status_code == 200


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model.__name__)
def test_nothing_is_added_changed_or_deleted_in_admin(client, staff, records, model):
    client.force_login(staff)
    record = records[model]
    page = client.get(admin_url(model, "change", record.pk)).content.decode()
    assert 'name="_save"' not in page
    assert client.get(admin_url(model, "add")).status_code == 403
    assert client.get(admin_url(model, "delete", record.pk)).status_code == 403
    before = model.objects.filter(pk=record.pk).values().get()
    client.post(admin_url(model, "change", record.pk), {"status": "closed", "title": "Changed"})
    assert model.objects.filter(pk=record.pk).values().get() == before


def test_the_project_page_shows_its_status_partners_and_history_read_only(client, staff, records, english):
    project = records[Project]
    record(staff, ProjectAction.START_SET, project, start=project.start_date)
    client.force_login(staff)
    page = client.get(admin_url(Project, "change", project.pk), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'name="status"' not in page
    assert f'<div class="readonly">{project.get_status_display()}</div>' in page
    assert "University of Tokyo" in page
    assert str(ProjectAction.START_SET.label) in page and staff.email in page


def test_the_project_changelist_filters_by_a_current_partners_country(client, staff):
    japan = bulk_projects(1, country="JP")[0]
    brazil = bulk_projects(1, country="BR")[0]
    client.force_login(staff)
    response = client.get(admin_url(Project, "changelist"), {"partner_country": "BR"})
    assert list(response.context["cl"].result_list) == [brazil]
    assert japan not in response.context["cl"].result_list
