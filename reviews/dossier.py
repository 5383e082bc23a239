"""The committee dossier (issue 18) as one PDF: per application, its details, partner teams and their
answers, budget table, the eligibility report frozen at submission, then its documents merged in;
the staff version adds the submitted reviews and the synthesis. A call's dossier holds every
admissible application, each under a bookmark. HTML drawn by WeasyPrint, merged with pypdf."""

import io
from pathlib import Path

from celery import current_app
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from pypdf import PdfReader, PdfWriter

from applications.models import Application

from .models import Dossier, Review, ReviewAssignment, Synthesis
from .routing_adapter import routable
from .services.base import ReviewError, _require

STYLESHEET = Path(__file__).with_name("dossier.css")


def _html_pdf(html):
    import weasyprint  # imported here: its drawing libraries are needed only to build a dossier

    return weasyprint.HTML(string=html).write_pdf(stylesheets=[weasyprint.CSS(filename=str(STYLESHEET))])


def application_pages(application, *, with_reviews):
    """The application's own pages (HTML drawn to PDF), before its documents."""
    reviews = []
    synthesis = None
    if with_reviews:
        reviews = list(
            Review.objects.filter(
                assignment__application=application,
                assignment__status=ReviewAssignment.Status.ACTIVE,
                status=Review.Status.SUBMITTED,
            )
            .select_related("assignment__reviewer")
            .prefetch_related("scores__criterion")
            .order_by("pk")
        )
        synthesis = Synthesis.objects.filter(application=application, submitted_at__isnull=False).first()
    language = translation.get_language() or "fr"
    html = render_to_string(
        "reviews/dossier/application.html",
        {
            "application": application,
            "partners": list(application.partners.all()),
            "budget": list(application.budget_lines.all()),
            "report": [
                {
                    "outcome": entry.get("outcome"),
                    "message": entry.get(f"message_{language}") or entry.get("message_en"),
                }
                for entry in application.eligibility_report or []
            ],
            "reviews": reviews,
            "synthesis": synthesis,
            "with_reviews": with_reviews,
            "now": timezone.now(),
        },
    )
    return _html_pdf(html)


def _append(writer, pdf_bytes, title, parent=None):
    """Append a PDF to the writer under a bookmark; returns the bookmark (None if nothing added)."""
    reader = PdfReader(io.BytesIO(pdf_bytes))
    start = len(writer.pages)
    for page in reader.pages:
        writer.add_page(page)
    if len(writer.pages) == start:
        return None
    return writer.add_outline_item(title=title, page_number=start, parent=parent)


def add_application(writer, application, *, with_reviews):
    """The application's pages, then each of its documents, under one bookmark."""
    mark = _append(writer, application_pages(application, with_reviews=with_reviews), application.reference or "—")
    for attachment in application.attachments.all():
        try:
            with attachment.file.open("rb") as handle:
                data = handle.read()
            _append(writer, data, f"{attachment.get_kind_display()} — {attachment.download_name}", parent=mark)
        except (OSError, ValueError):
            continue  # a file gone from the storage: the dossier says what it holds in its bookmarks


def request_dossier(call, by_user, *, application=None, with_reviews=True, language="fr"):
    """Staff ask for a dossier: its row is created and its build queued once the row is committed."""
    _require(by_user, "reviews.see_ranking")
    if application is not None and application.call_id != call.pk:
        raise ReviewError(_("This application is not one of the call's."))
    with transaction.atomic():
        dossier = Dossier.objects.create(
            call=call, application=application, with_reviews=with_reviews, requested_by=by_user
        )
        transaction.on_commit(lambda: current_app.send_task("reviews.build_dossier", args=[dossier.pk, language]))
    return dossier


def dossier_applications(dossier):
    rows = (
        Application.objects.filter(pk=dossier.application_id)
        if dossier.application_id
        else routable(Application.objects.filter(call=dossier.call_id))
    )
    return (
        rows.select_related("call__instrument", "applicant__researcher_profile")
        .prefetch_related("partners", "budget_lines", "attachments")
        .order_by("reference", "pk")
    )


def build(dossier_id, language="fr"):
    """Build the dossier's PDF, reporting progress on its row (committed as it goes)."""
    dossier = Dossier.objects.select_related("call").get(pk=dossier_id)
    Dossier.objects.filter(pk=dossier.pk).update(status=Dossier.Status.BUILDING, progress=1)
    try:
        applications = list(dossier_applications(dossier))
        writer = PdfWriter()
        with translation.override(language):
            for index, application in enumerate(applications, start=1):
                add_application(writer, application, with_reviews=dossier.with_reviews)
                Dossier.objects.filter(pk=dossier.pk).update(progress=max(1, int(99 * index / len(applications))))
        buffer = io.BytesIO()
        writer.write(buffer)
        with transaction.atomic():
            dossier.file.save(f"dossier-{dossier.pk}.pdf", ContentFile(buffer.getvalue()), save=False)
            Dossier.objects.filter(pk=dossier.pk).update(
                file=dossier.file.name, status=Dossier.Status.READY, progress=100, error=""
            )
    except Exception as exc:  # noqa: BLE001 - the page says it failed and why; staff ask again
        Dossier.objects.filter(pk=dossier.pk).update(status=Dossier.Status.FAILED, error=f"{type(exc).__name__}: {exc}")
        raise
    return Dossier.objects.get(pk=dossier.pk)
