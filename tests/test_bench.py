"""The benchmark's own code stays in bench/: the portal ships no command that empties its tables,
and the dataset builder that `make bench` runs still builds a (small) year."""

import io
import json

import pytest
from django.conf import settings
from django.core.management import call_command, get_commands
from django.core.management.base import CommandError

from applications.models import Application
from bench import dataset
from projects.models import Project, Report
from reviews import routing
from reviews.models import ReviewAssignment


def test_the_portal_ships_no_bench_command_nor_the_greedy_baseline():
    assert not [name for name in get_commands() if "bench" in name]
    assert not [app for app in settings.INSTALLED_APPS if app.split(".")[0] == "bench"]
    assert not hasattr(routing, "greedy_assign")


@pytest.mark.django_db
def test_the_bench_dataset_builds_a_small_year_with_three_reviews_per_application():
    out = io.StringIO()
    call_command(dataset.Command(), applications=12, reviewers=8, rush_drafts=2, subscribers=3, json=True, stdout=out)
    figures = json.loads(out.getvalue().strip().splitlines()[-1])
    assert figures["applications_submitted"] == 12 and figures["rush_drafts"] == 2
    assert figures["reviews"] == figures["assignments"] == 12 * dataset.REVIEWS_PER_APPLICATION
    assert Application.objects.filter(status=Application.Status.IN_REVIEW).count() == 12
    # As many funded projects of earlier years, each with the reports its plan owes.
    assert figures["projects"] == Project.objects.count() == 12
    assert figures["project_reports"] == Report.objects.count() > 12
    assert ReviewAssignment.objects.active().count() == 36


@pytest.mark.django_db
def test_the_bench_dataset_refuses_to_empty_a_database_not_named_for_the_bench():
    with pytest.raises(CommandError, match="bench"):
        call_command(dataset.Command(), reset=True, applications=1, reviewers=3, stdout=io.StringIO())
