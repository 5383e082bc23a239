"""The two pages of single sign-on (mounted at /oidc/, outside the language prefix, since the
provider knows one callback address): both are 404s while SSO is off (accounts.oidc)."""

import logging

import requests
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from mozilla_django_oidc import views as oidc_views

from .oidc import IDP_MFA_SESSION_KEY, sso_configured

logger = logging.getLogger(__name__)


class SSOOnlyMixin:
    def dispatch(self, request, *args, **kwargs):
        if not sso_configured():
            raise Http404
        return super().dispatch(request, *args, **kwargs)


#: The language of the page the person left for the provider: the callback, at one address
#: outside the language prefix, answers in it (and a new account gets it).
LANGUAGE_SESSION_KEY = "oidc_language"


class SSOStartView(SSOOnlyMixin, oidc_views.OIDCAuthenticationRequestView):
    """Off to the provider, with a state, a nonce and a PKCE challenge kept in the session."""

    def get(self, request):
        language = request.GET.get("lang", "")
        if language in dict(settings.LANGUAGES):
            request.session[LANGUAGE_SESSION_KEY] = language
        return super().get(request)


class SSOCallbackView(SSOOnlyMixin, oidc_views.OIDCAuthenticationCallbackView):
    """Back from the provider: a refused answer (an unknown state, a token for another client or
    expired, an unverified address, the provider unreachable) leaves the person logged out, on the
    login page, told why."""

    @property
    def success_url(self):
        from .views import landing_url

        return self.request.session.get("oidc_login_next") or landing_url(self.user)

    def get(self, request):
        language = request.session.get(LANGUAGE_SESSION_KEY) or translation.get_language()
        with translation.override(language):
            return self.answer(request)

    def answer(self, request):
        try:
            return super().get(request)
        except SuspiciousOperation as refusal:
            logger.warning("Single sign-on refused: %s", refusal)
        except requests.RequestException as error:
            logger.warning("Single sign-on failed, the identity provider did not answer: %s", error)
            return self.refuse(_("Inserm sign-in is unavailable just now: log in with your password."))
        return self.login_failure()

    def login_failure(self):
        return self.refuse(
            getattr(self.request, "oidc_refusal", None)
            or _("Signing in with your Inserm account did not succeed: try again, or log in with your password.")
        )

    def refuse(self, message):
        # Whoever was logged in in this browser stays so: a forged callback link logs nobody out.
        messages.error(self.request, message)
        return HttpResponseRedirect(reverse("login"))

    def login_success(self):
        response = super().login_success()
        if self.user.is_staff and getattr(self.request, "oidc_mfa", False):
            self.request.session[IDP_MFA_SESSION_KEY] = str(self.user.pk)
        if getattr(self.request, "oidc_new_account", False):
            messages.success(
                self.request,
                _(
                    "Welcome: your account is created from your Inserm account. "
                    "Check your researcher profile before you apply."
                ),
            )
        return response


urlpatterns = [
    path("authenticate/", SSOStartView.as_view(), name="oidc_authentication_init"),
    path("callback/", SSOCallbackView.as_view(), name="oidc_authentication_callback"),
]
