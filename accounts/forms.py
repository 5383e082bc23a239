"""Account forms: sign-up (an account that works once its e-mail address is verified), the
second factor, the erasure request and the password reset whose e-mail goes through the outbox."""

from django import forms
from django.conf import settings
from django.contrib.auth.forms import BaseUserCreationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from .models import User
from .signals import password_reset_requested


class SignupForm(BaseUserCreationForm):
    """E-mail, names, preferred language and a password checked by AUTH_PASSWORD_VALIDATORS."""

    language = forms.ChoiceField(
        label=_("preferred language"),
        choices=settings.LANGUAGES,
        help_text=_("Language of the e-mails the portal sends you."),
    )

    class Meta:
        model = User
        fields = ["email", "first_name", "last_name", "language"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("first_name", "last_name"):
            self.fields[name].required = True
        self.fields["email"].widget.attrs.update({"autocomplete": "email", "autofocus": True})

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data.get("email", "")).lower()
        existing = User.objects.filter(email__iexact=email).first()
        if existing is not None and not existing.is_active and existing.last_login is None:
            # Signed up but never verified (lost or expired link): signing up again takes over that
            # account and sends a new link; only the owner of the mailbox can activate it.
            self.instance = existing
        elif existing is not None:
            raise ValidationError(
                _("An account already uses this e-mail address: log in, or reset your password."),
                code="duplicate_email",
            )
        return email

    def save(self, commit=True):
        user = super().save(commit=False)
        user.is_active = False
        user.is_researcher = True
        if commit:
            user.save()
        return user


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("6-digit code from your authenticator app"),
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


class ErasureRequestForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm = forms.BooleanField(
        label=_("I understand that my account will be closed and that decided applications are kept."),
        error_messages={"required": _("Tick the box to confirm your request.")},
    )


class OutboxPasswordResetForm(PasswordResetForm):
    """Django's password reset form, whose e-mail goes through the portal's outbox (and so through
    Celery, in the account's language) instead of being sent during the request. The page answers
    the same whether or not the address has an account."""

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email, **kwargs):
        user = context["user"]
        with translation.override("fr"):
            path = reverse("password_reset_confirm", args=[context["uid"], context["token"]])
        password_reset_requested.send(sender=type(user), user=user, url_path=path.removeprefix("/fr"))
