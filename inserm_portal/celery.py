"""The Celery application: every task of the portal is discovered from the apps' tasks.py."""

import logging
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "inserm_portal.settings")

app = Celery("inserm_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="portal.ping")
def ping(value="pong"):
    """Round-trip probe used by health checks and by the real-worker tests (its log line carries
    the request id of whoever queued it)."""
    logging.getLogger("portal.ping").info("ping %s", value)
    return value
