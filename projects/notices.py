"""The notifications funded projects send (declared with the outbox on import; see
notifications/kinds.py). ``report`` in a context is the report's kind ("progress" or "final") and
``year`` its anniversary, so each template names it in its own language."""

from django.utils.translation import gettext_lazy as _

from notifications.kinds import declare

REPORT_CONTEXT = ("reference", "project_title", "report", "year", "due_date", "url_path")

#: To the lead researcher, when the published decision has created the project.
PROJECT_CREATED = declare(
    "project.created", _("Project set up"), context=("reference", "project_title", "start_date", "end_date", "url_path")
)
#: To the lead researcher: 30 and 7 days before a report is due, and on the due day.
REPORT_REMINDER = declare("report.reminder", _("Report reminder"), context=(*REPORT_CONTEXT, "days"))
#: To the lead researcher, each week a report is overdue; to staff, from the second week on.
REPORT_OVERDUE = declare("report.overdue", _("Report overdue"), context=(*REPORT_CONTEXT, "weeks"))
REPORT_OVERDUE_STAFF = declare(
    "report.overdue_staff", _("Report overdue (staff)"), context=(*REPORT_CONTEXT, "weeks", "lead_name")
)
#: To the lead researcher, when staff have read a submitted report.
REPORT_CHANGES = declare("report.changes", _("Changes asked to a report"), context=(*REPORT_CONTEXT, "message"))
REPORT_ACCEPTED = declare("report.accepted", _("Report accepted"), context=REPORT_CONTEXT)
#: To a reviewer asked for a project's final evaluation.
EVALUATION_REQUEST = declare(
    "evaluation.request", _("Final evaluation request"), context=("reference", "project_title", "due_date", "url_path")
)
#: To the lead researcher, when staff approve or refuse a change they asked for.
CHANGE_DECIDED = declare(
    "change.decided", _("Change request decided"), context=("reference", "change", "outcome", "reason", "url_path")
)
