"""Funded projects and PIC agreements feed the register as they are created or change."""

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from calls.models import InstitutionalAgreement
from projects.models import Project

from . import register


@receiver(post_save, sender=Project, dispatch_uid="cooperation.project")
def project_saved(sender, instance, created, raw=False, **kwargs):
    # On commit: the project's partner teams are created after the project itself.
    if created and not raw:
        transaction.on_commit(lambda: register.record_project(Project.objects.get(pk=instance.pk)))


@receiver(post_save, sender=InstitutionalAgreement, dispatch_uid="cooperation.agreement")
def agreement_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        register.record_agreement(instance)
