"""Who may do what with funded projects (django-rules predicates, declared once).

Staff permissions pair the staff role with the Django model permissions admin asks for the same
records (accounts.permissions.add_staff_perm). Researchers and reviewers act on their own objects:
``rules.has_perm(NAME, user, obj)``.
"""

import rules

from accounts.permissions import add_staff_perm, is_researcher, is_reviewer

STAFF_PERMISSIONS = {
    # The project list, dashboard, exports and any project's page.
    "projects.see_projects": ("projects.view_project",),
    # The start date, suspending, resuming, terminating.
    "projects.manage_projects": ("projects.view_project", "projects.change_project"),
    "projects.record_payments": ("projects.view_project", "projects.add_payment"),
    # Adding, moving, waiving a report; accepting one or asking for changes.
    "projects.manage_reports": ("projects.view_project", "projects.change_report"),
    "projects.request_evaluations": ("projects.view_project", "projects.add_evaluation"),
    "projects.decide_changes": ("projects.view_project", "projects.change_changerequest"),
}

for _name, _model_permissions in STAFF_PERMISSIONS.items():
    add_staff_perm(_name, *_model_permissions)


@rules.predicate
def leads_project(user, project):
    return project is not None and project.lead_id == user.pk


@rules.predicate
def evaluates(user, evaluation):
    return evaluation is not None and evaluation.reviewer_id == user.pk


# The lead researcher's own project: its page, its reports, its change requests.
rules.add_perm("projects.lead_project", is_researcher & leads_project)
# The reviewer asked for this final evaluation.
rules.add_perm("projects.evaluate", is_reviewer & evaluates)
