"""The researcher's pages: thin views that parse input, call a service or save a form, and render.

Who may see an application is decided by permissions.visible_filter (through
selectors.application_for_page); everyone else, anonymous visitors included, gets 404 so that
the existence of an application never leaks.
"""

import rules
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import Http404, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from accounts.access import ResearcherRequiredMixin
from accounts.page_cache import CachedFragmentMixin
from calls.models import Call, Instrument

from . import co_applicants, completeness, concurrency, drafting, selectors, services
from .forms import (
    AttachmentForm,
    BudgetFormSetFactory,
    DeclarationsForm,
    GeneralForm,
    PartnerFormSetFactory,
    ProfileForm,
    project_years,
    theme_name,
)
from .information import page_context as information_context
from .information import section_names
from .models import Application, Attachment, ResearcherProfile
from .permissions import editable_steps, may_edit_step
from .stored_files import serve_stored_file

PENDING_DRAFT_KEY = "applications_pending_draft"
PENDING_DRAFT_MAX_BYTES = 200_000


# --- Profile and dashboard ------------------------------------------------------------------------


class ProfileView(ResearcherRequiredMixin, TemplateView):
    template_name = "applications/profile.html"

    def get_form(self):
        instance = ResearcherProfile.objects.filter(user=self.request.user).first() or ResearcherProfile(
            user=self.request.user
        )
        data = self.request.POST if self.request.method == "POST" else None
        return ProfileForm(data, instance=instance)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", self.get_form())
        return context

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        form.save()
        messages.success(request, _("Your profile is saved."))
        return redirect(request.GET.get("next") if _safe_next(request) else reverse("applications:dashboard"))


def _safe_next(request):
    target = request.GET.get("next")
    return bool(target) and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure())


class DashboardView(ResearcherRequiredMixin, CachedFragmentMixin, TemplateView):
    template_name = "applications/dashboard.html"
    fragment_template = "applications/_dashboard_content.html"

    def fragment_context(self):
        now = timezone.now()
        applications = selectors.dashboard_applications(self.request.user)
        for application in applications:
            application.next_step = completeness.next_step(application, now)
            application.call_open = application.call.is_open_at(now)
        # A call already applied to offers the application, not "Apply" a second time.
        current = {a.call_id: a for a in applications if a.status != Application.Status.WITHDRAWN}
        open_calls = list(selectors.open_calls())
        for call in open_calls:
            call.own_application = current.get(call.pk)
        return {
            "applications": applications,
            "open_calls": open_calls,
            "has_profile": ResearcherProfile.objects.filter(user=self.request.user).exists(),
            # What apps above this one add (the projects app's "My projects"), above the applications.
            "dashboard_sections": selectors.dashboard_sections(self.request.user),
            "contributions": selectors.contributions(self.request.user),
            "now": now,
        }


class StartApplicationView(ResearcherRequiredMixin, TemplateView):
    """GET: what applying to this call means; POST: start the draft (services.create_draft)."""

    template_name = "applications/start.html"

    def get_call(self):
        """A published call (a draft one does not exist for researchers)."""
        return get_object_or_404(Call.objects.public().select_related("instrument"), pk=self.kwargs["call_id"])

    def get(self, request, *args, **kwargs):
        call = self.get_call()
        now = timezone.now()
        if not call.is_open_at(now):
            # An old link to apply: say the call is closed (or not open yet), not "page not found".
            return render(request, "applications/call_not_open.html", {"call": call, "closed": now >= call.closes_at})
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        call = self.get_call()
        context["call"] = call
        context["has_profile"] = ResearcherProfile.objects.filter(user=self.request.user).exists()
        context["existing"] = services.blocking_application(self.request.user, call)
        return context

    def post(self, request, *args, **kwargs):
        call = self.get_call()
        try:
            application = services.create_draft(request.user, call)
        except services.ApplicationError as error:
            for reason in error.reasons:
                messages.error(request, reason)
            return redirect("applications:dashboard")
        messages.success(request, _("Your draft is started: it is saved as you go."))
        return redirect("applications:step", pk=application.pk, step="general")


# --- One application ------------------------------------------------------------------------------


class ApplicationMixin:
    """Loads the application the user may see, or 404 (anonymous visitors included)."""

    def dispatch(self, request, *args, **kwargs):
        try:
            self.application = selectors.application_for_page(request.user, kwargs["pk"])
        except Application.DoesNotExist:
            raise Http404 from None
        return super().dispatch(request, *args, **kwargs)

    def page_context(self, now=None):
        application = self.application
        steps = completeness.completeness(application)
        profile = getattr(application.applicant, "researcher_profile", None)
        # The checklist runs on a draft, and again on an application staff asked to complete.
        checked = application.is_draft or application.is_more_info
        findings = services.eligibility(application, now, profile=profile) if checked else []
        return {
            "application": application,
            "steps": steps,
            "percent": completeness.completeness_percent(steps),
            "findings": findings,
            "problems": sum(1 for f in findings if not f.passed),
            "blockers": selectors.submission_blockers(application, steps, findings) if checked else [],
            "eligible": all(f.passed for f in findings),
            "frozen_report": application.eligibility_report,
            "can_edit": rules.has_perm("applications.edit_draft", self.request.user, application),
            "can_withdraw": not services.withdrawal_problems(application, self.request.user),
            "is_tremplin": application.call.instrument.code == Instrument.Code.TREMPLIN,
            "has_profile": profile is not None,
            "theme_label": theme_name(application.theme) if application.theme else "",
            "vocabulary_labels": selectors.vocabulary_labels(application.vocabulary_terms),
            "budget": selectors.budget_summary(application),
            **information_context(application, self.request.user),
            **co_applicants.team_context(application, self.request.user),
        }


class ApplicationDetailView(ApplicationMixin, TemplateView):
    template_name = "applications/detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(self.page_context())
        return context


STEPS = ("general", "partners", "budget", "declarations", "attachments")


class StepView(ApplicationMixin, TemplateView):
    """One step of the draft. A valid POST saves the draft and goes on; an invalid one comes back
    filled in with the errors beside the fields and saves nothing of that step."""

    def dispatch(self, request, *args, **kwargs):
        if kwargs["step"] not in STEPS:
            raise Http404
        if not request.user.is_authenticated:
            return self.session_expired(request)
        return super().dispatch(request, *args, **kwargs)

    def session_expired(self, request):
        """The session ended while the researcher was typing: keep what they posted in the new
        anonymous session, send them to log in, and give it back on this step afterwards. Done the
        same for every URL, so it reveals nothing about which applications exist."""
        if request.method == "POST":
            data = {key: request.POST.getlist(key) for key in request.POST if key != "csrfmiddlewaretoken"}
            if sum(len(v) for values in data.values() for v in values) <= PENDING_DRAFT_MAX_BYTES:
                request.session[PENDING_DRAFT_KEY] = {"path": request.path, "data": data}
                messages.warning(request, _("Your session had expired: log in again and your changes will be back."))
            return redirect_to_login(request.path)
        raise Http404

    def restored_data(self):
        pending = self.request.session.get(PENDING_DRAFT_KEY)
        if not pending or pending.get("path") != self.request.path:
            return None
        del self.request.session[PENDING_DRAFT_KEY]
        data = QueryDict(mutable=True)
        for key, values in pending["data"].items():
            data.setlist(key, values)
        messages.info(self.request, _("Your unsaved changes are back: check them and save."))
        return data

    def get_template_names(self):
        return [f"applications/step_{self.kwargs['step']}.html"]

    def restored_snapshot(self):
        """What the page's autosave kept of this step, unsaved, when the researcher left it."""
        snapshot = services.take_snapshot(self.application, self.kwargs["step"])
        if snapshot is None:
            return None
        data = QueryDict(mutable=True)
        for key, values in snapshot.data.items():
            data.setlist(key, values if isinstance(values, list) else [values])
        messages.info(
            self.request,
            _("What you typed on this step at %(time)s was not saved yet: it is back, check it and save.")
            % {"time": formats.time_format(timezone.localtime(snapshot.saved_at), "TIME_FORMAT")},
        )
        return data

    def get(self, request, *args, **kwargs):
        if not may_edit_step(request.user, self.application, self.kwargs["step"]):
            return self.closed_step()
        data = self.restored_data()
        if data is None and self.kwargs["step"] in services.SNAPSHOT_STEPS:
            data = self.restored_snapshot()
        forms = self.build(data)
        if data is not None:
            for form in forms.values():
                form.is_valid()
        return self.render_to_response(self.context(forms))

    def post(self, request, *args, **kwargs):
        if not may_edit_step(request.user, self.application, self.kwargs["step"]):
            return self.closed_step()
        step = self.kwargs["step"]
        if step == "attachments":
            return self.post_attachment()
        forms = self.build(request.POST)
        if not all(form.is_valid() for form in forms.values()):
            messages.error(request, _("Some fields need your attention: see the messages beside them."))
            return self.render_to_response(self.context(forms), status=200)
        try:
            with transaction.atomic():
                locked = Application.objects.select_for_update().get(pk=self.application.pk)
                if not may_edit_step(request.user, locked, step):
                    return self.closed_step()
                concurrency.check(locked, request.POST.get("version"))
                self.save_step(forms)
                if step == "budget":  # saved by its formset, not by a service that counts it
                    concurrency.bump(locked, request.user, step)
                services.drop_snapshot(locked, step)
        except concurrency.StaleVersion as stale:
            # Saved meanwhile by someone else: nothing of the step is saved, what was typed comes back.
            messages.error(request, " ".join(stale.reasons))
            conflict = concurrency.conflict_context(self.application.pk, step, forms, request.POST.get("loaded"))
            return self.render_to_response({**self.context(forms), **conflict}, status=409)
        except drafting.ValuesRefused as refusal:
            # A check the form could not make (a race, a forged post): nothing of the step is saved.
            show_refusal(forms, refusal)
            messages.error(request, " ".join(refusal.reasons))
            return self.render_to_response(self.context(forms), status=200)
        messages.success(
            request,
            _("Draft saved at %(time)s.") % {"time": formats.time_format(timezone.localtime(), "TIME_FORMAT")},
        )
        goto = request.POST.get("goto")
        if goto in STEPS:
            # A step's tab clicked with unsaved changes: saved first, then that step.
            return redirect("applications:step", pk=self.application.pk, step=goto)
        if goto == "detail":
            return redirect("applications:detail", pk=self.application.pk)
        if "add_row" in request.POST:
            return redirect(reverse("applications:step", args=[self.application.pk, step]) + "?add=1")
        if "stay" in request.POST:
            return redirect("applications:step", pk=self.application.pk, step=step)
        return redirect(self.next_url())

    def save_step(self, forms):
        """Through the services, which judge every value again: the general information and the
        declarations by update_draft, the partner teams by the partner service (the formset's
        save calls it); budget lines are saved by their formset."""
        if "form" in forms:
            drafting.update_draft(self.application, self.request.user, **forms["form"].cleaned_data)
        else:
            forms["formset"].save()

    def next_url(self):
        steps = [s.slug for s in completeness.completeness(self.application)]
        current = self.kwargs["step"]
        following = steps[steps.index(current) + 1 :] if current in steps else []
        # While staff ask for more information, only the sections they opened come next.
        opened = editable_steps(self.application)
        following = [slug for slug in following if opened is None or slug in opened]
        if following:
            return reverse("applications:step", args=[self.application.pk, following[0]])
        return reverse("applications:detail", args=[self.application.pk])

    def read_only(self):
        user = self.request.user
        if rules.has_perm("applications.work_on", user, self.application) or user.has_perm(
            "applications.see_every_application"
        ):
            messages.info(self.request, _("This application is no longer a draft: it can only be read."))
            return redirect("applications:detail", pk=self.application.pk)
        raise Http404

    def closed_step(self):
        """A step not open for changes: while staff asked for more information, the people working
        on the application are told which sections are open; otherwise it can only be read."""
        user, application = self.request.user, self.application
        if application.is_more_info and rules.has_perm("applications.work_on", user, application):
            messages.info(
                self.request,
                _("This part is not open for changes. Staff asked for more information on: %(sections)s.")
                % {"sections": ", ".join(section_names(editable_steps(application)))},
            )
            return redirect("applications:detail", pk=application.pk)
        return self.read_only()

    def build(self, data=None):
        application = self.application
        step = self.kwargs["step"]
        extra = 1 if self.request.GET.get("add") else 0
        if step == "general":
            return {"form": GeneralForm(data, instance=application)}
        if step == "declarations":
            if application.call.instrument.code != Instrument.Code.TREMPLIN:
                raise Http404
            return {"form": DeclarationsForm(data, instance=application)}
        if step == "partners":
            formset = PartnerFormSetFactory(data, instance=application, prefix="partners", by_user=self.request.user)
            formset.extra = extra
            return {"formset": formset}
        if step == "budget":
            formset = BudgetFormSetFactory(
                data, instance=application, prefix="budget", years=project_years(application)
            )
            formset.extra = extra
            return {"formset": formset}
        return {"form": AttachmentForm(data, self.request.FILES or None) if data is not None else AttachmentForm()}

    def context(self, forms):
        context = self.get_context_data()
        context.update(self.page_context())
        context.update(forms)
        context["step"] = self.kwargs["step"]
        context.update(concurrency.form_context(self.application, forms))
        return context

    def post_attachment(self):
        form = AttachmentForm(self.request.POST, self.request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.context({"form": form}), status=200)
        try:
            services.add_attachment(
                self.application, form.cleaned_data["file"], form.cleaned_data["kind"], self.request.user
            )
        except services.AttachmentRefused as refusal:
            # The caps on the application's documents, or a check the form could not make: shown
            # beside the file field like the form's own errors.
            form.add_error("file", refusal.error)
            return self.render_to_response(self.context({"form": form}), status=200)
        except services.ApplicationError as error:
            messages.error(self.request, " ".join(error.reasons))
            return redirect("applications:detail", pk=self.application.pk)
        messages.success(self.request, _("The document is uploaded."))
        return redirect("applications:step", pk=self.application.pk, step="attachments")


class AutosaveView(View):
    """JS autosave of the general step (static/js/autosave.js): JSON in, JSON out, CSRF-checked.
    Only the fields sent are changed; an invalid value is reported and nothing is saved."""

    http_method_names = ["post"]

    def post(self, request, pk):
        if not request.user.is_authenticated:
            return JsonResponse({"saved": False, "login_url": reverse("login")}, status=401)
        try:
            application = selectors.application_for_page(request.user, pk)
        except Application.DoesNotExist:
            raise Http404 from None
        step = request.POST.get("autosave_step", "general")
        if not may_edit_step(request.user, application, step):
            return JsonResponse({"saved": False, "error": _("This application can no longer be changed.")}, status=409)
        if step in services.SNAPSHOT_STEPS:
            # A formset step is kept as typed, unsaved (its rows are checked when the step is saved).
            data = {
                key: request.POST.getlist(key)
                for key in request.POST
                if key not in ("csrfmiddlewaretoken", "autosave_step")
            }
            try:
                snapshot = services.keep_snapshot(application, step, data, request.user)
            except services.ApplicationError as error:
                return JsonResponse({"saved": False, "error": " ".join(error.reasons)}, status=400)
            return JsonResponse(
                {"saved": True, "kept": True, "saved_at": timezone.localtime(snapshot.saved_at).strftime("%H:%M")}
            )
        if step != "general":
            return JsonResponse({"saved": False}, status=400)
        data = QueryDict(mutable=True)
        for name in GeneralForm._meta.fields:
            value = getattr(application, name)
            saved = [str(v) for v in value] if isinstance(value, list) else ["" if value is None else value]
            # The page sends the whole step: a group of boxes none of which is ticked is absent.
            sent = name in request.POST or (isinstance(value, list) and "title" in request.POST)
            data.setlist(name, request.POST.getlist(name) if sent else saved)
        form = GeneralForm(data, instance=application)
        if not form.is_valid():
            return JsonResponse({"saved": False, "errors": form.errors.get_json_data()}, status=400)
        try:
            with transaction.atomic():
                locked = Application.objects.select_for_update().get(pk=application.pk)
                if not may_edit_step(request.user, locked, "general"):
                    return JsonResponse({"saved": False}, status=409)
                concurrency.check(locked, request.POST.get("version"))
                drafting.update_draft(application, request.user, **form.cleaned_data)
        except concurrency.StaleVersion as stale:
            # Someone saved meanwhile: the page keeps what was typed; its Save button shows the difference.
            return JsonResponse({"saved": False, "conflict": True, "error": " ".join(stale.reasons)}, status=409)
        except drafting.ValuesRefused as refusal:
            show_refusal({"form": form}, refusal)
            return JsonResponse({"saved": False, "errors": form.errors.get_json_data()}, status=400)
        return JsonResponse(
            {
                "saved": True,
                "saved_at": timezone.localtime().strftime("%H:%M"),
                "version": application.version,
                "loaded": concurrency.loaded_token(application),
            }
        )


def show_refusal(forms, refusal):
    """The service's reasons beside the fields of a form that has them (a formset's rows cannot
    tell which row a reason is about: the page's message says it)."""
    form = forms.get("form")
    if form is None:
        return
    error = refusal.error
    by_field = error.error_dict if hasattr(error, "error_dict") else {None: error.error_list}
    for field, errors in by_field.items():
        form.add_error(field if field in form.fields else None, errors)


class ChecklistView(ApplicationMixin, View):
    """The eligibility checklist for what is typed on a step, before any save (static/js/
    checklist.js posts the step's form while the researcher types). Nothing is saved."""

    http_method_names = ["post"]

    def post(self, request, pk):
        application = self.application
        if not rules.has_perm("applications.edit_draft", request.user, application):
            raise Http404
        step = request.POST.get("checklist_step", "")
        if step not in STEPS:
            step = ""
        findings = services.live_eligibility(application, step, request.POST)
        profile = getattr(application.applicant, "researcher_profile", None)
        html = render_to_string(
            "applications/_checklist_items.html",
            {"findings": findings, "application": application, "has_profile": profile is not None},
            request=request,
        )
        response = HttpResponse(html)
        response["X-Checklist-Problems"] = str(sum(1 for f in findings if not f.passed))
        return response


class SubmitView(ApplicationMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        if not rules.has_perm("applications.act_as_applicant", request.user, self.application):
            raise Http404
        already = self.application.status == Application.Status.SUBMITTED
        try:
            application = services.submit_application(self.application, request.user)
        except services.SubmissionRefused:
            # One message; the page lists what is missing, each with a link to where to fix it.
            messages.error(request, _("The application cannot be submitted yet: see what is missing below."))
            return redirect(reverse("applications:detail", args=[pk]) + "#submit-blockers")
        if already:
            messages.info(
                request,
                _("This application was already submitted (reference %(ref)s).") % {"ref": application.reference},
            )
        else:
            messages.success(
                request,
                _("Your application is submitted. Reference: %(ref)s. A receipt is on its way by e-mail.")
                % {"ref": application.reference},
            )
        return redirect("applications:detail", pk=pk)


class WithdrawView(ApplicationMixin, TemplateView):
    """GET: what withdrawing means, and a button to confirm; POST: withdraw."""

    template_name = "applications/withdraw.html"

    def get(self, request, *args, **kwargs):
        if not rules.has_perm("applications.act_as_applicant", request.user, self.application):
            raise Http404
        problems = services.withdrawal_problems(self.application, request.user)
        if problems:
            messages.info(request, " ".join(problems))
            return redirect("applications:detail", pk=self.application.pk)
        context = self.get_context_data()
        context.update(self.page_context())  # the layout's progress and checklist, as on every page
        return self.render_to_response(context)

    def post(self, request, pk):
        if not rules.has_perm("applications.act_as_applicant", request.user, self.application):
            raise Http404
        try:
            services.withdraw_application(self.application, request.user)
        except services.ApplicationError as error:
            for reason in error.reasons:
                messages.error(request, reason)
        else:
            messages.success(request, _("Your application is withdrawn."))
        return redirect("applications:detail", pk=pk)


class AttachmentDownloadView(ApplicationMixin, View):
    """Files are served only here, to people who may see the application, as a download."""

    def get(self, request, pk, attachment_id):
        attachment = get_object_or_404(Attachment, pk=attachment_id, application=self.application)
        return serve_stored_file(request, attachment.file, attachment.download_name)


class AttachmentDeleteView(ApplicationMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk, attachment_id):
        attachment = get_object_or_404(Attachment, pk=attachment_id, application=self.application)
        # The lead and the co-applicants (who may upload) remove documents of a draft they may change.
        if not rules.has_perm("applications.work_on", request.user, self.application):
            raise Http404
        try:
            services.delete_attachment(attachment, request.user)
        except services.ApplicationError as error:
            messages.error(request, " ".join(error.reasons))
            return redirect("applications:detail", pk=pk)
        messages.success(request, _("The document is removed."))
        return redirect("applications:step", pk=pk, step="attachments")
