"""Demo funded projects, loaded by `make run` after the reviews' demo. Idempotent.

Four projects, dated from the day the demo is loaded, so that a new user sees the whole life of
a project after the decision:

- the demo researcher's PRI, in its first year: an instalment paid, the first yearly report due
  within a month (they fill it in and submit it; staff accept it);
- a Tremplin whose final report is four weeks overdue (the reminders are going out);
- a Tremplin whose final report is accepted, its evaluation asked of the demo reviewer;
- a PCT closed after five years, its evaluation in.

Each goes through the portal's services (decision published → project, start date, payments,
reports, evaluation), as staff and researchers would.
"""

from datetime import time, timedelta
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from accounts.models import AuditEvent, User
from applications.models import Application, BudgetLine, PartnerTeam
from calls import services as call_services
from calls.models import Call, Instrument
from reviews.models import Decision

from . import schedule
from .models import Evaluation, Project, Report, ReportVersion
from .services import create_project_for_decision, follow_calendar, money, reports, set_start_date
from .services import evaluation as evaluations
from .services.base import lock

# (key, lead's e-mail, instrument, months since the start, title, partner institution, city, country)
DEMO_PROJECTS = [
    (
        "D0001",
        "researcher@demo.inserm.fr",
        Instrument.Code.PRI,
        11,
        "Immune ageing in two cohorts, in France and in Japan",
        "University of Tokyo",
        "Tokyo",
        "JP",
    ),
    (
        "D0002",
        "researcher2@demo.inserm.fr",
        Instrument.Code.TREMPLIN,
        13,
        "Gut microbiota of premature infants",
        "Karolinska Institutet",
        "Stockholm",
        "SE",
    ),
    (
        "D0003",
        "researcher3@demo.inserm.fr",
        Instrument.Code.TREMPLIN,
        15,
        "Diabetes prevention in primary care",
        "University of Cape Town",
        "Cape Town",
        "ZA",
    ),
    (
        "D0004",
        "researcher4@demo.inserm.fr",
        Instrument.Code.PCT,
        62,
        "Deep learning for brain imaging across five countries",
        "University of Toronto",
        "Toronto",
        "CA",
    ),
]
AMOUNTS = {
    Instrument.Code.PRI: Decimal("60000.00"),
    Instrument.Code.TREMPLIN: Decimal("9500.00"),
    Instrument.Code.PCT: Decimal("150000.00"),
}
PROGRESS_TEXT = (
    "Two joint workshops held (Paris, then abroad); the shared protocol is written and the first samples "
    "are exchanged. A PhD student spent three months in the partner team."
)


def load():
    staff = User.objects.filter(is_staff=True).order_by("pk").first()
    reviewer = User.objects.get(email="reviewer@demo.inserm.fr")
    today = timezone.localdate()
    for key, email, code, months, title, institution, city, country in DEMO_PROJECTS:
        lead = User.objects.filter(email=email).first()
        if lead is None or Project.objects.filter(reference__endswith=key).exists():
            continue
        start = schedule.add_months(today.replace(day=1), -months)
        project = _funded(key, lead, code, start, title, institution, city, country, staff)
        if key == "D0001":
            _pay_instalments(project, staff, count=1)
        elif key == "D0002":
            _pay_instalments(project, staff)
        elif key == "D0003":
            _pay_instalments(project, staff)
            _report_in(project, staff)
            evaluations.request_evaluation(project, reviewer, today + timedelta(days=21), staff)
        elif key == "D0004":
            _pay_instalments(project, staff)
            _report_in(project, staff)
            evaluation = evaluations.request_evaluation(project, reviewer, today + timedelta(days=21), staff)
            evaluations.submit_evaluation(
                evaluation,
                reviewer,
                objectives_score=4,
                partnership_score=5,
                outputs_score=4,
                recommendation=Evaluation.Recommendation.EUROPEAN,
                comments="A lasting network: eleven co-publications and a shared imaging platform. "
                "Ready for a European consortium.",
            )


def _decided_call(code, year, staff):
    instrument = Instrument.objects.get(code=code)
    title_fr = f"{instrument.name_fr} {year} — appel de démonstration décidé"
    call = Call.objects.filter(title_fr=title_fr).first()
    if call is None:
        now = timezone.now()
        call = call_services.create_call_from_instrument(
            instrument,
            year,
            title_fr=title_fr,
            title_en=f"{instrument.name_en} {year} — decided demonstration call",
            opens_at=now - timedelta(days=400),
            closes_at=now - timedelta(days=340),
            **({"ceiling": Decimal("150000")} if code == Instrument.Code.PCT else {}),
        )
        Call.objects.filter(pk=call.pk).update(status=Call.Status.DECIDED)
    return call


def _funded(key, lead, code, start, title, institution, city, country, staff):
    """A decided application of `lead`, its funded decision published (the project follows),
    started on `start`."""
    decided_at = timezone.make_aware(
        timezone.datetime.combine(start - timedelta(days=20), timezone.datetime.min.time())
    )
    call = _decided_call(code, decided_at.year, staff)
    amount = AMOUNTS[code]
    application = Application.objects.create(
        call=call,
        applicant=lead,
        title=title,
        abstract=f"{title}: a collaboration with {institution}.",
        keywords="demo",
        duration_months=call.duration_months,
        status=Application.Status.DECIDED,
        reference=f"{code}-{call.year}-{key}",
        submitted_at=decided_at - timedelta(days=90),
        submitted_by=lead,
        eligible=True,
        requested_amount=amount,
        created_at=decided_at - timedelta(days=100),
    )
    PartnerTeam.objects.create(
        application=application,
        institution=institution,
        city=city,
        country=country,
        team_leader=f"Dr {city} (partner)",
        email=f"partner.{key.lower()}@example.org",
    )
    share = (amount * Decimal("0.6")).quantize(Decimal("0.01"))
    BudgetLine.objects.create(application=application, year=1, category="travel", amount=share)
    BudgetLine.objects.create(application=application, year=1, category="consumables", amount=amount - share)
    decision = Decision.objects.create(
        application=application,
        outcome=Decision.Outcome.FUNDED,
        amount=amount,
        decided_by=staff,
        decided_at=decided_at,
        released_at=decided_at + timedelta(days=3),
    )
    project = create_project_for_decision(decision, staff)
    # Dated as if the portal had run then: the project appeared when its decision was published.
    _backdate(project, decision.released_at)
    if project.start_date != start:
        project = set_start_date(project, start, staff)
    locked = lock(project)
    follow_calendar(locked, by_user=staff)
    return locked


def _backdate(target, when, **changes):
    """Move the audit events of `target` (those whose changes match `changes`) to `when`."""
    events = AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(target), object_id=str(target.pk), **changes
    )
    events.update(at=when)
    if isinstance(target, Project):
        Project.objects.filter(pk=target.pk).update(created_at=when)


def _pay_instalments(project, staff, count=None):
    today = timezone.localdate()
    for instalment in project.instalments.filter(due_on__lte=today).order_by("sequence")[:count]:
        money.record_payment(
            project, instalment.amount, instalment.due_on + timedelta(days=10), staff, instalment=instalment
        )


def _report_in(project, staff):
    """Every report of the project due so far written, submitted and accepted."""
    lead = project.lead
    for report in project.reports.filter(status__in=Report.EDITABLE, due_on__lte=timezone.localdate()).order_by(
        "due_on"
    ):
        fields = {"scientific_progress": PROGRESS_TEXT}
        if report.kind == Report.Kind.FINAL:
            fields.update(
                partnership_outcome="The two teams now share a protocol, a cohort and a PhD student.",
                next_steps="A PRI application to the next call, then a European consortium.",
            )
        reports.save_report(report, lead, fields=fields)
        reports.submit_report(report, lead)
        reports.accept_report(report, staff)
        # Sent a few days before it was due, accepted two weeks later.
        sent = timezone.make_aware(timezone.datetime.combine(report.due_on - timedelta(days=5), time(10)))
        accepted = sent + timedelta(days=15)
        Report.objects.filter(pk=report.pk).update(submitted_at=sent, reviewed_at=accepted)
        ReportVersion.objects.filter(report=report).update(submitted_at=sent)
        _backdate(report, sent)
        _backdate(report, accepted, changes__status__to=Report.Status.ACCEPTED)
