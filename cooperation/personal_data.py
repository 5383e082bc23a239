"""The register's part of the personal-data download and of an erasure (accounts.personal_data).

A cooperation belongs to a unit, not to a person: the only personal datum is who declared it.
Exported: the cooperations the user declared. Erasure keeps them (the unit's record) and forgets
who declared them.
"""

from .models import Cooperation

MODELS = ["cooperation.Cooperation"]


def export(user):
    return {
        "declared_cooperations": [
            {
                "year": row.year,
                "unit_code": row.unit_code,
                "partner_institution": row.partner_institution,
                "city": row.city,
                "country": str(row.country),
                "kind": row.kind,
                "themes": row.themes,
                "start_year": row.start_year,
                "end_year": row.end_year,
                "created_at": row.created_at,
            }
            for row in Cooperation.objects.filter(declared_by=user).order_by("year", "pk")
        ]
    }


def erase(user, by_user):
    count = Cooperation.objects.filter(declared_by=user).update(declared_by=None)
    return f"cooperation: {count} declared cooperations kept for their unit, no longer naming who declared them"
