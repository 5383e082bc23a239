"""Demo researcher profile, loaded by `make run` after the accounts and calls. Idempotent."""

from datetime import date

from accounts.models import User

from .models import Grade, ResearcherProfile


def load():
    researcher = User.objects.get(email="researcher@demo.inserm.fr")
    # Recruited as CRCN in 2023: eligible for the Tremplins until 2028.
    ResearcherProfile.objects.get_or_create(
        user=researcher,
        defaults={
            "unit_code": "U1234",
            "team": "Vieillissement et immunité",
            "grade": Grade.CRCN,
            "recruited_on": date(2023, 9, 1),
        },
    )
