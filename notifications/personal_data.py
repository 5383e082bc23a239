"""The outbox's section of the personal-data download and of an erasure (accounts.personal_data).

Notifications imports no other app of ours, so the wiring (inserm_portal/apps.py) registers these
two functions. Exported: the user's call alerts and the e-mails the outbox holds for them, except
a letter still held for staff to read (a decision letter is not the researcher's before staff
release it: its subject already names the outcome). Erased: all of them, held ones included; the
outbox keeps nothing that outlives the account.
"""

from .models import Notification, Subscription

MODELS = ["notifications.Subscription", "notifications.Notification"]


def export(user):
    emails = (
        Notification.objects.filter(recipient=user)
        .exclude(status=Notification.Status.HELD)
        .order_by("created_at", "pk")
    )
    return {
        "call_alerts": sorted(Subscription.objects.filter(user=user).values_list("topic", flat=True)),
        "emails": [
            {
                "kind": n.kind,
                "language": n.language,
                "subject": n.subject,
                "status": n.status,
                "created_at": n.created_at,
                "sent_at": n.sent_at,
            }
            for n in emails
        ],
    }


def erase(user, by_user):
    alerts = Subscription.objects.filter(user=user).delete()[0]
    mails = Notification.objects.filter(recipient=user).delete()[0]
    return f"{alerts} call alert(s) and {mails} e-mail(s) deleted."
