"""Cached page fragments (accounts/page_cache.py): a page served from the cache costs fewer queries,
and never shows data older than the last write, however the write was made."""

import re
import threading

import pytest
from django.core.cache import cache
from django.db import connection, connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import page_cache
from applications.models import Application
from tests.applications.factories import ProfileFactory, complete_application
from tests.factories import StaffFactory
from tests.reviews.factories import ClosedCallFactory, submitted_application

pytestmark = pytest.mark.django_db


def ranking_url(call):
    return reverse("reviews:ranking", args=[call.pk])


def get(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def without_tokens(body):
    """The page without its CSRF tokens (masked afresh for each response)."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", body)


@pytest.fixture
def ranked(client):
    call = ClosedCallFactory()
    application = submitted_application(call)
    Application.objects.filter(pk=application.pk).update(title="Malaria vectors in the Sahel")
    client.force_login(StaffFactory())
    return client, call, application


def test_a_page_served_from_the_cache_is_the_same_page_for_fewer_queries(ranked):
    client, call, _application = ranked
    first, rendered = get(client, ranking_url(call))
    again, cached = get(client, ranking_url(call))
    assert without_tokens(again) == without_tokens(first)
    assert cached < rendered


def test_a_save_an_update_and_raw_sql_each_show_at_once(ranked):
    client, call, application = ranked
    assert "Malaria vectors in the Sahel" in get(client, ranking_url(call))[0]
    application.title = "Saved through the model"
    application.save(update_fields=["title"])
    assert "Saved through the model" in get(client, ranking_url(call))[0]
    Application.objects.filter(pk=application.pk).update(title="Changed by a queryset update")
    assert "Changed by a queryset update" in get(client, ranking_url(call))[0]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE applications_application SET title = %s WHERE id = %s", ["Raw SQL", application.pk])
    assert "Raw SQL" in get(client, ranking_url(call))[0]


def test_a_session_write_keeps_the_fragments(ranked):
    client, call, _application = ranked
    get(client, ranking_url(call))
    stamp = page_cache.stamp()
    session = client.session
    session["seen"] = True
    session.save()
    assert page_cache.stamp() == stamp


def test_a_minute_later_the_fragment_is_rendered_again(ranked, monkeypatch):
    """Fragments say "closes in 3 days" or "overdue": time alone changes them."""
    client, call, _application = ranked
    _body, rendered = get(client, ranking_url(call))
    _body, cached = get(client, ranking_url(call))
    now = page_cache.time.time()
    monkeypatch.setattr(page_cache.time, "time", lambda: now + 60)
    _body, next_minute = get(client, ranking_url(call))
    assert next_minute > cached
    assert rendered > cached


def test_a_dashboard_is_its_reader_own(client):
    first, second = ProfileFactory().user, ProfileFactory().user
    complete_application(applicant=first, title="Only the first researcher")
    complete_application(applicant=second, title="Only the second researcher")
    client.force_login(first)
    assert "Only the first researcher" in get(client, reverse("applications:dashboard"))[0]
    other = Client()
    other.force_login(second)
    body = get(other, reverse("applications:dashboard"))[0]
    assert "Only the second researcher" in body
    assert "Only the first researcher" not in body


def test_a_cached_form_carries_each_reader_own_csrf_token(ranked):
    _client, call, _application = ranked
    tokens = []
    for _ in range(2):
        reader = Client(enforce_csrf_checks=True)
        reader.force_login(StaffFactory())
        body = get(reader, reverse("reviews:meeting", args=[call.pk]))[0]
        token = body.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
        assert "\x00" not in token
        tokens.append(token)
        # The token works: a POST with it passes the CSRF check (and is refused for its content).
        response = reader.post(reverse("reviews:meeting", args=[call.pk]), {"csrfmiddlewaretoken": token})
        assert response.status_code != 403
    assert tokens[0] != tokens[1]


def test_the_cache_is_off_without_a_shared_cache(ranked, settings):
    client, call, _application = ranked
    settings.PAGE_CACHE = False
    get(client, ranking_url(call))  # the session and content types, loaded once
    _body, first = get(client, ranking_url(call))
    _body, second = get(client, ranking_url(call))
    assert first == second


@pytest.mark.django_db(transaction=True)
def test_a_page_read_while_another_connection_writes_shows_the_write_after_its_commit(client):
    """A reader caches the page while another connection's transaction is open; once it commits,
    the page shows what it wrote (the stamp is dropped again at commit)."""
    call = ClosedCallFactory()
    application = submitted_application(call)
    Application.objects.filter(pk=application.pk).update(title="Before the commit")
    client.force_login(StaffFactory())
    written, commit = threading.Event(), threading.Event()

    def writer():
        try:
            with transaction.atomic():
                Application.objects.filter(pk=application.pk).update(title="After the commit")
                written.set()
                commit.wait(10)
        finally:
            connections.close_all()

    thread = threading.Thread(target=writer)
    thread.start()
    assert written.wait(10)
    assert "Before the commit" in get(client, ranking_url(call))[0]  # cached, uncommitted change unseen
    commit.set()
    thread.join(10)
    assert "After the commit" in get(client, ranking_url(call))[0]


def test_writes_to_other_tables_are_told_apart():
    assert page_cache.writes_portal_table('UPDATE "applications_application" SET "title" = %s')
    assert page_cache.writes_portal_table('INSERT INTO "reviews_review" ("id") VALUES (1)')
    assert page_cache.writes_portal_table('DELETE FROM "projects_report" WHERE id = 1')
    assert not page_cache.writes_portal_table('SELECT * FROM "applications_application"')
    assert not page_cache.writes_portal_table('UPDATE "django_session" SET "session_data" = %s')
    assert not page_cache.writes_portal_table('UPDATE "notifications_notification" SET "status" = %s')
    cache.clear()


def test_an_outbox_write_drops_only_the_outbox_stamp():
    assert page_cache.written_stamp('UPDATE "notifications_notification" SET "status" = %s') == "outbox"
    assert page_cache.written_stamp('UPDATE "django_session" SET "session_data" = %s') is None
    data, outbox = page_cache.stamp("data"), page_cache.stamp("outbox")
    with connection.cursor() as cursor:
        cursor.execute('UPDATE "notifications_notification" SET "attempts" = "attempts" WHERE id = 0')
    assert page_cache.stamp("data") == data
    assert page_cache.stamp("outbox") != outbox


def test_an_admin_list_is_kept_per_reader_and_shows_a_change_and_a_message_at_once(client):
    from notifications.models import Notification
    from tests.factories import ResearcherFactory

    staff = StaffFactory(is_superuser=True)
    client.force_login(staff)
    url = reverse("admin:notifications_notification_changelist")
    notification = Notification.objects.create(
        recipient=ResearcherFactory(), kind="application.receipt", context={}, language="en"
    )
    first, rendered = get(client, url)
    again, cached = get(client, url)
    assert without_tokens(again) == without_tokens(first) and cached < rendered
    # A worker marks it failed (the outbox's own stamp): the list says so at once.
    Notification.objects.filter(pk=notification.pk).update(status=Notification.Status.FAILED, last_error="554 refused")
    assert "554 refused" in get(client, url)[0]
    # Staff resend it: the message the action leaves is shown once, on the list after the
    # redirect, and never kept in a cached copy.
    response = client.post(url, {"action": "resend", "_selected_action": [notification.pk]})
    assert response.status_code == 302
    with_message = get(client, url)[0]
    assert 'class="messagelist"' in with_message
    assert 'class="messagelist"' not in get(client, url)[0]


def test_another_staff_member_gets_their_own_admin_list(client):
    first = StaffFactory(is_superuser=True)
    client.force_login(first)
    url = reverse("admin:applications_application_changelist")
    body = get(client, url)[0]
    assert first.email in body or first.get_short_name() in body
    second = StaffFactory(is_superuser=True)
    other = Client()
    other.force_login(second)
    other_body = get(other, url)[0]
    assert second.email in other_body or second.get_short_name() in other_body
    assert first.email not in other_body


@pytest.mark.django_db(transaction=True)
def test_a_worker_outbox_writes_drop_the_outbox_stamp_once_its_task_is_over():
    """A worker marks each mail sent by its own UPDATE: the outbox's stamp is dropped when the task
    ends (or a second later), not at every mail."""
    from celery.signals import task_postrun
    from django.core.signals import request_finished

    for signal in (task_postrun, request_finished):
        outbox = page_cache.stamp("outbox")
        with connection.cursor() as cursor:
            cursor.execute('UPDATE "notifications_notification" SET "attempts" = "attempts" WHERE id = 0')
        assert page_cache.stamp("outbox") == outbox
        signal.send(sender=None)
        assert page_cache.stamp("outbox") != outbox
