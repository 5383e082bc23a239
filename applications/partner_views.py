"""The partner team's page (no login: the signed token in its address is the key) and the
applicant's "send the link again".

The page shows the application's title, abstract and instrument and the partner's own entry,
nothing else (no other partner, no document). A link refused (tampered with, expired, replaced by
a newer one, application no longer a draft) gives a page that says why, with status 410 Gone, and
changes nothing.
"""

import rules
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from . import partners, selectors
from .models import Application, PartnerTeam
from .partner_forms import PartnerAnswerForm
from .partner_links import LinkRefused, answers_until, read_link
from .services import ApplicationError


def _private(response):
    # The token is in the address: never sent on to another site, never kept by a cache. Not
    # "no-referrer": under it browsers send the form's post with "Origin: null", which Django's CSRF
    # check refuses (403), so no partner could answer from a real browser.
    response["Referrer-Policy"] = "same-origin"
    response["Cache-Control"] = "private, no-store"
    return response


class PartnerAnswerView(View):
    template_name = "applications/partner_answer.html"

    def dispatch(self, request, *args, **kwargs):
        self.now = timezone.now()
        self.partner, self.refusal = read_link(kwargs["token"], self.now)
        if self.refusal is not None:
            return self.refused()
        return _private(super().dispatch(request, *args, **kwargs))

    def refused(self, refusal=None):
        refusal = refusal or self.refusal
        response = render(
            self.request,
            "applications/partner_link_refused.html",
            # The reason by its value: a template would call an enum class given to it (and fail).
            {"reason": str(refusal)},
            status=410,
        )
        return _private(response)

    def page(self, form, status=200):
        application = self.partner.application
        return render(
            self.request,
            self.template_name,
            {
                "partner": self.partner,
                "application": application,
                "call": application.call,
                "instrument": application.call.instrument,
                "answer_by": answers_until(application) or application.call.closes_at,
                "form": form,
            },
            status=status,
        )

    def get(self, request, token):
        return self.page(PartnerAnswerForm.for_partner(self.partner))

    def post(self, request, token):
        form = PartnerAnswerForm.for_partner(self.partner, request.POST, request.FILES)
        if not form.is_valid():
            messages.error(request, _("Some fields need your attention: see the messages beside them."))
            return self.page(form)
        try:
            partners.answer_as_partner(
                self.partner,
                form.cleaned_data["answer"],
                form.corrections(),
                form.cleaned_data.get("letter"),
                now=self.now,
            )
        except partners.PartnerAnswerRefused as refusal:
            for field, field_messages in refusal.error.message_dict.items():
                for message in field_messages:
                    form.add_error(field if field in form.fields else None, message)
            messages.error(request, _("Some fields need your attention: see the messages beside them."))
            return self.page(form)
        except ApplicationError:
            return self.refused(LinkRefused.CLOSED)
        messages.success(request, _("Thank you: your answer is recorded."))
        return redirect(request.path)


class ResendPartnerLinkView(View):
    """The applicant sends a partner team its link again (a new link: the older ones die)."""

    http_method_names = ["post"]

    def post(self, request, pk, partner_id):
        try:
            application = selectors.application_for_page(request.user, pk)
        except Application.DoesNotExist:
            raise Http404 from None
        if not rules.has_perm("applications.edit_draft", request.user, application):
            raise Http404
        partner = get_object_or_404(PartnerTeam, pk=partner_id, application=application)
        try:
            partners.resend_partner_link(partner, request.user)
        except ApplicationError as error:
            messages.error(request, " ".join(error.reasons))
        else:
            messages.success(
                request,
                _("A new link is on its way to %(email)s; the previous one no longer works.")
                % {"email": partner.email},
            )
        return redirect("applications:step", pk=pk, step="partners")
