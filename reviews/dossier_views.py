"""Staff's committee dossiers (issue 18): ask for a call's dossier or one application's, follow its
progress, download the PDF."""

from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import get_language
from django.views import View
from django.views.generic import TemplateView

from applications.models import Application
from applications.stored_files import serve_stored_file

from .dossier import request_dossier
from .models import Dossier
from .views import StaffCallMixin, StaffRequiredMixin


class DossiersView(StaffCallMixin, TemplateView):
    """The call's dossiers: ask for a new one (the whole call, with or without the reviews)."""

    permission_required = "reviews.see_ranking"
    template_name = "reviews/dossiers.html"

    def get_context_data(self, **kwargs):
        dossiers = Dossier.objects.filter(call=self.call).select_related("application").order_by("-requested_at")[:20]
        return super().get_context_data(call=self.call, dossiers=list(dossiers), **kwargs)

    def post(self, request, pk):
        application = None
        if request.POST.get("application"):
            application = get_object_or_404(Application, pk=request.POST["application"], call=self.call)
        dossier = request_dossier(
            self.call,
            request.user,
            application=application,
            with_reviews=request.POST.get("with_reviews") == "1",
            language=get_language(),
        )
        return redirect("reviews:dossier", pk=dossier.pk)


class DossierView(StaffRequiredMixin, TemplateView):
    permission_required = "reviews.see_ranking"
    template_name = "reviews/dossier.html"

    def load(self, **kwargs):
        self.dossier = get_object_or_404(Dossier.objects.select_related("call", "application"), pk=kwargs["pk"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(dossier=self.dossier, call=self.dossier.call, **kwargs)


class DossierProgressView(StaffRequiredMixin, View):
    permission_required = "reviews.see_ranking"

    def get(self, request, pk):
        dossier = get_object_or_404(Dossier, pk=pk)
        return JsonResponse(
            {"status": dossier.status, "progress": dossier.progress, "label": dossier.get_status_display()}
        )


class DossierDownloadView(StaffRequiredMixin, View):
    permission_required = "reviews.see_ranking"

    def get(self, request, pk):
        dossier = get_object_or_404(Dossier.objects.select_related("application", "call"), pk=pk)
        if dossier.status != Dossier.Status.READY or not dossier.file:
            raise Http404
        name = dossier.application.reference if dossier.application_id else f"call-{dossier.call_id}"
        return serve_stored_file(request, dossier.file, f"dossier-{name}.pdf")
