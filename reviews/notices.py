"""The notifications reviews send (declared with the outbox on import; see notifications/kinds.py)."""

from django.utils.translation import gettext_lazy as _

from notifications.kinds import declare

#: To a reviewer invited to a call.
REVIEWER_INVITATION = declare(
    "review.invitation", _("Reviewer invitation"), context=("call_title_fr", "call_title_en", "url_path")
)
#: To a reviewer, when routing is confirmed; then the reminder and the overdue notice, scheduled
#: with not_before and a dedupe_key, cancelled once the review is in.
ASSIGNMENT = declare(
    "review.assignment", _("Review assignment"), context=("reference", "application_title", "due_date", "url_path")
)
REVIEW_REMINDER = declare("review.reminder", _("Review reminder"), context=("reference", "due_date", "url_path"))
REVIEW_OVERDUE = declare("review.overdue", _("Review overdue"), context=("reference", "due_date", "url_path"))
REMINDER_KINDS = (REVIEW_REMINDER, REVIEW_OVERDUE)
#: To staff, when a reviewer steps down.
RECUSAL = declare("review.recusal", _("Recusal"), context=("reviewer_name", "reference", "reason", "url_path"))
#: To the applicant: held for staff to read, then released with the decisions from the ranking
#: page (reviews.services.release_decisions), never from the outbox alone.
DECISION = declare(
    "decision.letter",
    _("Decision letter"),
    context=("reference", "application_title", "outcome", "amount", "url_path"),
    held=True,
    released_by=_("the ranking page of its call"),
)
#: Once a day, to each participant of a discussion with new messages from others: how many, where.
DISCUSSION_DIGEST = declare(
    "review.discussion_digest", _("Discussion digest"), context=("discussions", "day", "url_path")
)
#: To a reviewer whose submitted review staff reopened (asking to reconsider, with what).
REVIEW_REOPENED = declare(
    "review.reopened", _("Review reopened"), context=("reference", "application_title", "reason", "url_path")
)
