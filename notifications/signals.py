"""Signals through which upper apps learn of outbox events without notifications importing them."""

from django.dispatch import Signal

# Sent inside the transaction that releases held notifications (staff released decision letters),
# with notification_ids=[...]: a receiver's writes commit or roll back with the release.
notifications_released = Signal()
