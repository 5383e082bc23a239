"""The register's pages: staff import a file (a dry run, then the import), researchers declare
their unit's cooperations. Thin: the services (importing, import_files, declarations) judge."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import TemplateView

from accounts.access import ResearcherRequiredMixin
from reviews.views import StaffRequiredMixin

from . import declarations, import_files, importing
from .forms import ApplyImportForm, DeclarationForm, ImportForm

#: Rejected rows per page of the dry run's report.
REJECTED_PER_PAGE = 100
#: A unit's rows per page.
ROWS_PER_PAGE = 100


# --- Staff: the import ------------------------------------------------------------------------------


class ImportMixin(StaffRequiredMixin):
    permission_required = "cooperation.import_register"


class ImportView(ImportMixin, TemplateView):
    """The form: the file and what it holds. Posted, the file is read (a dry run): refused as a
    whole with its reason, or kept on the server and its report shown."""

    template_name = "cooperation/import.html"

    def post(self, request):
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            data, content = upload.read(), form.cleaned_data["content"]
            try:
                importing.dry_run(data, upload.name, content)
                token = import_files.keep(data, upload.name, content, request.user)
            except importing.ImportFileError as error:
                for reason in error.reasons:
                    form.add_error("file", reason)
            else:
                return redirect(reverse("cooperation:import_report") + "?" + urlencode({"token": token}))
        return self.render_to_response(self.get_context_data(form=form))

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", ImportForm())
        columns = [
            (
                content.label,
                [
                    (name, label, name in importing.REQUIRED_COLUMNS[content])
                    for name, label in importing.labels(content).items()
                ],
            )
            for content in importing.Content
        ]
        return super().get_context_data(columns=columns, max_rows=importing.MAX_ROWS, **kwargs)


class ImportReportView(ImportMixin, TemplateView):
    """The dry run's report: the counts, the rejected rows (by pages of 100) with their reasons,
    and the button that imports the file (or only its valid rows, once confirmed)."""

    template_name = "cooperation/import_report.html"

    def get(self, request):
        try:
            kept = import_files.kept(request.GET.get("token"), request.user)
            report = importing.dry_run(kept.data, kept.name, kept.content)
        except importing.ImportFileError as error:
            for reason in error.reasons:
                messages.error(request, reason)
            return redirect("cooperation:import")
        return self.render_to_response(self.get_context_data(kept=kept, report=report))

    def get_context_data(self, kept, report, form=None, **kwargs):
        page = Paginator(report.rejected, REJECTED_PER_PAGE).get_page(self.request.GET.get("page"))
        labels = importing.labels(report.content)
        column_labels = [labels[column] for column in report.columns]
        return super().get_context_data(
            kept=kept,
            report=report,
            content_label=importing.Content(report.content).label,
            column_labels=column_labels,
            page_obj=page,
            rejected_rows=[(row, list(zip(column_labels, row.values, strict=True))) for row in page.object_list],
            form=form or ApplyImportForm(initial={"token": kept.token, "valid_only": not report.clean}),
            **kwargs,
        )


class ImportApplyView(ImportMixin, View):
    """Import the kept file (POST only): refused while rows are rejected unless the valid rows
    only are asked for and confirmed; the file is deleted once imported."""

    def post(self, request):
        form = ApplyImportForm(request.POST)
        token = request.POST.get("token", "")
        try:
            kept = import_files.kept(token, request.user)
        except importing.ImportFileError as error:
            for reason in error.reasons:
                messages.error(request, reason)
            return redirect("cooperation:import")
        report_url = reverse("cooperation:import_report") + "?" + urlencode({"token": token})
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return redirect(report_url)
        try:
            report = importing.apply(
                kept.data, kept.name, kept.content, request.user, valid_only=form.cleaned_data["valid_only"]
            )
        except importing.ImportFileError as error:
            for reason in error.reasons:
                messages.error(request, reason)
            return redirect(report_url)
        import_files.discard(token, request.user)
        messages.success(request, imported_message(report))
        return redirect("cooperation:import")


def imported_message(report):
    unchanged = report.unchanged + report.kept
    if report.nothing_new:
        message = ngettext(
            "Nothing new: the file's %(count)s row is already in the register.",
            "Nothing new: the file's %(count)s rows are already in the register.",
            unchanged,
        ) % {"count": unchanged}
    else:
        message = ngettext(
            "Imported: %(new)s new row, %(updated)s updated, %(unchanged)s already in the register.",
            "Imported: %(new)s new rows, %(updated)s updated, %(unchanged)s already in the register.",
            len(report.new),
        ) % {
            "new": len(report.new),
            "updated": len(report.updated),
            "unchanged": unchanged,
        }
    if report.rejected:
        message += " " + ngettext(
            "%(count)s rejected row left out.", "%(count)s rejected rows left out.", len(report.rejected)
        ) % {"count": len(report.rejected)}
    return message


# --- Researchers: their unit's declarations ---------------------------------------------------------


class UnitMixin(ResearcherRequiredMixin):
    """A researcher's page about their unit: self.unit ('' without a profile)."""

    def dispatch(self, request, *args, **kwargs):
        self.unit = declarations.unit_of(request.user)
        return super().dispatch(request, *args, **kwargs)


class DeclarationListView(UnitMixin, TemplateView):
    template_name = "cooperation/declarations.html"

    def get_context_data(self, **kwargs):
        rows = declarations.unit_rows(self.unit) if self.unit else declarations.unit_rows("").none()
        page = Paginator(rows, ROWS_PER_PAGE).get_page(self.request.GET.get("page"))
        for row in page.object_list:
            row.read_only_reason = declarations.read_only_reason(row)
        return super().get_context_data(unit=self.unit, page_obj=page, rows=page.object_list, **kwargs)


class DeclarationFormView(UnitMixin, TemplateView):
    """Declare a cooperation (no pk) or change one of the unit's (pk)."""

    template_name = "cooperation/declaration_form.html"

    def load(self, pk):
        if not self.unit:
            return None
        try:
            return declarations.row_for(self.request.user, pk, editable=True) if pk else None
        except declarations.DeclarationError as error:
            raise PermissionDenied(str(error)) from error

    def get(self, request, pk=None):
        if not self.unit:
            return redirect("cooperation:declarations")
        row = self.load(pk)
        form = DeclarationForm(initial=DeclarationForm.initial_for(row) if row else {})
        return self.render_to_response(self.get_context_data(form=form, row=row))

    def post(self, request, pk=None):
        if not self.unit:
            return redirect("cooperation:declarations")
        row = self.load(pk)
        form = DeclarationForm(request.POST)
        if form.is_valid():
            try:
                if row is None:
                    declarations.declare(request.user, form.cleaned_data)
                    messages.success(request, _("Cooperation declared."))
                else:
                    declarations.change(request.user, row, form.cleaned_data)
                    messages.success(request, _("Cooperation saved."))
            except declarations.DeclarationError as error:
                form.show(error)
            else:
                return redirect("cooperation:declarations")
        return self.render_to_response(self.get_context_data(form=form, row=row))

    def get_context_data(self, **kwargs):
        return super().get_context_data(unit=self.unit, **kwargs)


class DeclarationDeleteView(UnitMixin, TemplateView):
    """Delete one of the unit's cooperations: a page that confirms, then a POST."""

    template_name = "cooperation/declaration_delete.html"

    def load(self, pk):
        try:
            return declarations.row_for(self.request.user, pk, editable=True)
        except declarations.DeclarationError as error:
            raise PermissionDenied(str(error)) from error

    def get(self, request, pk):
        return self.render_to_response(self.get_context_data(row=self.load(pk)))

    def post(self, request, pk):
        row = self.load(pk)
        declarations.delete(request.user, row)
        messages.success(request, _("Cooperation deleted."))
        return redirect("cooperation:declarations")
