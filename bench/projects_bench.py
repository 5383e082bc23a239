"""The reminder sweep of funded projects (issue 16), timed over the dataset's projects: beat's
daily pass run twice, the second one finding every reminder already in the outbox. Run by
bench/run.py after django.setup(), on the full dataset (10,000 projects)."""

from __future__ import annotations

import time


def measure():
    from notifications.models import Notification
    from projects.models import Project, Report
    from projects.services.reminders import send_report_reminders

    Notification.objects.filter(kind__startswith="report.").delete()
    started = time.perf_counter()
    first = send_report_reminders()
    first_seconds = time.perf_counter() - started
    started = time.perf_counter()
    second = send_report_reminders()
    second_seconds = time.perf_counter() - started
    return {
        "projects": Project.objects.count(),
        "reports_owed": Report.objects.filter(status__in=Report.OWED).count(),
        "reminders": first,
        "seconds": round(first_seconds, 2),
        "rerun_reminders": second,
        "rerun_seconds": round(second_seconds, 2),
    }
