"""Celery tasks: a few lines each around the domain functions of services.py."""

from celery import shared_task

from . import services


@shared_task(name="notifications.deliver", bind=True, acks_late=True, max_retries=None)
def deliver_notification(self, notification_id):
    outcome = services.deliver(notification_id)
    if outcome.result == services.DeliveryOutcome.RETRY:
        # The attempt count lives on the row (services.max_attempts()); Celery only waits.
        raise self.retry(countdown=outcome.retry_in)
    return outcome.result


@shared_task(name="notifications.deliver_batch", acks_late=True)
def deliver_notifications(notification_ids):
    outcomes = services.deliver_batch(notification_ids)
    for notification_id, outcome in outcomes.items():
        if outcome.result == services.DeliveryOutcome.RETRY:
            deliver_notification.apply_async((notification_id,), countdown=outcome.retry_in)
    return {str(key): outcome.result for key, outcome in outcomes.items()}


@shared_task(name="notifications.sweep")
def sweep():
    result = services.sweep()
    return {"reset": result.reset, "queued": result.queued}
