"""The funded projects of the bench dataset (issue 16): as many projects as applications, from
earlier years' calls, in every state of their life, written with COPY like the rest.

Each project comes from its own decided application of a call of the five years before (the
year's applications in review stay as they are): a published funded decision, the project with
its current partner teams, planned budget, instalments and the reports its plan owes. Start dates
are spread over five years, so that on the day of the run reports are due in every window the
reminders look at (30 and 7 days ahead, the due day, overdue by weeks), some are in, some are
accepted, and a few projects are suspended or closed.
"""

from datetime import timedelta
from decimal import Decimal

from applications.models import Application, PartnerTeam
from calls import services as call_services
from calls.models import Call, Instrument
from projects import schedule
from projects.models import Instalment, Project, ProjectBudgetLine, ProjectPartner, Report
from reviews.models import Decision

MODELS = [Application, PartnerTeam, Decision, Project, ProjectPartner, ProjectBudgetLine, Instalment, Report]
INSTRUMENTS = (Instrument.Code.TREMPLIN, Instrument.Code.PRI, Instrument.Code.PCT)
AMOUNTS = {
    Instrument.Code.TREMPLIN: Decimal("9500.00"),
    Instrument.Code.PRI: Decimal("60000.00"),
    Instrument.Code.PCT: Decimal("150000.00"),
}


def make_calls(command):
    """The decided calls of the five years before, through the calls services (which write their
    audit events with the ORM: before any COPY with explicit ids of the same tables)."""
    now = command.now
    calls = {}
    for years_ago in range(1, 6):
        for code in INSTRUMENTS:
            year = now.year - years_ago
            call = call_services.create_call_from_instrument(
                command.instruments[code],
                year,
                title_fr=f"{command.instruments[code].name_fr} {year} (décidé)",
                title_en=f"{command.instruments[code].name_en} {year} (decided)",
                opens_at=now - timedelta(days=365 * years_ago + 120),
                closes_at=now - timedelta(days=365 * years_ago + 60),
                **({"ceiling": Decimal("150000")} if code == Instrument.Code.PCT else {}),
            )
            calls[(code, years_ago)] = call
    Call.objects.filter(pk__in=[c.pk for c in calls.values()]).update(status=Call.Status.DECIDED)
    return calls


def make_projects(command, n):
    """`n` funded projects; `command` is the dataset Command (its rng, ids, people, project calls)."""
    from bench.dataset import copy_objects

    rng, ids, now = command.rng, command.ids, command.now
    today = now.date()
    calls = command.project_calls

    rows = {model: [] for model in MODELS}
    # The bench researcher leads the first three projects: their dashboard lists several.
    leads = [command.researchers[0]] * min(3, n) + [rng.choice(command.researchers) for _ in range(max(0, n - 3))]
    for index in range(n):
        code = INSTRUMENTS[index % 3]
        plan = schedule.plan_for(code)
        # Started between 1 and 62 months ago (Tremplins within the last 26 months): every state.
        span = 26 if code == Instrument.Code.TREMPLIN else 62
        start = schedule.add_months(today.replace(day=1), -rng.randint(0, span)) + timedelta(days=rng.randint(0, 27))
        years_ago = min(5, max(1, (today - start).days // 365 + 1))
        call = calls[(code, years_ago)]
        decided_at = now - timedelta(days=(today - start).days + rng.randint(10, 40))
        lead = leads[index]
        application = Application(
            id=ids.next(Application),
            call_id=call.pk,
            applicant_id=lead.pk,
            title=f"Funded collaboration {index + 1}",
            abstract="A funded collaboration of the bench dataset.",
            keywords="bench",
            theme="",
            duration_months=plan.months,
            status=Application.Status.DECIDED,
            reference=f"{code}-{call.year}-P{index + 1:05d}",
            submitted_at=decided_at - timedelta(days=90),
            submitted_by_id=lead.pk,
            eligibility_report=[],
            eligible=True,
            requested_amount=AMOUNTS[code],
            created_at=decided_at - timedelta(days=100),
            updated_at=decided_at,
        )
        rows[Application].append(application)
        country = rng.choice(command.all_foreign)
        institution = rng.choice(command.institutions)
        rows[PartnerTeam].append(
            PartnerTeam(
                id=ids.next(PartnerTeam),
                application_id=application.pk,
                institution=institution,
                city="City",
                country=country,
                team_leader="Partner Leader",
                email=f"leader{index}@partner.example.org",
            )
        )
        decision = Decision(
            id=ids.next(Decision),
            application_id=application.pk,
            outcome=Decision.Outcome.FUNDED,
            amount=AMOUNTS[code],
            decided_by_id=command.staff.pk,
            decided_at=decided_at,
            released_at=decided_at + timedelta(days=2),
        )
        rows[Decision].append(decision)
        end = schedule.end_date(start, plan.months)
        status = _status(rng, start, end, today)
        project = Project(
            id=ids.next(Project),
            decision_id=decision.pk,
            application_id=application.pk,
            reference=application.reference,
            title=application.title,
            call_id=call.pk,
            instrument_id=command.instruments[code].pk,
            lead_id=lead.pk,
            awarded=AMOUNTS[code],
            decided_on=decided_at.date(),
            start_date=start,
            duration_months=plan.months,
            extension_months=0,
            end_date=end,
            status=status,
            created_at=decided_at,
            updated_at=decided_at,
            closed_at=now if status == Project.Status.CLOSED else None,
        )
        rows[Project].append(project)
        rows[ProjectPartner].append(
            ProjectPartner(
                id=ids.next(ProjectPartner),
                project_id=project.pk,
                institution=institution,
                city="City",
                country=country,
                team_leader="Partner Leader",
                email=f"leader{index}@partner.example.org",
            )
        )
        rows[ProjectBudgetLine].append(
            ProjectBudgetLine(
                id=ids.next(ProjectBudgetLine), project_id=project.pk, category="travel", planned=AMOUNTS[code]
            )
        )
        for due in schedule.instalments(plan, start, plan.months, AMOUNTS[code]):
            rows[Instalment].append(
                Instalment(
                    id=ids.next(Instalment),
                    project_id=project.pk,
                    sequence=due.sequence,
                    due_on=due.due_on,
                    amount=due.amount,
                )
            )
        for due in schedule.reports(plan, start, plan.months):
            rows[Report].append(
                Report(
                    id=ids.next(Report),
                    project_id=project.pk,
                    kind=due.kind,
                    sequence=due.sequence,
                    due_on=due.due_on,
                    scheduled=True,
                    status=_report_status(rng, due.due_on, today, status),
                    updated_at=now,
                )
            )
    for model in MODELS:
        copy_objects(rows[model])
    return {"projects": n, "reports": len(rows[Report])}


def _status(rng, start, end, today):
    if start > today:
        return Project.Status.STARTING
    if end >= today:
        return Project.Status.SUSPENDED if rng.random() < 0.02 else Project.Status.ACTIVE
    return Project.Status.CLOSED if rng.random() < 0.5 else Project.Status.FINAL_REPORT_DUE


def _report_status(rng, due_on, today, project_status):
    """Reports long past are in (accepted), recent ones submitted or still owed (overdue), future
    ones planned or being drafted."""
    if project_status == Project.Status.CLOSED:
        return Report.Status.ACCEPTED
    if due_on < today - timedelta(days=120):
        return Report.Status.ACCEPTED
    if due_on < today:
        return rng.choice([Report.Status.SUBMITTED, Report.Status.PLANNED, Report.Status.DRAFT])
    return Report.Status.DRAFT if rng.random() < 0.2 else Report.Status.PLANNED
