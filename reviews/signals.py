"""What reviews tells the apps above it (which it may not import): the decisions just published,
inside the transaction that publishes them, so that what a receiver writes commits or rolls back
with the publication."""

from django.dispatch import Signal

#: Sent with ``decision_ids`` (the decisions published by this call, funded or not) and ``by_user``.
decisions_published = Signal()
