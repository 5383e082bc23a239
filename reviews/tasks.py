"""Celery tasks: a few lines each around the domain functions of services."""

from celery import shared_task
from celery.signals import worker_init

from . import services
from .routing import text


@worker_init.connect
def preload_routing_libraries(**kwargs):
    """The worker that computes routing proposals imports scikit-learn (the texts' TF-IDF) once,
    when it starts, before its pool forks: not in the first proposal staff wait for."""
    text.preload()


@shared_task(name="reviews.compute_routing", acks_late=True)
def compute_routing(proposal_id):
    """Compute a large call's routing proposal; its page shows the progress field meanwhile."""
    proposal = services.run_routing(proposal_id)
    return {"proposal": proposal.pk, "status": proposal.status}


@shared_task(name="reviews.discussion_digest", acks_late=True)
def discussion_digest():
    """Beat's daily pass: one e-mail per participant of a discussion with new messages (idempotent)."""
    return {"notifications": services.send_digests()}


@shared_task(name="reviews.build_dossier", acks_late=True)
def build_dossier(dossier_id, language="fr"):
    """Build a committee dossier's PDF; its page shows the progress meanwhile."""
    from .dossier import build

    return {"dossier": build(dossier_id, language).status}
