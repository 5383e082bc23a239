"""The ORM adapter end to end: proposal -> adjust -> confirm -> assignments and notifications."""

import re
from datetime import timedelta

import pytest
from celery import current_app
from django.utils import timezone

from applications.models import Application
from calls.models import Call, PriorityTheme
from notifications.models import Notification
from reviews import routing_adapter, services, tasks
from reviews.models import ProposedAssignment, ReviewAssignment, RoutingProposal
from reviews.services import routing as routing_services

from .factories import ExpertiseTermFactory, pool_reviewer, submitted_application
from .helpers import url

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_call(call):
    ageing = ExpertiseTermFactory(name_en="Ageing", name_fr="Vieillissement")
    imaging = ExpertiseTermFactory(name_en="Imaging", name_fr="Imagerie")
    apps = [
        submitted_application(call, keywords="vieillissement, cohort", partner_institution="Uni A"),
        submitted_application(call, keywords="imaging, MRI", partner_institution="Uni B"),
        submitted_application(call, keywords="ageing, imaging", partner_institution="Uni C"),
    ]
    reviewers = [
        pool_reviewer(call, institution="Uni X", free_keywords="", expertise=[ageing], max_load_per_call=2),
        pool_reviewer(call, institution="Uni Y", free_keywords="MRI", expertise=[imaging], max_load_per_call=2),
        pool_reviewer(
            call, institution="Uni A", free_keywords="cohort", max_load_per_call=2
        ),  # conflicted with apps[0]
    ]
    return call, apps, reviewers


def test_affinity_matches_vocabulary_terms_across_languages_and_free_keywords(small_call):
    call, apps, reviewers = small_call
    affinity = routing_adapter.keyword_affinity(apps, reviewers)
    assert affinity.shape == (3, 3)
    assert affinity[0, 0] > 0  # "vieillissement" is the French name of the reviewer's term "Ageing"
    assert affinity[1, 1] > affinity[1, 0] == 0  # imaging + MRI vs ageing
    assert affinity[0, 2] > 0  # free keyword "cohort"


def test_theme_counts_in_the_affinity(call):
    theme = PriorityTheme.objects.create(code="mental-health", name_fr="Santé mentale", name_en="Mental health")
    application = submitted_application(call, keywords="cohort", theme="mental-health")
    with_theme = pool_reviewer(call, free_keywords="")
    with_theme.reviewer_profile.themes.add(theme)
    without = pool_reviewer(call, free_keywords="cohort")
    affinity = routing_adapter.keyword_affinity([application], [with_theme, without])
    assert affinity[0, 0] > affinity[0, 1] > 0


def test_routing_proposal_never_proposes_a_conflicted_pair_and_respects_loads(small_call, staff):
    call, apps, reviewers = small_call
    proposal = services.launch_routing(call, staff, reviewers_per_application=2)
    assert proposal.status == RoutingProposal.Status.DRAFT and proposal.progress == 100
    pairs = set(proposal.pairs.values_list("application_id", "reviewer_id"))
    assert (apps[0].pk, reviewers[2].pk) not in pairs
    loads = {}
    for _app, reviewer in pairs:
        loads[reviewer] = loads.get(reviewer, 0) + 1
    assert max(loads.values()) <= 2
    # 6 slots, capacity 6 but one pair forbidden: apps[0] can only get reviewers 0 and 1.
    assert len(pairs) == 6
    assert {(apps[0].pk, reviewers[0].pk), (apps[0].pk, reviewers[1].pk)} <= pairs


def test_shortfall_is_stored_with_its_translated_reason(small_call, staff, english):
    call, apps, reviewers = small_call
    proposal = services.launch_routing(call, staff, reviewers_per_application=3)
    short = {s["application_id"]: s for s in proposal.shortfalls}
    assert short[apps[0].pk]["code"] == "routing.not_enough_conflict_free_reviewers"
    message = routing_adapter.shortfall_message(short[apps[0].pk])
    assert "only 2 reviewer(s) have no conflict" in message


def test_proposal_adjusted_then_confirmed_creates_assignments_and_notifications(small_call, staff, client):
    call, apps, reviewers = small_call
    proposal = services.launch_routing(call, staff, reviewers_per_application=1)
    assert proposal.pairs.count() == 3
    # Staff remove the router's pair for apps[1] and give it reviewer 2 instead (no conflict there).
    removed = proposal.pairs.get(application=apps[1])
    services.remove_proposed_pair(removed, staff)
    services.add_proposed_pair(proposal, apps[1], reviewers[2], staff)
    with pytest.raises(services.ReviewError):
        services.add_proposed_pair(proposal, apps[0], reviewers[2], staff)  # conflicted
    created = services.confirm_routing(proposal, staff)
    assert len(created) == 3
    assert ReviewAssignment.objects.get(application=apps[1]).reviewer == reviewers[2]
    assert set(Application.objects.filter(pk__in=[a.pk for a in apps]).values_list("status", flat=True)) == {
        "in_review"
    }
    call.refresh_from_db()
    assert call.status == Call.Status.IN_REVIEW
    assignment = ReviewAssignment.objects.get(application=apps[1])
    rows = {n.kind: n for n in Notification.objects.filter(object_id=assignment.pk, recipient=reviewers[2])}
    assert set(rows) == {"review.assignment", "review.reminder", "review.overdue"}
    assert rows["review.assignment"].context["url_path"] == f"/reviews/applications/{apps[1].pk}/"
    assert timezone.localtime(rows["review.reminder"].not_before).date() == assignment.due_date - timedelta(days=3)
    assert timezone.localtime(rows["review.overdue"].not_before).date() == assignment.due_date + timedelta(days=1)
    proposal.refresh_from_db()
    assert proposal.status == RoutingProposal.Status.CONFIRMED
    with pytest.raises(services.ReviewError):
        services.confirm_routing(proposal, staff)


def test_second_routing_keeps_existing_assignments_and_fills_the_rest(small_call, staff):
    call, apps, reviewers = small_call
    services.confirm_routing(services.launch_routing(call, staff, reviewers_per_application=1), staff)
    second = services.launch_routing(call, staff, reviewers_per_application=2)
    assert second.stats["kept_assignments"] == 3
    new_pairs = set(second.pairs.values_list("application_id", "reviewer_id"))
    existing = set(ReviewAssignment.objects.values_list("application_id", "reviewer_id"))
    assert not new_pairs & existing
    assert len(new_pairs) == 3


def test_routing_is_refused_while_the_call_is_open(small_call, staff, english):
    call, _apps, _reviewers = small_call
    Call.objects.filter(pk=call.pk).update(status=Call.Status.OPEN)
    call.refresh_from_db()
    with pytest.raises(services.ReviewError, match="Close the call"):
        services.launch_routing(call, staff)


def test_large_call_is_routed_by_the_celery_task_with_progress(
    small_call, staff, monkeypatch, django_capture_on_commit_callbacks
):
    call, _apps, _reviewers = small_call
    queued = []
    monkeypatch.setattr(current_app, "send_task", lambda name, args, **options: queued.append((name, args)))
    monkeypatch.setattr(routing_services, "INLINE_ROUTING_MAX_APPLICATIONS", 2)
    with django_capture_on_commit_callbacks(execute=True):
        proposal = services.launch_routing(call, staff, reviewers_per_application=1)
    assert proposal.status == RoutingProposal.Status.QUEUED and proposal.progress == 0
    assert queued == [(tasks.compute_routing.name, (proposal.pk,))]
    assert tasks.compute_routing(proposal.pk) == {"proposal": proposal.pk, "status": "draft"}
    proposal.refresh_from_db()
    assert proposal.progress == 100 and ProposedAssignment.objects.filter(proposal=proposal).count() == 3


def test_staff_route_and_confirm_from_the_pages(small_call, staff, client):
    call, apps, _reviewers = small_call
    client.force_login(staff)
    due = (timezone.localdate() + timedelta(days=21)).isoformat()
    response = client.post(url("staff_call", call.pk), {"reviewers_per_application": "1", "due_date": due})
    proposal = RoutingProposal.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/staff/proposals/{proposal.pk}/")
    page = client.get(url("staff_proposal", proposal.pk))
    assert page.status_code == 200 and apps[0].reference in page.content.decode()
    assert client.get(url("proposal_progress", proposal.pk)).json()["progress"] == 100
    client.post(url("staff_proposal", proposal.pk), {"action": "confirm"})
    assert ReviewAssignment.objects.filter(due_date=due).count() == 3


def test_staff_route_a_call_in_one_admin_action(small_call, staff, client):
    call, _apps, _reviewers = small_call
    client.force_login(staff)
    due = (timezone.localdate() + timedelta(days=21)).isoformat()
    response = client.post(
        "/admin/reviews/routingproposal/add/",
        {"call": call.pk, "reviewers_per_application": "1", "due_date": due},
    )
    assert response.status_code == 302
    proposal = RoutingProposal.objects.get()
    assert proposal.status == RoutingProposal.Status.DRAFT and proposal.pairs.count() == 3
    assert client.get(f"/admin/reviews/routingproposal/{proposal.pk}/change/").status_code == 200


def test_call_without_any_reviewer_gets_a_proposal_explaining_every_shortfall(call, staff):
    applications = [submitted_application(call), submitted_application(call)]
    proposal = services.launch_routing(call, staff, reviewers_per_application=2)
    assert proposal.status == RoutingProposal.Status.DRAFT
    assert {s["application_id"] for s in proposal.shortfalls} == {a.pk for a in applications}


def test_a_failing_computation_is_marked_failed_with_its_error(small_call, staff, monkeypatch):
    call, _apps, _reviewers = small_call

    def broken(*args, **kwargs):
        raise RuntimeError("solver exploded")

    monkeypatch.setattr(routing_adapter.routing, "route", broken)
    proposal = services.launch_routing(call, staff)
    assert proposal.status == RoutingProposal.Status.FAILED and "solver exploded" in proposal.error
    assert not proposal.pairs.exists()


def _confirm_queries(n_applications, staff):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.reviews.factories import ClosedCallFactory

    call = ClosedCallFactory()
    term = ExpertiseTermFactory(name_en=f"Term {n_applications}", name_fr=f"Terme {n_applications}")
    for index in range(n_applications):
        submitted_application(call, keywords=term.name_en, partner_institution=f"Partner {index}")
    for index in range(2):
        pool_reviewer(call, institution=f"Reviewers {index}", expertise=[term], max_load_per_call=n_applications)
    proposal = services.launch_routing(call, staff, reviewers_per_application=2)
    assert proposal.pairs.count() == 2 * n_applications
    with CaptureQueriesContext(connection) as ctx:
        created = services.confirm_routing(proposal, staff)
    assert len(created) == 2 * n_applications
    assert Notification.objects.filter(object_id__in=[a.pk for a in created]).count() >= 4 * n_applications
    return len(ctx.captured_queries)


def test_confirming_a_routing_costs_the_same_queries_for_a_small_and_a_large_call(staff):
    """A whole year's call (thousands of assignments, three notices each) is confirmed in one
    go: the number of queries must not grow with the number of applications."""
    assert _confirm_queries(2, staff) == _confirm_queries(12, staff)


def test_the_proposal_page_shows_titles_and_a_shortfall_list_that_follows_the_edits(small_call, staff, client, english):
    call, apps, reviewers = small_call
    proposal = services.launch_routing(call, staff, reviewers_per_application=2)
    client.force_login(staff)
    page = client.get(url("staff_proposal", proposal.pk)).content.decode()
    assert apps[1].title[:40] in page
    assert "left short" not in page  # 6 slots, 6 pairs
    title = page.split("<h1", 1)[1].split("</h1>", 1)[0]
    assert not re.search(r"\d{4}-\d{2}-\d{2}", title), title  # a local date, not ISO
    pair = ProposedAssignment.objects.filter(proposal=proposal, application=apps[1]).first()
    client.post(url("staff_proposal", proposal.pk), {"action": "remove", "pair": pair.pk})
    page = client.get(url("staff_proposal", proposal.pk)).content.decode()
    assert "1 application left short" in page
    assert apps[1].reference in page.split("left short", 1)[1].split("</section>", 1)[0]
    assert "1 reviewer(s) missing after the changes made to this proposal." in page


def test_confirming_a_proposal_that_leaves_applications_short_asks_first(small_call, staff, client, english):
    call, apps, _reviewers = small_call
    proposal = services.launch_routing(call, staff, reviewers_per_application=3)
    client.force_login(staff)
    page = client.post(url("staff_proposal", proposal.pk), {"action": "confirm"})
    assert page.status_code == 200
    assert "Confirm with applications left short?" in page.content.decode()
    assert not ReviewAssignment.objects.filter(call=call).exists()
    response = client.post(url("staff_proposal", proposal.pk), {"action": "confirm", "short_confirmed": "1"})
    assert response.status_code == 302
    assert ReviewAssignment.objects.filter(call=call).exists()


def test_asking_more_reviewers_per_application_than_accepted_warns_and_names_the_real_reason(
    small_call, staff, client, english
):
    call, apps, _reviewers = small_call
    proposal = services.launch_routing(call, staff, reviewers_per_application=4)
    client.force_login(staff)
    page = client.get(url("staff_proposal", proposal.pk)).content.decode()
    assert "Only 3 reviewers accepted to review this call, but 4 are asked per application" in page
    assert "only 3 reviewer(s) accepted to review this call, 4 are required per application" in page
    assert "no conflict of interest" not in page


def test_routing_reads_the_texts_a_cardiology_application_goes_to_the_cardiologists(call, staff):
    """Issue 18: no keyword shared, the abstracts and the reviewers' statements and publications
    still send the cardiology application to the cardiologists."""
    cardiology = submitted_application(call, keywords="cohort", partner_institution="Uni A")
    Application.objects.filter(pk=cardiology.pk).update(
        title="Insuffisance cardiaque du sujet âgé",
        abstract="Remodelage du myocarde, fibrose myocardique et arythmies après un infarctus.",
    )
    neurology = submitted_application(call, keywords="cohort", partner_institution="Uni B")
    Application.objects.filter(pk=neurology.pk).update(
        title="Microglia in Alzheimer's disease",
        abstract="Neuro-inflammation, amyloid plaques and synaptic loss in the ageing brain.",
    )
    cardiologists = [
        pool_reviewer(
            call,
            institution=f"Cardio {n}",
            free_keywords="",
            expertise_statement="Insuffisance cardiaque et arythmies; fibrose du myocarde.",
            recent_publications="Myocardial fibrosis after infarction\nRemodelage ventriculaire",
            max_load_per_call=1,
        )
        for n in range(2)
    ]
    neurologists = [
        pool_reviewer(
            call,
            institution=f"Neuro {n}",
            free_keywords="",
            expertise_statement="Microglia and neuro-inflammation in Alzheimer's disease.",
            recent_publications="Amyloid and synaptic plasticity in the ageing brain",
            max_load_per_call=1,
        )
        for n in range(2)
    ]
    proposal = services.launch_routing(call, staff, reviewers_per_application=2)
    pairs = set(proposal.pairs.values_list("application_id", "reviewer_id"))
    assert pairs == {(cardiology.pk, r.pk) for r in cardiologists} | {(neurology.pk, r.pk) for r in neurologists}


def test_the_texts_are_fitted_once_while_they_do_not_change(small_call):
    call, apps, reviewers = small_call
    routing_adapter._TEXT_VECTORS.clear()
    first = routing_adapter.text_affinity(apps, reviewers)
    assert len(routing_adapter._TEXT_VECTORS) == 1
    again = routing_adapter.text_affinity(apps, reviewers)
    assert len(routing_adapter._TEXT_VECTORS) == 1
    assert (first == again).all()
    profile = reviewers[0].reviewer_profile
    profile.expertise_statement = "Imaging of the ageing brain"
    profile.save()
    reviewers[0].reviewer_profile.refresh_from_db()
    changed = routing_adapter.text_affinity(apps, reviewers)
    assert len(routing_adapter._TEXT_VECTORS) == 2
    assert not (changed == first).all()
