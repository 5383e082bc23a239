"""Demo accounts loaded by `make run`. Idempotent: running it twice changes nothing."""

from .models import User

DEMO_PASSWORD = "demo-inserm-2026"
DEMO_ACCOUNTS = [
    # (e-mail, first name, last name, staff, researcher, reviewer, language)
    ("staff@demo.inserm.fr", "Sophie", "Martin", True, False, False, "fr"),
    ("researcher@demo.inserm.fr", "Camille", "Durand", False, True, False, "fr"),
    ("reviewer@demo.inserm.fr", "John", "Smith", False, False, True, "en"),
]


def load():
    """Create the demo accounts if missing; never reset a password a developer changed."""
    users = {}
    for email, first, last, staff, researcher, reviewer, language in DEMO_ACCOUNTS:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User(email=email)
            user.set_password(DEMO_PASSWORD)
        user.first_name, user.last_name, user.language = first, last, language
        user.is_staff = user.is_superuser = staff
        user.is_researcher, user.is_reviewer = researcher, reviewer
        user.save()
        users[email] = user
    return users


def logins():
    return [(email, DEMO_PASSWORD) for email, *_ in DEMO_ACCOUNTS]
