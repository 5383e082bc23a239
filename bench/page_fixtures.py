"""What the page timings need beyond bench/dataset.py: a call at the bidding stage with 500
applications (issue 21: "bidding page with 500 applications"), its bench reviewer invited.

Built once on the full dataset and found again by its title: 500 of the year's applications
under review are copied (without their children) into a closed call of the same instrument, which
is where reviewers bid before routing.
"""

from __future__ import annotations

from datetime import timedelta

BIDDING_TITLE = "Bench: call at the bidding stage"
BIDDING_APPLICATIONS = 500


def bidding_call():
    """The closed call whose 500 applications the bench reviewer bids on (created once)."""
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from applications.models import Application
    from bench import dataset as data
    from calls.models import Call
    from reviews.models import ReviewerInvitation

    call = Call.objects.filter(title_en=BIDDING_TITLE).first()
    if call is not None:
        return call
    source = Call.objects.filter(status=Call.Status.IN_REVIEW).order_by("closes_at", "pk").first()
    reviewer = get_user_model().objects.get(email=data.REVIEWER_EMAIL)
    with transaction.atomic():
        call = Call.objects.get(pk=source.pk)
        call.pk = None
        call.title_en = BIDDING_TITLE
        call.title_fr = "Banc d'essai : appel au stade des préférences"
        call.status = Call.Status.CLOSED
        call.closes_at = source.closes_at + timedelta(days=1)
        call.save()
        copies = []
        rows = Application.objects.filter(status=Application.Status.IN_REVIEW).order_by("pk")[:BIDDING_APPLICATIONS]
        for number, application in enumerate(rows, start=1):
            application.pk = None
            application.call = call
            application.reference = f"BID-{number:04d}"
            copies.append(application)
        Application.objects.bulk_create(copies)
        ReviewerInvitation.objects.create(call=call, reviewer=reviewer, status=ReviewerInvitation.Status.ACCEPTED)
    return call
