"""Sign-up with e-mail verification, staff's second factor, and the user's personal data."""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from . import oidc, personal_data, services, throttle, two_factor
from .access import StaffRoleRequiredMixin
from .forms import (
    ErasureRequestForm,
    LoginForm,
    OutboxPasswordResetForm,
    ResendVerificationForm,
    SignupForm,
    TokenForm,
)


class RequestsPerIPLimitMixin:
    """Pages that send e-mail to a typed address: past the hour's allowance of requests from one IP
    address (accounts.throttle), a translated 429 page instead of the form."""

    def post(self, request, *args, **kwargs):
        if not throttle.request_allowed(request):
            return render(request, "registration/too_many_requests.html", status=429)
        return super().post(request, *args, **kwargs)


SIGNUP_NEXT = "signup_next"


def landing_url(user):
    """Where a person lands after logging in: where their work is (settings.LANDING_PAGES, the
    first that fits: staff on the calls they review, reviewers on their queue, researchers on
    their applications), else the home page."""
    for condition, url_name in settings.LANDING_PAGES:
        kind, _sep, name = condition.partition(":")
        if (kind == "perm" and user.has_perm(name)) or (kind == "role" and getattr(user, name, False)):
            return reverse(url_name)
    return reverse("home")


class PortalLoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        return landing_url(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = context.get("form")
        if form is not None and form.awaiting_verification:
            context["resend_form"] = ResendVerificationForm(initial={"email": form.data.get("username", "")})
        # Single sign-on: the button when the provider answers, else why there is none.
        if oidc.sso_configured():
            context["sso_available"] = oidc.provider_reachable()
        return context


class SignupView(RequestsPerIPLimitMixin, FormView):
    """The same answer for every valid form, whether or not the address has an account: the form's
    save() only queues the sign-up task. The page the newcomer came for (`next`) is kept in the
    session and offered again after the verification link."""

    template_name = "registration/signup.html"
    form_class = SignupForm
    success_url = reverse_lazy("signup_sent")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            return redirect(_next_url(request, "home"))
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(next=_next_url(self.request, ""), **kwargs)

    def form_valid(self, form):
        form.save()
        target = _next_url(self.request, "")
        if target:
            self.request.session[SIGNUP_NEXT] = target
        return super().form_valid(form)


class ResendVerificationView(RequestsPerIPLimitMixin, FormView):
    """A new verification link, asked from the login page; the same answer for every address."""

    form_class = ResendVerificationForm
    http_method_names = ["post"]

    def form_valid(self, form):
        form.save()
        return redirect("signup_sent")

    def form_invalid(self, form):
        messages.error(self.request, _("Type the e-mail address of your account."))
        return redirect("login")


class PasswordResetView(RequestsPerIPLimitMixin, auth_views.PasswordResetView):
    """Django's page, whose form only queues the password reset task (accounts.services)."""

    form_class = OutboxPasswordResetForm
    success_url = reverse_lazy("password_reset_done")


class SignupSentView(TemplateView):
    template_name = "registration/signup_sent.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(next=self.request.session.get(SIGNUP_NEXT, ""), **kwargs)


class VerifyEmailView(View):
    """Following the link activates the account once; an old or altered link says so."""

    def get(self, request, uidb64, token):
        outcome = services.verify_email(uidb64, token)
        if outcome == services.Verification.ALREADY_ACTIVE:
            messages.info(request, _("Your e-mail address is already verified: log in."))
            return self.to_login(request)
        if outcome == services.Verification.INVALID:
            return TemplateView.as_view(template_name="registration/signup_invalid.html")(request)
        messages.success(request, _("Your e-mail address is verified: you may log in."))
        return self.to_login(request)

    @staticmethod
    def to_login(request):
        """The login page, then the page the newcomer came for (kept at sign-up in this browser)."""
        target = request.session.pop(SIGNUP_NEXT, "")
        if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
            return redirect(f"{reverse('login')}?{urlencode({'next': target})}")
        return redirect("login")


# --- Staff's second factor ------------------------------------------------------------------------


def _next_url(request, default):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


class TwoFactorView(StaffRoleRequiredMixin, FormView):
    """Staff type the code of their authenticator app; without a device they set one up first."""

    template_name = "accounts/two_factor.html"
    form_class = TokenForm

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and user.is_staff and two_factor.confirmed_device(user) is None:
            return redirect(f"{reverse('two_factor_enrol')}?{urlencode({'next': _next_url(request, '')})}")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(next=_next_url(self.request, ""), **kwargs)

    def form_valid(self, form):
        try:
            two_factor.verify(self.request, form.cleaned_data["token"])
        except two_factor.WrongCode as refusal:
            form.add_error("token", str(refusal))
            return self.form_invalid(form)
        messages.success(self.request, _("Second factor confirmed."))
        return redirect(_next_url(self.request, reverse("admin:index")))


class TwoFactorEnrolView(StaffRoleRequiredMixin, FormView):
    """Set up the authenticator app: scan the QR code (or type the key), then type one code."""

    template_name = "accounts/two_factor_enrol.html"
    form_class = TokenForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.is_staff and two_factor.confirmed_device(request.user):
            # A device is already set up: replacing it needs the administrators (no hijack by a
            # stolen password).
            return redirect(f"{reverse('two_factor')}?{urlencode({'next': _next_url(request, '')})}")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        device = two_factor.pending_device(self.request.user)
        return super().get_context_data(
            qr_code=two_factor.qr_code_data_uri(device.config_url),
            secret=two_factor.secret_for_display(device),
            next=_next_url(self.request, ""),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            two_factor.enrol(self.request, form.cleaned_data["token"])
        except two_factor.WrongCode as refusal:
            form.add_error("token", str(refusal))
            return self.form_invalid(form)
        messages.success(self.request, _("Your authenticator app is set up: it will be asked at each login."))
        return redirect(_next_url(self.request, reverse("admin:index")))


# --- Personal data --------------------------------------------------------------------------------


class PersonalDataView(LoginRequiredMixin, FormView):
    """What the portal keeps about the user: a JSON download, and a request to erase it."""

    template_name = "accounts/personal_data.html"
    form_class = ErasureRequestForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            pending=personal_data.pending_request(self.request.user),
            retention_years=settings.GRANT_RECORDS_RETENTION_YEARS,
            **kwargs,
        )

    def form_valid(self, form):
        personal_data.request_erasure(self.request.user, form.cleaned_data["reason"])
        messages.success(
            self.request,
            _("Your request is recorded: the international relations office carries it out and tells you by e-mail."),
        )
        return redirect("personal_data")


class PersonalDataDownloadView(LoginRequiredMixin, View):
    def get(self, request):
        data = personal_data.export(request.user)
        body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
        stamp = timezone.localdate().isoformat()
        response["Content-Disposition"] = f'attachment; filename="inserm-portal-my-data-{stamp}.json"'
        response["Cache-Control"] = "private, no-store"
        return response
