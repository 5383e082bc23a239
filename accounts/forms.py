"""Account forms: sign-up (an account that works once its e-mail address is verified), the
second factor, the erasure request and the password reset. Sign-up and password reset only queue a
Celery task: see accounts.services for why."""

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, BaseUserCreationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from . import services
from .models import User


class SignupForm(BaseUserCreationForm):
    """E-mail, names, preferred language and a password checked by AUTH_PASSWORD_VALIDATORS.

    Nothing here depends on whether the address has an account: validation never looks it up, and
    save() writes nothing but queues the sign-up task (accounts.services), which does. The page
    then answers the same, in the same time, for every address."""

    language = forms.ChoiceField(
        label=capfirst(_("preferred language")),
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
        return User.objects.normalize_email(self.cleaned_data.get("email", "")).lower()

    def validate_unique(self):
        """No uniqueness check: "this address is taken" would tell anyone which addresses have an
        account. The sign-up task finds an existing account (and the unique index settles a race)."""

    def save(self, commit=True):
        """Queue the sign-up; no account is created or changed here (see accounts.services)."""
        data = self.cleaned_data
        services.request_signup(
            email=data["email"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            language=data["language"],
            password=data["password1"],
        )


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
    """Django's password reset form whose save() only queues a Celery task with the address: the
    task looks the address up and sends the link through the outbox, in the account's language
    (accounts.services.send_password_reset). The page answers the same, after the same work,
    whether or not the address has an account."""

    def save(self, **kwargs):
        services.request_password_reset(self.cleaned_data["email"])


class LoginForm(AuthenticationForm):
    """Log in by e-mail. A wrong address or password gets one plain message (which of the two is
    never said); the right password of an account whose address awaits verification is told so,
    with a button that sends the link again (accounts.backends.PortalModelBackend notes it)."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("The e-mail address or the password is wrong. Check both, or reset your password."),
        "awaiting_verification": _(
            "Your account awaits the verification of your e-mail address: follow the link of the e-mail we "
            "sent you, or ask for a new link below."
        ),
    }

    awaiting_verification = False

    def clean(self):
        try:
            return super().clean()
        except ValidationError:
            if getattr(self.request, "awaiting_verification", None) is not None:
                self.awaiting_verification = True
                raise ValidationError(
                    self.error_messages["awaiting_verification"], code="awaiting_verification"
                ) from None
            raise


class ResendVerificationForm(forms.Form):
    email = forms.EmailField(label=capfirst(_("e-mail address")), max_length=254)

    def save(self):
        services.request_verification_resend(User.objects.normalize_email(self.cleaned_data["email"]).lower())
