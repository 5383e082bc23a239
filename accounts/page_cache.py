"""Cached page fragments, keyed by what changes them (issue 21).

A page's costly part (the ranking table, a dashboard's lists), or a whole Django admin list, is
rendered once and kept in the cache under a key made of:

- the fragment's name and what selects it (the call, the page number, the filters, the person
  when the fragment is personal);
- the language;
- the minute: fragments say "closes in 3 days" or "overdue", which time alone changes;
- the portal's **data stamp**, which changes on every write to the portal's tables (the
  outbox, written as mails go out, has a stamp of its own that only its admin list reads).

The stamp is not kept up by signals (a queryset ``update()``, a ``bulk_create``, raw SQL or a
migration would slip past them): a database execute wrapper installed on every connection sees
each INSERT, UPDATE and DELETE, whoever runs it (a form, Django admin, a command, a Celery task),
and drops the stamp when a transaction first writes and again when it commits: a page rendered
meanwhile, from the data as it was before the commit, is not kept past it. A fragment therefore
never shows data older than the last commit. Within a transaction, a later write drops the stamp
again only if this process read it since (a page rendered by the same connection shows what its
own transaction wrote): a transaction costs about two cache deletions (Redis round trips).

The stamp must be shared by every process that writes (web workers, Celery workers): the cache
is on when CACHE_URL names a shared cache (Redis, as in production), or when PAGE_CACHE=1 says
the single process's own memory is enough (the tests). ``make run`` (a web process and a Celery
worker, each with its own memory) renders every fragment on every request.

A fragment may hold forms: the CSRF tokens {% csrf_token %} wrote are taken out before it is
kept, and the reader's own token is put back each time it is served (a token belongs to one
session). Only GET requests use the cache: a form sent back with its errors is rendered afresh.
"""

from __future__ import annotations

import hashlib
import re
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import translation
from django.utils.safestring import mark_safe

STAMP_KEYS = {"data": "page-cache:stamp", "outbox": "page-cache:stamp:outbox"}
FRAGMENT_PREFIX = "page-cache:fragment:"

# Tables whose writes show on no cached page and happen on their own schedule: sessions (written
# when a staff session's idle expiry moves) and the login-attempt logs.
IGNORED_TABLES = frozenset({"django_session", "axes_accessattempt", "axes_accesslog", "axes_accessfailurelog"})
# Tables with a stamp of their own: the outbox, which workers update as they send, drops only the
# stamp of the pages that show it (the outbox's admin list), not every page's.
OWN_STAMP_TABLES = {"notifications_notification": "outbox"}
_WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?([A-Za-z0-9_]+)"?', re.IGNORECASE)


def enabled():
    return settings.PAGE_CACHE


def written_stamp(sql):
    """The stamp a statement drops: "data" for a write to the portal's tables, "outbox" for one to
    the outbox, None for a read or a write nothing cached shows."""
    match = _WRITE.match(sql)
    if not match:
        return None
    table = match.group(1).lower()
    if table in IGNORED_TABLES:
        return None
    return OWN_STAMP_TABLES.get(table, "data")


def writes_portal_table(sql):
    """True when `sql` inserts, updates or deletes rows of a table the pages show (but the outbox)."""
    return written_stamp(sql) == "data"


# Whether this process read a stamp since it last dropped it: inside a transaction, a write need
# not drop it again unless someone here may have cached, meanwhile, a page with what the
# transaction wrote before (other processes see none of it until the commit, which drops it).
_read_since_drop = {name: True for name in STAMP_KEYS}


def drop_stamp(name="data"):
    _read_since_drop[name] = False
    cache.delete(STAMP_KEYS[name])


def after_commit():
    drop_stamp("data")


def after_outbox_commit():
    drop_stamp("outbox")


#: What a commit runs for each stamp its transaction dropped.
COMMIT_DROPS = {"data": after_commit, "outbox": after_outbox_commit}


# Stamps whose drops outside a transaction wait for the end of the request or task, at most
# DEFER_SECONDS: a worker marks each mail sent by its own UPDATE, and a Redis round trip each would
# slow delivery by a quarter; the outbox's admin list is then at most a batch behind.
DEFERRED_STAMPS = frozenset({"outbox"})
DEFER_SECONDS = 1.0
_deferred = {}  # stamp name -> when its first deferred drop was asked


def drop_deferred(**kwargs):
    """Drop the stamps whose drop waits (request_finished and Celery's task_postrun)."""
    for name in list(_deferred):
        _deferred.pop(name, None)
        drop_stamp(name)


def _written(connection, name):
    if not connection.in_atomic_block:
        if name in DEFERRED_STAMPS:
            since = _deferred.setdefault(name, time.monotonic())
            if time.monotonic() - since >= DEFER_SECONDS:
                drop_deferred()
            return
        drop_stamp(name)  # committed at once: anyone may have read the stamp
        return
    if _read_since_drop[name]:
        drop_stamp(name)
    # And once more when the transaction commits (asked once per transaction).
    callback = COMMIT_DROPS[name]
    if not any(queued is callback for _sids, queued, _robust in connection.run_on_commit):
        transaction.on_commit(callback, using=connection.alias)


def watch_writes(execute, sql, params, many, context):
    """The execute wrapper installed on every connection (see CallsConfig.ready)."""
    result = execute(sql, params, many, context)
    if enabled():
        name = written_stamp(sql)
        if name is not None:
            _written(context["connection"], name)
    return result


def install(sender=None, connection=None, **kwargs):
    """connection_created receiver: wrap the new connection's statements."""
    if watch_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(watch_writes)


def stamp(name="data"):
    """The current value of a stamp, a new one when the last was dropped."""
    _read_since_drop[name] = True
    key = STAMP_KEYS[name]
    current = cache.get(key)
    if current is None:
        current = uuid.uuid4().hex
        if not cache.add(key, current, None):
            current = cache.get(key) or current
    return current


def fragment_key(name, args, user=None, stamps=("data",)):
    parts = [
        name,
        translation.get_language() or "",
        int(time.time() // 60),
        *[stamp(stamp_name) for stamp_name in stamps],
        *[str(arg) for arg in args],
        "" if user is None else f"user:{user.pk}",
    ]
    digest = hashlib.sha256("\x1f".join(str(part) for part in parts).encode()).hexdigest()
    return f"{FRAGMENT_PREFIX}{name}:{digest}"


_CSRF_INPUT = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')
_CSRF_SLOT = "\x00csrf\x00"


def _without_tokens(html):
    return _CSRF_INPUT.sub(lambda m: m.group(1) + _CSRF_SLOT + m.group(2), html)


def _with_token(html, request):
    if _CSRF_SLOT not in html:
        return html
    from django.middleware.csrf import get_token

    return html.replace(_CSRF_SLOT, get_token(request))


def fragment(name, build, *, args=(), user=None, request=None):
    """The HTML `build()` renders (a template rendered to a string), from the cache when the data
    and the minute are the same as when it was last rendered. `user`: the fragment is that
    person's own (their dashboard); without it, every reader with access sees the same. With
    `request`, its forms get the reader's CSRF token, and only a GET is served from the cache."""
    if not enabled() or (request is not None and request.method != "GET"):
        return mark_safe(build())
    html = value(name, lambda: _without_tokens(str(build())), args=args, user=user)
    return mark_safe(_with_token(html, request) if request is not None else html)


def value(name, build, *, args=(), user=None):
    """What `build()` returns (anything the cache can keep: the data of an API page), kept as a
    fragment is."""
    if not enabled():
        return build()
    key = fragment_key(name, args, user)
    kept = cache.get(key)
    if kept is None:
        kept = build()
        cache.set(key, kept, settings.PAGE_CACHE_SECONDS)
    return kept


def response(request, name, build, *, stamps=("data",)):
    """A whole page (`build()` returns its response: a Django admin list), kept per reader and URL
    as a fragment is. Not kept: a page with messages to show (they would be shown once only), an
    answer other than a 200, or any request but a GET."""
    from django.contrib.messages import get_messages
    from django.http import HttpResponse

    if not enabled() or request.method != "GET" or len(get_messages(request)):
        return build()
    key = fragment_key(name, (request.get_full_path(),), request.user, stamps)
    kept = cache.get(key)
    if kept is not None:
        content, content_type = kept
        return HttpResponse(_with_token(content, request), content_type=content_type)
    answer = build()
    if getattr(answer, "streaming", False) or answer.status_code != 200:
        return answer
    if hasattr(answer, "render") and not answer.is_rendered:
        answer.render()
    content = answer.content.decode(answer.charset)
    cache.set(key, (_without_tokens(content), answer["Content-Type"]), settings.PAGE_CACHE_SECONDS)
    return answer


class CachedFragmentMixin:
    """For a TemplateView whose page is its base template around one costly fragment: the view's
    template shows ``{{ fragment }}``, rendered from `fragment_template` with the view's context
    and `fragment_context()` (the queries), which runs only when the cache has no fresh copy."""

    fragment_template = None
    fragment_per_user = True  # the fragment is its reader's own (a dashboard)

    def fragment_name(self):
        return self.fragment_template

    def fragment_args(self):
        """What else selects the fragment: the object's id, the page number, the filters."""
        return ()

    def fragment_context(self):
        return {}

    def get_context_data(self, **kwargs):
        from django.template.loader import render_to_string

        context = super().get_context_data(**kwargs)

        def build():
            return render_to_string(self.fragment_template, {**context, **self.fragment_context()}, self.request)

        context["fragment"] = fragment(
            self.fragment_name(),
            build,
            args=self.fragment_args(),
            user=self.request.user if self.fragment_per_user else None,
            request=self.request,
        )
        return context
