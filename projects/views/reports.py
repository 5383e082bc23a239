"""Pages of the projects' reports: the report page (the lead researcher fills it in and submits
it; staff read the submitted version, accept it or ask for changes, move or waive it), staff's
"add a report", the report's documents, and the reports section of the project page.

Who may open what is decided by project_for (the lead researcher, or staff who may see projects;
anyone else 404, staff without the permission 403); what each may change, by the services."""

import datetime
from decimal import Decimal

import rules
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView
from django_countries import countries

from accounts.permissions import is_staff, missing_permissions
from applications.documents import pdf_file_name
from applications.models import BudgetLine
from applications.stored_files import serve_stored_file

from ..forms.reports import (
    AddReportForm,
    MissionFormSet,
    MoveReportForm,
    PublicationFormSet,
    ReportAttachmentForm,
    ReportTextForm,
    RequestChangesForm,
    SpendingForm,
    WaiveReportForm,
    mission_initial,
    publication_initial,
)
from ..models import Report, ReportAttachment
from ..services import ProjectError
from ..services import reports as services
from ..services.base import refuse_when_closed
from ..services.report_checks import date_text
from .base import ProjectMixin, show_refusal
from .pages import section

MANAGE = "projects.manage_reports"


def require_staff(user, permission):
    """Staff holding `permission`; other staff 403 naming what they lack; anyone else 404."""
    if not is_staff(user):
        raise Http404
    if not user.has_perm(permission):
        raise PermissionDenied(
            _("Your account lacks the permission for this page (%(missing)s): ask an administrator.")
            % {"missing": "; ".join(missing_permissions(user, permission))}
        )


def may_manage_reports(user):
    return is_staff(user) and user.has_perm(MANAGE)


@section
def reports_section(project, user):
    """The project's reports, in the order they are due (one query whatever their number)."""
    context = {"reports": list(project.reports.all())}
    if may_manage_reports(user) and not project.is_closed:
        context["add_report_form"] = AddReportForm()
    return context


class ReportMixin(ProjectMixin):
    """A page about one report of the project (404 for a report of another project)."""

    @cached_property
    def report(self):
        report = get_object_or_404(Report, pk=self.kwargs["report_pk"], project=self.project)
        report.project = self.project
        return report

    def back(self):
        return redirect("projects:report", self.project.pk, self.report.pk)


# --- What a submitted version says, ready for the page ------------------------------------------------


def _day(value):
    return datetime.date.fromisoformat(value) if value else None


def _amount(value):
    return Decimal(value) if value not in (None, "") else None


def version_display(version):
    """The frozen content of `version` with labels, names and dates for the template."""
    if version is None:
        return None
    content = version.content or {}
    categories = dict(BudgetLine.Category.choices)
    kind = content.get("kind")
    texts = content.get("fields", {})
    names = [
        name
        for name in services.TEXT_FIELDS
        if kind == Report.Kind.FINAL or name not in ("partnership_outcome", "next_steps") or texts.get(name)
    ]
    spending = [
        {
            "label": categories.get(row["category"], row["category"]),
            "planned": _amount(row.get("planned")),
            "spent": _amount(row.get("spent")),
        }
        for row in content.get("spending", [])
    ]
    return {
        "version": version,
        "texts": [(capfirst(Report._meta.get_field(name).verbose_name), texts.get(name, "")) for name in names],
        "missions": [
            {
                **row,
                "from_country_name": countries.name(row.get("from_country", "")) or row.get("from_country", ""),
                "to_country_name": countries.name(row.get("to_country", "")) or row.get("to_country", ""),
                "started_on": _day(row.get("started_on")),
                "ended_on": _day(row.get("ended_on")),
            }
            for row in content.get("missions", [])
        ],
        "publications": content.get("publications", []),
        "spending": spending,
        "planned_total": sum((row["planned"] or 0 for row in spending), Decimal("0")),
        "spent_total": sum((row["spent"] or 0 for row in spending), Decimal("0")),
        "attachments": content.get("attachments", []),
    }


# --- The report page ----------------------------------------------------------------------------------


class ReportView(ReportMixin, TemplateView):
    """The lead researcher fills in the report while it is theirs to edit (Save draft, Submit
    the report); anyone else who may open the project reads its latest submitted version, and
    staff with projects.manage_reports review it and edit its schedule. A form refused comes
    back as typed, with each error beside its field and a summary at the top."""

    template_name = "projects/reports/report.html"
    LEAD_ACTIONS = ("save", "submit")
    STAFF_ACTIONS = ("accept", "changes", "move", "waive")

    @property
    def editing(self):
        return self.is_lead and self.report.is_editable and not self.project.is_closed

    # Forms ---------------------------------------------------------------------------------------

    def lead_forms(self, data=None):
        report = self.report
        lines = list(self.project.budget_lines.all())
        if data is None:
            spent = {row.category: row.spent for row in report.spending.all()}
            return {
                "text_form": ReportTextForm(instance=report),
                "missions": MissionFormSet(prefix="missions", initial=mission_initial(report)),
                "publications": PublicationFormSet(prefix="publications", initial=publication_initial(report)),
                "spending_form": SpendingForm(lines=lines, spent=spent),
            }
        return {
            "text_form": ReportTextForm(data, instance=Report.objects.get(pk=report.pk)),
            "missions": MissionFormSet(data, prefix="missions"),
            "publications": PublicationFormSet(data, prefix="publications"),
            "spending_form": SpendingForm(data, lines=lines),
        }

    def staff_forms(self):
        if not may_manage_reports(self.request.user):
            return {}
        return {
            "changes_form": RequestChangesForm(),
            "move_form": MoveReportForm(report=self.report),
            "waive_form": WaiveReportForm(),
        }

    def get_context_data(self, **kwargs):
        report, user = self.report, self.request.user
        versions = list(report.versions.select_related("submitted_by").order_by("-number"))
        context = {
            "project": self.project,
            "report": report,
            "is_lead": self.is_lead,
            "editing": self.editing,
            "is_staff_reader": is_staff(user),
            "may_manage": may_manage_reports(user),
            "versions": versions,
            "latest": version_display(versions[0] if versions else None),
            "attachments": list(report.attachments.all()),
            "required_texts": services.missing_texts(report) if self.editing else [],
            "awaiting_review": report.status == Report.Status.SUBMITTED,
            "changes_requested": report.status == Report.Status.CHANGES_REQUESTED,
            "waived": report.status == Report.Status.WAIVED,
            "can_move": report.is_editable and not self.project.is_closed,
            "can_waive": report.status in Report.OWED and not self.project.is_closed,
        }
        if self.editing:
            context.update(self.lead_forms())
            context["attachment_form"] = ReportAttachmentForm()
        context.update(self.staff_forms())
        context.update(kwargs)
        context["error_summary"] = error_summary(context, kwargs.get("general_errors", ()))
        return super().get_context_data(**context)

    # Actions -------------------------------------------------------------------------------------

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action", "")
        if action in self.LEAD_ACTIONS:
            return self.write(action)
        if action in self.STAFF_ACTIONS:
            require_staff(request.user, MANAGE)
            return getattr(self, action)()
        messages.error(request, _("This action is not known: nothing was changed."))
        return self.back()

    def write(self, action):
        if not self.is_lead:
            if is_staff(self.request.user):
                raise PermissionDenied(_("Only the project's lead researcher writes its reports."))
            raise Http404
        if not self.editing:
            try:
                refuse_when_closed(self.project)
            except ProjectError as error:
                show_refusal(self.request, error)
            else:
                messages.error(
                    self.request,
                    _("This report is %(status)s: it can no longer be changed.")
                    % {"status": self.report.get_status_display().lower()},
                )
            return self.back()
        forms = self.lead_forms(self.request.POST)
        if not all([form.is_valid() for form in forms.values()]):
            return self.refused(forms, _("The report is not saved: correct the fields marked below."))
        missions = forms["missions"].rows()
        publications = forms["publications"].rows()
        try:
            services.save_report(
                self.report,
                self.request.user,
                fields=forms["text_form"].texts(),
                missions=[{name: data[name] for name in services.MISSION_FIELDS} for _form, data in missions],
                publications=[
                    {name: data[name] for name in services.PUBLICATION_FIELDS} for _form, data in publications
                ],
                spending=forms["spending_form"].amounts(),
            )
        except services.ReportRefused as error:
            general = place_errors(error, forms, missions, publications)
            return self.refused(forms, _("The report is not saved: correct the fields marked below."), general)
        except ProjectError as error:
            show_refusal(self.request, error)
            return self.back()
        if action == "save":
            messages.success(self.request, _("Your draft is saved."))
            return self.back()
        try:
            version = services.submit_report(self.report, self.request.user)
        except services.ReportRefused as error:
            general = place_errors(error, forms, missions, publications)
            return self.refused(
                forms, _("Your draft is saved, but the report cannot be submitted yet: see below."), general
            )
        except ProjectError as error:
            show_refusal(self.request, error)
            return self.back()
        messages.success(
            self.request,
            _("Your report is submitted (version %(n)s): the DPRE staff will read it.") % {"n": version.number},
        )
        return self.back()

    def refused(self, forms, message, general=()):
        messages.error(self.request, message)
        return self.render_to_response(self.get_context_data(**forms, general_errors=list(general)))

    def accept(self):
        try:
            services.accept_report(self.report, self.request.user)
        except ProjectError as error:
            show_refusal(self.request, error)
        else:
            messages.success(self.request, _("The report is accepted; the lead researcher is told."))
        return self.back()

    def _staff_form(self, form, perform, success, name):
        if form.is_valid():
            try:
                perform(form.cleaned_data)
            except ProjectError as error:
                for reason in error.reasons:
                    form.add_error(None, reason)
            else:
                messages.success(self.request, success)
                return self.back()
        messages.error(self.request, _("Nothing was changed: correct the form below."))
        return self.render_to_response(self.get_context_data(**{name: form}))

    def changes(self):
        return self._staff_form(
            RequestChangesForm(self.request.POST),
            lambda data: services.request_changes(self.report, data["message"], self.request.user),
            _("The report is sent back to the lead researcher with your message."),
            "changes_form",
        )

    def move(self):
        return self._staff_form(
            MoveReportForm(self.request.POST),
            lambda data: services.move_report(self.report, data["due_on"], data["reason"], self.request.user),
            _("The report's due date is moved."),
            "move_form",
        )

    def waive(self):
        return self._staff_form(
            WaiveReportForm(self.request.POST),
            lambda data: services.waive_report(self.report, data["reason"], self.request.user),
            _("The report is waived."),
            "waive_form",
        )


def place_errors(error, forms, missions, publications):
    """Put each located problem of a ReportRefused beside its field; returns the others."""
    general = []
    rows = {"missions": missions, "publications": publications}
    for place, message in error.located:
        form, field = None, None
        if place is not None and place[0] == "fields":
            form, field = forms["text_form"], place[1]
        elif place is not None and place[0] in rows and place[1] < len(rows[place[0]]):
            form, field = rows[place[0]][place[1]][0], place[2]
        elif place is not None and place[0] == "spending":
            form, field = forms["spending_form"], place[1]
        if form is None:
            general.append(message)
        else:
            form.add_error(field if field in form.fields else None, message)
    return general


def error_summary(context, general):
    """(label, message, anchor) for every error of the page's forms, for the summary at the top."""
    entries = [(None, message, None) for message in general]

    def add(form, label_prefix=""):
        if form is None or not form.is_bound:
            return
        for name, errors in form.errors.items():
            field = form.fields.get(name)
            label = f"{label_prefix}{field.label}" if field is not None else label_prefix.rstrip(", ") or None
            anchor = form[name].auto_id if field is not None else None
            entries.extend((label, message, anchor) for message in errors)

    for key in ("text_form", "spending_form", "changes_form", "move_form", "waive_form", "attachment_form"):
        add(context.get(key))
    for key, title in (("missions", _("Mission %(n)s")), ("publications", _("Co-publication %(n)s"))):
        formset = context.get(key)
        if formset is None or not formset.is_bound:
            continue
        entries.extend((None, message, None) for message in formset.non_form_errors())
        for number, form in enumerate(formset.forms, start=1):
            add(form, (title % {"n": number}) + ", ")
    return entries


# --- Staff add a report -------------------------------------------------------------------------------


class AddReportView(ProjectMixin, TemplateView):
    """Staff with projects.manage_reports add a report to the project's schedule (the form is
    on the project page; it comes back here, as typed, when refused)."""

    template_name = "projects/reports/add.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not is_staff(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        require_staff(request.user, MANAGE)
        return self.render_to_response(self.get_context_data(form=AddReportForm()))

    def post(self, request, *args, **kwargs):
        require_staff(request.user, MANAGE)
        form = AddReportForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                report = services.add_report(self.project, data["kind"], data["due_on"], data["reason"], request.user)
            except ProjectError as error:
                for reason in error.reasons:
                    form.add_error(None, reason)
            else:
                messages.success(
                    request,
                    _("%(report)s added, due on %(date)s.") % {"report": report, "date": date_text(report.due_on)},
                )
                return redirect("projects:detail", self.project.pk)
        return self.render_to_response(self.get_context_data(form=form))

    def get_context_data(self, **kwargs):
        return super().get_context_data(project=self.project, **kwargs)


# --- Documents ----------------------------------------------------------------------------------------


class ReportAttachmentAddView(ReportView):
    """The lead researcher adds a PDF to the report (judged on its content)."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        if not self.is_lead:
            raise (
                Http404
                if not is_staff(request.user)
                else PermissionDenied(_("Only the project's lead researcher writes its reports."))
            )
        form = ReportAttachmentForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                attachment = services.add_report_attachment(self.report, form.cleaned_data["file"], request.user)
            except ProjectError as error:
                for reason in error.reasons:
                    form.add_error("file", reason)
            else:
                messages.success(request, _("%(name)s is added to the report.") % {"name": attachment.original_name})
                return self.back()
        messages.error(request, _("The document is not added: see below."))
        return self.render_to_response(self.get_context_data(attachment_form=form))


class ReportAttachmentMixin(ReportMixin):
    @cached_property
    def attachment(self):
        return get_object_or_404(ReportAttachment, pk=self.kwargs["attachment_pk"], report=self.report)


class ReportAttachmentView(ReportAttachmentMixin, View):
    """The document, for the lead researcher and staff who may see projects only."""

    def get(self, request, *args, **kwargs):
        attachment = self.attachment
        return serve_stored_file(request, attachment.file, pdf_file_name(attachment.original_name))


class ReportAttachmentRemoveView(ReportAttachmentMixin, View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        if not rules.has_perm("projects.lead_project", request.user, self.project):
            raise (
                Http404
                if not is_staff(request.user)
                else PermissionDenied(_("Only the project's lead researcher writes its reports."))
            )
        name = self.attachment.original_name
        try:
            services.remove_report_attachment(self.attachment, request.user)
        except ProjectError as error:
            show_refusal(request, error)
        else:
            messages.success(request, _("%(name)s is removed from the report.") % {"name": name})
        return self.back()
