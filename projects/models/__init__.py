"""Funded projects and their follow-up: from the published decision to the final evaluation.

A project's status moves only through ``Project.TRANSITIONS`` (services.py, one function each)::

    starting ──▶ active ──▶ final_report_due ──▶ closed (by the final evaluation)
        │          │  ▲           │
        │          ▼  │           ▼
        └──────▶ suspended ──▶ terminated (early)

Its reports (``Report``) are scheduled from the instrument's plan (schedule.py) and follow
``Report.TRANSITIONS``: planned → draft → submitted → accepted, or back to the researcher with
changes_requested; staff may waive a report not yet submitted.
"""

from .project import Instalment, Payment, Project, ProjectBudgetLine, ProjectPartner, ProjectQuerySet
from .reports import Mission, Publication, Report, ReportAttachment, ReportVersion, Spending, report_attachment_path
from .requests import ChangeRequest, Evaluation

__all__ = [
    "ChangeRequest",
    "Evaluation",
    "Instalment",
    "Mission",
    "Payment",
    "Project",
    "ProjectBudgetLine",
    "ProjectPartner",
    "ProjectQuerySet",
    "Publication",
    "Report",
    "ReportAttachment",
    "ReportVersion",
    "Spending",
    "report_attachment_path",
]
