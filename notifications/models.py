"""The outbox: every e-mail the portal sends is first a Notification row.

A notification is written in the same database transaction as the event it reports, and its
delivery is queued on commit (see services.py). Its status moves only through
``Notification.TRANSITIONS``::

    held ──release──▶ pending ──claim──▶ sending ──▶ sent
      │                 ▲  │                │
      └──▶ cancelled ◀──┘  └──▶ cancelled   ├──retry / worker lost──▶ pending
                        ▲                   └──last try failed──▶ failed ──resend──▶ pending
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import kinds
from .kinds import kind_choices


class Subscription(models.Model):
    """A user's wish to hear about a topic (e.g. the calls of one instrument)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_subscriptions",
        verbose_name=_("user"),
    )
    topic = models.CharField(_("topic"), max_length=100)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        ordering = ["topic", "user_id"]
        constraints = [models.UniqueConstraint(fields=["user", "topic"], name="notifications_subscription_unique")]
        indexes = [models.Index(fields=["topic"], name="notif_subscription_topic")]

    def __str__(self):
        return f"{self.user} → {self.topic}"


class InvalidTransition(Exception):
    """A status change the outbox does not allow (e.g. sent → pending)."""


class Notification(models.Model):
    class Status(models.TextChoices):
        HELD = "held", _("Held for review")
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    # The only status changes allowed; every change goes through transition() or transition_rows().
    TRANSITIONS = {
        Status.HELD: {Status.PENDING, Status.CANCELLED},
        Status.PENDING: {Status.SENDING, Status.CANCELLED},
        Status.SENDING: {Status.SENT, Status.PENDING, Status.FAILED},
        Status.FAILED: {Status.PENDING},
        Status.SENT: set(),
        Status.CANCELLED: set(),
    }

    # A user of the portal, or only an address (a partner team's leader has no account): one of
    # the two, never both (see Meta.constraints).
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    to_email = models.EmailField(
        _("address without an account"),
        blank=True,
        help_text=_("Someone who has no account on the portal, e.g. a partner team's leader."),
    )
    kind = models.CharField(_("kind"), max_length=32, choices=kind_choices)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    context = models.JSONField(_("context"), default=dict, blank=True)
    content_type = models.ForeignKey(
        ContentType,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("object type"),
    )
    object_id = models.PositiveBigIntegerField(_("object id"), null=True, blank=True)
    target = GenericForeignKey("content_type", "object_id")

    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    subject = models.CharField(
        _("subject"),
        max_length=255,
        blank=True,
        help_text=_("Rendered when the notification is created, then the subject actually sent."),
    )
    subject_override = models.CharField(
        _("edited subject"),
        max_length=255,
        blank=True,
        help_text=_("Replaces the subject of the template (only while the letter is held)."),
    )
    body_override = models.TextField(
        _("edited text"),
        blank=True,
        help_text=_("Replaces the text of the template (only while the letter is held)."),
    )

    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    not_before = models.DateTimeField(
        _("not before"), null=True, blank=True, help_text=_("A scheduled notification is not delivered before this.")
    )
    queued_at = models.DateTimeField(_("queued at"), null=True, blank=True)
    sending_since = models.DateTimeField(_("sending since"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    dedupe_key = models.CharField(_("deduplication key"), max_length=200, null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "not_before"], name="notif_status_not_before"),
            models.Index(fields=["content_type", "object_id"], name="notif_target"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(recipient__isnull=False) & Q(to_email="")) | (Q(recipient__isnull=True) & ~Q(to_email="")),
                name="notifications_one_recipient_or_address",
            )
        ]

    def __str__(self):
        # Staff read this in admin's titles and lists: the kind and the person, never an id. The
        # kind's label from its declaration: get_kind_display() builds the list of every kind's
        # choices again on each call (admin's outbox calls it for each of its rows).
        return f"{self.kind_label} — {self.recipient if self.recipient_id else self.to_email}"

    @property
    def kind_label(self):
        try:
            return kinds.get(self.kind).label
        except kinds.UnknownKind:
            return self.kind

    @property
    def address(self):
        """Where the e-mail goes: the recipient's address, or the one given without an account."""
        return self.recipient.email if self.recipient_id else self.to_email

    @classmethod
    def can_transition(cls, source, target):
        return target in cls.TRANSITIONS.get(source, set())

    def transition(self, target, **changes):
        """Move this (locked) row to `target`, set `changes`, and save only those fields."""
        if not self.can_transition(self.status, target):
            raise InvalidTransition(f"{self.status} → {target}")
        self.status = target
        for field, value in changes.items():
            setattr(self, field, value)
        self.save(update_fields=["status", *changes])

    @classmethod
    def transition_rows(cls, queryset, source, target, **changes):
        """Move every row of `queryset` that is in `source` to `target` in one UPDATE; returns the count."""
        if not cls.can_transition(source, target):
            raise InvalidTransition(f"{source} → {target}")
        return queryset.filter(status=source).update(status=target, **changes)
