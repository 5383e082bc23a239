"""Sign-up with e-mail verification: the account works once the link sent by e-mail is followed."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from .forms import SignupForm
from .signals import verification_requested
from .tokens import email_verification_token


def verification_path(user):
    """The link's path without the language prefix, as notifications expect it."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = email_verification_token.make_token(user)
    with translation.override("fr"):
        path = reverse("signup_verify", args=[uid, token])
    return path.removeprefix("/fr")


class SignupView(FormView):
    template_name = "registration/signup.html"
    form_class = SignupForm
    success_url = reverse_lazy("signup_sent")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            return redirect("home")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        with transaction.atomic():
            user = form.save()
            verification_requested.send(sender=type(user), user=user, url_path=verification_path(user))
        return super().form_valid(form)


class SignupSentView(TemplateView):
    template_name = "registration/signup_sent.html"


class VerifyEmailView(View):
    """Following the link activates the account once; an old or altered link says so."""

    def get(self, request, uidb64, token):
        User = get_user_model()
        try:
            user = User.objects.get(pk=force_str(urlsafe_base64_decode(uidb64)))
        except (TypeError, ValueError, OverflowError, User.DoesNotExist):
            user = None
        if user is not None and user.is_active and not email_verification_token.check_token(user, token):
            messages.info(request, _("Your e-mail address is already verified: log in."))
            return redirect("login")
        if user is None or not email_verification_token.check_token(user, token):
            return TemplateView.as_view(template_name="registration/signup_invalid.html")(request)
        user.is_active = True
        user.save(update_fields=["is_active"])
        messages.success(request, _("Your e-mail address is verified: you may log in."))
        return redirect("login")
