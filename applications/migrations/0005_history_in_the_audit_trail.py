"""An application's history lives in the audit trail (one trail for the portal): the former
ApplicationEvent rows the trail does not hold yet are copied into it, then the table goes.
("submitted" and "withdrawn" were already recorded in both.)"""

from django.db import migrations

ACTIONS = {"created": "application.created", "submitted": "application.submitted", "withdrawn": "application.withdrawn"}


def copy_into_the_audit_trail(apps, schema_editor):
    ApplicationEvent = apps.get_model("applications", "ApplicationEvent")
    AuditEvent = apps.get_model("accounts", "AuditEvent")
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_type, _created = ContentType.objects.get_or_create(app_label="applications", model="application")
    recorded = set(
        AuditEvent.objects.filter(content_type=content_type, action__in=ACTIONS.values()).values_list(
            "object_id", "action"
        )
    )
    events = []
    for event in ApplicationEvent.objects.select_related("application", "actor").order_by("pk").iterator():
        if event.action.startswith("status:"):
            action, changes = "application.status", {"status": {"to": event.action.split(":", 1)[1]}}
        else:
            action, changes = ACTIONS.get(event.action), {}
        if action is None or (str(event.application_id), action) in recorded:
            continue
        application = event.application
        events.append(
            AuditEvent(
                at=event.at,
                actor=event.actor,
                actor_repr=event.actor.email if event.actor else "",
                action=action,
                content_type=content_type,
                object_id=str(application.pk),
                object_repr=(application.reference or application.title or str(application.pk))[:300],
                changes=changes,
            )
        )
    AuditEvent.objects.bulk_create(events, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0004_vocabulary_terms"),
        ("accounts", "0004_audit_actions_per_app"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(copy_into_the_audit_trail, migrations.RunPython.noop),
        migrations.DeleteModel(name="ApplicationEvent"),
    ]
