"""Partner teams confirm their participation (issue 17): a call may require every team's
confirmation before submission (CallFacts.partners_must_confirm, on by default for PRI and PCT);
otherwise the answers are only reported."""

from django.utils.translation import gettext_noop

from .base import failed, ngettext_noop, passed, plural_text, text, warned

CONFIRMED = "confirmed"
DECLINED = "declined"


def check_partners_confirmed(call, proposal):
    """Every partner team has confirmed (passes); some have not: a failure when the call requires
    every confirmation, a warning that only reports otherwise. No partner yet: nothing to say
    (check_partner_count says what to add)."""
    code = "partners.confirmed"
    answers = proposal.partner_answers
    if not answers:
        return None
    declined = sum(1 for answer in answers if answer == DECLINED)
    waiting = sum(1 for answer in answers if answer not in (CONFIRMED, DECLINED))
    if not declined and not waiting:
        return passed(
            code,
            plural_text(
                ngettext_noop(
                    "%(count)s partner team confirmed its participation.",
                    "All %(count)s partner teams confirmed their participation.",
                ),
                "count",
                count=len(answers),
            ),
        )
    if call.partners_must_confirm:
        return failed(
            code,
            text(
                gettext_noop(
                    "Partner teams waiting for an answer: %(waiting)s; having declined: %(declined)s. This call "
                    "needs every team's confirmation before you submit: send a link again, or replace a team "
                    "that declined."
                ),
                waiting=waiting,
                declined=declined,
            ),
        )
    return warned(
        code,
        text(
            gettext_noop(
                "Partner teams waiting for an answer: %(waiting)s; having declined: %(declined)s. This call does "
                "not wait for their answers."
            ),
            waiting=waiting,
            declined=declined,
        ),
    )
