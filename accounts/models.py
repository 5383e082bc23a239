"""The portal's user: one person logs in by e-mail and may hold several roles.

Roles are explicit flags rather than inferred from related rows, so that the navigation and the
permission predicates cost no query: a researcher applies, a reviewer reviews, staff (Django's
is_staff) run the calls in admin. One person may be researcher and reviewer at once.
"""

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .actions import action_choices


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        email = self.normalize_email(email).lower()
        user = self.model(email=email, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        if not extra_fields["is_staff"] or not extra_fields["is_superuser"]:
            raise ValueError("A superuser must have is_staff and is_superuser set.")
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        # E-mail addresses are compared without case: Jane@Inserm.fr is jane@inserm.fr.
        return self.get(**{f"{self.model.USERNAME_FIELD}__iexact": username})


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("e-mail address"), unique=True)
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    language = models.CharField(
        _("preferred language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="fr",
        help_text=_("Language of the e-mails the portal sends you."),
    )
    # Read by applications/reminders.py: an e-mail 7 days and 1 day before a call closes for each
    # draft not yet submitted, unless its applicant turned them off (the call alerts page).
    draft_reminders = models.BooleanField(
        _("remind me of my drafts before the call closes"),
        default=True,
        help_text=_("An e-mail 7 days and 1 day before the call closes, for each draft not yet submitted."),
    )
    is_researcher = models.BooleanField(_("researcher"), default=False)
    is_reviewer = models.BooleanField(_("reviewer"), default=False)
    is_staff = models.BooleanField(
        _("staff status"),
        default=False,
        help_text=_("Staff of the international relations offices: may use Django admin."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["last_name", "first_name", "email"]

    def __str__(self):
        return self.get_full_name() or self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self):
        return self.first_name or self.email


class AuditEvent(models.Model):
    """Who did what to which record, and when: written by the service functions (and the admin's
    save of a call) inside the same transaction as the change itself. Never edited, never deleted
    with its subject (the generic reference and `object_repr` outlive it)."""

    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    actor_repr = models.CharField(_("by (as recorded)"), max_length=254, blank=True)
    action = models.CharField(_("action"), max_length=40, choices=action_choices, db_index=True)
    content_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("record type")
    )
    object_id = models.CharField(_("record id"), max_length=64, blank=True)
    object_repr = models.CharField(_("record"), max_length=300, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit trail")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="accounts_audit_target")]

    def __str__(self):
        from django.utils import formats

        moment = formats.date_format(timezone.localtime(self.at), "DATETIME_FORMAT") if self.at else "—"
        return f"{moment} — {self.actor_repr or '—'} — {self.get_action_display()} — {self.object_repr}"


class ErasureRequest(models.Model):
    """A user asks for their personal data to be erased; staff carry it out in admin
    (accounts.personal_data.erase), since records under legal retention stay (see README)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        DONE = "done", _("carried out")
        REFUSED = "refused", _("refused")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="erasure_requests",
        verbose_name=_("user"),
    )
    user_repr = models.CharField(_("user (as recorded)"), max_length=254)
    reason = models.TextField(_("reason"), blank=True, max_length=2000)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handled by"),
    )
    outcome = models.TextField(_("what was done"), blank=True)

    class Meta:
        verbose_name = _("request to erase personal data")
        verbose_name_plural = _("requests to erase personal data")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(status="pending"), name="accounts_one_pending_erasure"
            )
        ]

    def __str__(self):
        return f"{self.user_repr} ({self.get_status_display()})"
