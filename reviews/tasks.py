"""Celery tasks: a few lines each around the domain functions of services."""

from celery import shared_task

from . import services


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
