"""A call's status history lives in the audit trail (one trail for the portal): the rows of the
former CallStatusChange that the trail does not hold yet are copied into it, then the table goes."""

from django.db import migrations


def copy_into_the_audit_trail(apps, schema_editor):
    CallStatusChange = apps.get_model("calls", "CallStatusChange")
    AuditEvent = apps.get_model("accounts", "AuditEvent")
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_type, _created = ContentType.objects.get_or_create(app_label="calls", model="call")
    recorded = set(
        AuditEvent.objects.filter(action="call.status", content_type=content_type).values_list("object_id", "at")
    )
    events = []
    for change in CallStatusChange.objects.select_related("call", "changed_by").order_by("pk"):
        if any(
            object_id == str(change.call_id) and abs((at - change.changed_at).total_seconds()) < 2
            for object_id, at in recorded
        ):
            continue
        events.append(
            AuditEvent(
                at=change.changed_at,
                actor=change.changed_by,
                actor_repr=change.changed_by.email if change.changed_by else "",
                action="call.status",
                content_type=content_type,
                object_id=str(change.call_id),
                object_repr=change.call.title_fr[:300],
                changes={"status": {"from": change.from_status, "to": change.to_status}},
            )
        )
    AuditEvent.objects.bulk_create(events)


class Migration(migrations.Migration):
    dependencies = [
        ("calls", "0003_overseas_france_in_no_zone"),
        ("accounts", "0004_audit_actions_per_app"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(copy_into_the_audit_trail, migrations.RunPython.noop),
        migrations.DeleteModel(name="CallStatusChange"),
    ]
