"""The discussion of an application (issue 18): a reviewer who submitted their review reads the
other submitted reviews of the application (never before) and its discussion, and writes in it;
staff read and write too. Everyone in the discussion but the author is told once a day by a digest
of the new messages (beat: reviews.discussion_digest, idempotent per person and day)."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from notifications.services import notify_many
from notifications.services.outbox import Message

from .. import notices
from ..models import DiscussionMessage, Review, ReviewAssignment
from .base import ReviewError, _require


def in_discussion(user, application):
    """`user` reads and writes the discussion: an active reviewer of the application whose own
    review was submitted (also while staff reopened it to reconsider; without conflict: the
    assignment page is theirs), or staff."""
    if user.is_staff and user.has_perm("reviews.see_ranking"):
        return True
    return (
        ReviewAssignment.objects.active()
        .filter(application=application, reviewer=user, review__submitted_at__isnull=False)
        .exists()
    )


def other_reviews(assignment):
    """The other submitted reviews of the assignment's application, for its reviewer once their own
    is submitted (else none), with their scores; each labelled "Reviewer 1, 2..." (no names)."""
    if not in_discussion(assignment.reviewer, assignment.application):
        return []
    reviews = list(
        Review.objects.filter(
            assignment__application=assignment.application_id,
            assignment__status=ReviewAssignment.Status.ACTIVE,
            status=Review.Status.SUBMITTED,
        )
        .exclude(assignment=assignment)
        .prefetch_related("scores__criterion")
        .order_by("pk")
    )
    for number, review in enumerate(reviews, start=1):
        review.label_number = number
    return reviews


def post_message(application, by_user, body):
    """Write in the application's discussion (refused to anyone outside it)."""
    if not in_discussion(by_user, application):
        raise ReviewError(_("You take part in this discussion once your own review is submitted."))
    message = DiscussionMessage(application=application, author=by_user, body=(body or "").strip())
    message.by_staff = bool(by_user.is_staff)
    if not message.body:
        raise ReviewError(_("Write your message."))
    try:
        message.full_clean(exclude=["application", "author"])
    except ValidationError as error:
        raise ReviewError(*error.messages) from None
    with transaction.atomic():
        message.save()
    return message


def send_digests(now=None):
    """Each participant of a discussion with messages from others in the last day gets one e-mail
    listing them (references and counts); a second run the same day sends nothing."""
    now = now or timezone.now()
    since = now - timedelta(days=1)
    messages = list(
        DiscussionMessage.objects.filter(created_at__gte=since, created_at__lt=now)
        .select_related("application")
        .order_by("application_id", "created_at")
    )
    if not messages:
        return 0
    applications = {m.application_id: m.application for m in messages}
    participants = {}
    for application_id, reviewer_id in (
        ReviewAssignment.objects.active()
        .filter(application__in=list(applications), review__submitted_at__isnull=False)
        .values_list("application_id", "reviewer_id")
    ):
        participants.setdefault(application_id, set()).add(reviewer_id)
    for m in messages:
        if m.by_staff and m.author_id:
            participants.setdefault(m.application_id, set()).add(m.author_id)
    counts = {}
    for m in messages:
        for user_id in participants.get(m.application_id, ()):
            if user_id != m.author_id:
                counts.setdefault(user_id, {}).setdefault(m.application_id, 0)
                counts[user_id][m.application_id] += 1
    users = get_user_model().objects.in_bulk(list(counts))
    day = timezone.localdate(now).isoformat()
    batch = [
        Message(
            users[user_id],
            notices.DISCUSSION_DIGEST,
            {
                "discussions": [
                    {"reference": applications[application_id].reference or "", "count": count}
                    for application_id, count in sorted(per_application.items())
                ],
                "day": day,
                "url_path": "/reviews/",
            },
            dedupe_key=f"discussion-digest:{user_id}:{day}",
        )
        for user_id, per_application in counts.items()
        if user_id in users and users[user_id].is_active
    ]
    return len(notify_many(batch))


def post_as_staff(application, by_user, body):
    _require(by_user, "reviews.see_ranking")
    return post_message(application, by_user, body)
