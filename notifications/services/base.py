"""What the outbox's service modules share: the settings they read, the status names, the logger."""

import logging
import smtplib

from django.conf import settings

from ..models import Notification

logger = logging.getLogger("notifications.services")

Status = Notification.Status

RETRYABLE_ERRORS = (smtplib.SMTPException, OSError)


def _setting(name, default):
    return getattr(settings, name, default)


def max_attempts():
    return _setting("NOTIFICATIONS_MAX_ATTEMPTS", 5)


def batch_size():
    return _setting("NOTIFICATIONS_BATCH_SIZE", 100)
