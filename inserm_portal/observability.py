"""Structured logs with a request id (issue 20).

Each request gets an id: the one the proxy sent in ``X-Request-ID`` when it looks like one, else a
new one; the response carries it back. Every log record written while the request is served has it
(``record.request_id``, added by the log record factory, so any handler sees it), and so do the
Celery tasks the request queues: the id travels in the task's headers and is bound again in the
worker while the task runs. ``JsonFormatter`` writes one JSON object per line (LOG_FORMAT=json,
the default in production).
"""

import contextvars
import json
import logging
import re
import uuid
from datetime import UTC, datetime

from celery.signals import before_task_publish, task_postrun, task_prerun
from django.core.signals import request_finished
from django.dispatch import receiver

_request_id = contextvars.ContextVar("request_id", default="")
_ACCEPTED = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
HEADER = "X-Request-ID"


def current_request_id():
    return _request_id.get()


def bind(request_id):
    """Bind `request_id` to the current context; returns the token to reset it."""
    return _request_id.set(request_id or "")


class RequestIdMiddleware:
    """First of the middleware: binds the request's id and returns it in the response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get(HEADER, "")
        request_id = given if _ACCEPTED.match(given) else uuid.uuid4().hex
        request.request_id = request_id
        # Kept bound until the request is finished (request_finished below): Django logs a 4xx or
        # 5xx response after the middleware have returned it.
        bind(request_id)
        response = self.get_response(request)
        response[HEADER] = request_id
        return response


@receiver(request_finished, dispatch_uid="portal.request_id.finished")
def _finished(**kwargs):
    _request_id.set("")


_base_factory = logging.getLogRecordFactory()


def _record_factory(*args, **kwargs):
    record = _base_factory(*args, **kwargs)
    record.request_id = _request_id.get()
    return record


def install():
    """Every log record carries the request id (idempotent)."""
    if logging.getLogRecordFactory() is not _record_factory:
        logging.setLogRecordFactory(_record_factory)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, request id, and
    the exception's traceback when there is one."""

    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "") or None,
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class PlainFormatter(logging.Formatter):
    """A developer's console line, with the request id in brackets when there is one."""

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s%(request_part)s %(message)s")

    def format(self, record):
        request_id = getattr(record, "request_id", "")
        record.request_part = f" [{request_id}]" if request_id else ""
        return super().format(record)


# --- Celery: the id travels with the task ---------------------------------------------------------


@before_task_publish.connect(dispatch_uid="portal.request_id.publish")
def _publish(headers=None, **kwargs):
    request_id = _request_id.get()
    if request_id and headers is not None and not headers.get("request_id"):
        headers["request_id"] = request_id


_tokens = {}


@task_prerun.connect(dispatch_uid="portal.request_id.prerun")
def _prerun(task_id=None, task=None, **kwargs):
    request_id = getattr(task.request, "request_id", None) or (task.request.headers or {}).get("request_id")
    _tokens[task_id] = bind(request_id or "")


@task_postrun.connect(dispatch_uid="portal.request_id.postrun")
def _postrun(task_id=None, **kwargs):
    token = _tokens.pop(task_id, None)
    if token is not None:
        try:
            _request_id.reset(token)
        except ValueError:  # bound in another context (a pool's thread): clear it instead
            _request_id.set("")
