"""Overseas France is France: its departments, regions and territories leave the PRI zones."""

from django.db import migrations

# calls.rules.FRENCH_TERRITORIES when this migration was written (migrations keep their own copy).
FRENCH_TERRITORIES = ["FR", "GP", "MQ", "GF", "RE", "YT", "PM", "BL", "MF", "WF", "PF", "NC", "TF"]


def remove_french_territories(apps, schema_editor):
    ZoneCountry = apps.get_model("calls", "ZoneCountry")
    ZoneCountry.objects.filter(country__in=FRENCH_TERRITORIES).delete()


class Migration(migrations.Migration):
    dependencies = [("calls", "0002_zones_rotation_themes_criteria_pic")]

    operations = [migrations.RunPython(remove_french_territories, migrations.RunPython.noop)]
