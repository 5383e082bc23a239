"""A funded decision, once published, creates its project (reviews tells, projects listens: the
one-way order forbids reviews to import projects)."""

from django.dispatch import receiver

from reviews.signals import decisions_published


@receiver(decisions_published, dispatch_uid="projects.create_projects")
def create_projects(sender, decision_ids, by_user=None, **kwargs):
    from .services import create_projects_for_decisions

    create_projects_for_decisions(decision_ids, by_user)
