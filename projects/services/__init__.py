"""The project services: one function per change, each checking who asks and what the rules say,
writing in one transaction and recording who did it. The modules: ``lifecycle`` (creation,
dates, status), ``money`` (payments), ``reports`` (schedule edits, drafting, submission, review),
``changes`` (requests during the project), ``evaluation`` (the final evaluation), ``reminders``
(the beat's sweep)."""

from .base import ProjectError, require
from .lifecycle import (
    advance_projects,
    close_project,
    create_missing_projects,
    create_project_for_decision,
    create_projects_for_decisions,
    follow_calendar,
    resume_project,
    set_start_date,
    suspend_project,
    sync_schedule,
    terminate_project,
)

__all__ = [
    "ProjectError",
    "advance_projects",
    "close_project",
    "create_missing_projects",
    "create_project_for_decision",
    "create_projects_for_decisions",
    "follow_calendar",
    "require",
    "resume_project",
    "set_start_date",
    "suspend_project",
    "sync_schedule",
    "terminate_project",
]
