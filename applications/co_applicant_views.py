"""The co-applicants' pages: the lead invites, sends a link again and removes (the section
"Co-applicants" of the application's page, where the lead already reviews the whole application:
the team is not a step's content, and its changes are no draft saves that a version would guard);
a co-applicant leaves; the invited researcher opens the signed link and accepts.

A link refused (tampered with, expired, replaced, removed, application no longer open) gives a
page that says why, status 410, and changes nothing; an account whose address is not the invited
one gets a page that says to log in with that address (403), nothing changed either.
"""

from urllib.parse import urlencode

import rules
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from . import co_applicants
from .forms import CoApplicantForm
from .models import CoApplicant
from .services import ApplicationError
from .views import ApplicationMixin


class InviteView(ApplicationMixin, TemplateView):
    """POST: the lead invites; an invalid or refused address comes back on the application's page
    with the message beside the field, nothing saved."""

    template_name = "applications/detail.html"
    http_method_names = ["post"]

    def post(self, request, pk):
        if not rules.has_perm("applications.act_as_applicant", request.user, self.application):
            raise Http404
        form = CoApplicantForm(request.POST)
        if form.is_valid():
            try:
                invited = co_applicants.invite_co_applicant(
                    self.application, request.user, form.cleaned_data["email"], form.cleaned_data["role"]
                )
            except co_applicants.InvitationRefused as refusal:
                for field, field_messages in refusal.error.message_dict.items():
                    for message in field_messages:
                        form.add_error(field if field in form.fields else None, message)
            except ApplicationError as error:
                messages.error(request, " ".join(error.reasons))
                return redirect("applications:detail", pk=pk)
            else:
                messages.success(request, _("An invitation is on its way to %(email)s.") % {"email": invited.email})
                return redirect(reverse("applications:detail", args=[pk]) + "#co-applicants")
        messages.error(request, _("Some fields need your attention: see the messages beside them."))
        context = self.get_context_data()
        context.update(self.page_context())
        context.update(co_applicants.team_context(self.application, request.user, form))
        return self.render_to_response(context)


class ResendView(ApplicationMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk, co_applicant_id):
        if not rules.has_perm("applications.act_as_applicant", request.user, self.application):
            raise Http404
        member = get_object_or_404(CoApplicant, pk=co_applicant_id, application=self.application)
        try:
            co_applicants.resend_invitation(member, request.user)
        except ApplicationError as error:
            messages.error(request, " ".join(error.reasons))
        else:
            messages.success(
                request,
                _("A new link is on its way to %(email)s; the previous one no longer works.") % {"email": member.email},
            )
        return redirect(reverse("applications:detail", args=[pk]) + "#co-applicants")


class RemoveView(ApplicationMixin, TemplateView):
    """GET: what removing (or leaving) means, and a button to confirm; POST: remove. The lead
    removes anyone; a co-applicant only themselves (they leave)."""

    template_name = "applications/co_applicant_remove.html"

    def member(self):
        member = get_object_or_404(CoApplicant, pk=self.kwargs["co_applicant_id"], application=self.application)
        user = self.request.user
        if not (rules.has_perm("applications.act_as_applicant", user, self.application) or member.user_id == user.pk):
            raise Http404
        return member

    def get(self, request, *args, **kwargs):
        context = self.get_context_data(member=self.member(), leaving=self.member().user_id == request.user.pk)
        context.update(self.page_context())
        return self.render_to_response(context)

    def post(self, request, pk, co_applicant_id):
        member = self.member()
        leaving = member.user_id == request.user.pk
        try:
            co_applicants.remove_co_applicant(member, request.user)
        except ApplicationError as error:
            messages.error(request, " ".join(error.reasons))
            return redirect("applications:detail", pk=pk)
        if leaving:
            messages.success(request, _("You have left the application: you no longer see it."))
            return redirect("applications:dashboard")
        messages.success(request, _("%(email)s is no longer a co-applicant.") % {"email": member.email})
        return redirect(reverse("applications:detail", args=[pk]) + "#co-applicants")


def _private(response):
    # The token is in the address: never sent on to another site, never kept by a cache. Not
    # "no-referrer": browsers would post the Accept form with "Origin: null", which Django's CSRF
    # check refuses (as on the partner's page).
    response["Referrer-Policy"] = "same-origin"
    response["Cache-Control"] = "private, no-store"
    return response


class InvitationView(View):
    """The invited researcher's page: who invites, to what, as what; Accept."""

    def dispatch(self, request, *args, **kwargs):
        self.now = timezone.now()
        self.member, refusal = co_applicants.read_link(kwargs["token"], self.now)
        if refusal is not None:
            return self.refused(refusal)
        if not request.user.is_authenticated:
            return _private(redirect_to_login(request.get_full_path()))
        return _private(super().dispatch(request, *args, **kwargs))

    def refused(self, refusal):
        return _private(
            render(
                self.request,
                "applications/co_applicant_link_refused.html",
                {"reason": str(refusal)},
                status=410,
            )
        )

    def checked(self):
        """None when the logged-in account may accept, else the response that says why not."""
        try:
            co_applicants.check_account(self.member, self.request.user)
        except co_applicants.ProfileNeeded as need:
            messages.info(self.request, " ".join(need.reasons))
            return redirect(f"{reverse('applications:profile')}?{urlencode({'next': self.request.path})}")
        except co_applicants.WrongAccount as wrong:
            return render(
                self.request,
                "applications/co_applicant_wrong_account.html",
                {"reasons": wrong.reasons, "invited": self.member.email},
                status=403,
            )
        return None

    def get(self, request, token):
        if self.member.user_id == request.user.pk:
            return redirect("applications:detail", pk=self.member.application_id)
        return self.checked() or render(
            request,
            "applications/co_applicant_invitation.html",
            {"member": self.member, "application": self.member.application, "call": self.member.application.call},
        )

    def post(self, request, token):
        refusal = self.checked()
        if refusal is not None:
            return refusal
        try:
            member = co_applicants.accept_invitation(token, request.user, now=self.now)
        except (co_applicants.WrongAccount, co_applicants.ProfileNeeded):
            return self.checked()
        except ApplicationError as error:
            reason = error.reasons[0] if error.reasons else ""
            if reason in co_applicants.LinkRefused.__members__.values():
                return self.refused(reason)
            messages.error(request, " ".join(error.reasons))
            return redirect("applications:dashboard")
        messages.success(request, _("You are now a co-applicant of this application."))
        return redirect("applications:detail", pk=member.application_id)
