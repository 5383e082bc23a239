"""A researcher's profile pre-filled from the identity provider's claims, when single sign-on
creates their account (accounts.oidc sends `sso_account_created`; connected in
ApplicationsConfig.ready)."""

from django.conf import settings
from django.core.exceptions import ValidationError

from .models import Grade, ResearcherProfile
from .validators import normalize_unit_code, validate_unit_code


def profile_from_claims(sender, user, claims, **kwargs):
    """The unit (OIDC_UNIT_CLAIM, e.g. `inserm_unit`: "U1234"), and the team and grade when the
    provider gives them. No profile without a valid unit code: the researcher then fills it in,
    as after a sign-up. What the claims leave out (team, grade) is asked on the profile page."""
    unit = normalize_unit_code(str(claims.get(settings.OIDC_UNIT_CLAIM) or ""))
    try:
        validate_unit_code(unit)
    except ValidationError:
        return
    grade = str(claims.get(settings.OIDC_GRADE_CLAIM) or "").upper()
    ResearcherProfile.objects.get_or_create(
        user=user,
        defaults={
            "unit_code": unit,
            "team": str(claims.get(settings.OIDC_TEAM_CLAIM) or "")[:200],
            "grade": grade if grade in Grade.values else "",
        },
    )
