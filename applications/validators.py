"""Validators of the researcher's identifiers: Inserm unit code and ORCID."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

UNIT_CODE_RE = re.compile(r"^U\d{1,5}$")
ORCID_RE = re.compile(r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$")
ORCID_URL_PREFIXES = ("https://orcid.org/", "http://orcid.org/", "orcid.org/")


def normalize_unit_code(value):
    """'u 1234' and 'U1234' are the same unit."""
    return re.sub(r"\s+", "", value or "").upper()


def validate_unit_code(value):
    if not UNIT_CODE_RE.match(value or ""):
        raise ValidationError(
            _("Enter an Inserm unit code: the letter U followed by digits, e.g. U1234."), code="invalid_unit_code"
        )


def normalize_orcid(value):
    """Accept the bare identifier or its https://orcid.org/ address; store the bare identifier."""
    value = (value or "").strip()
    for prefix in ORCID_URL_PREFIXES:
        if value.lower().startswith(prefix):
            value = value[len(prefix) :]
            break
    return value.upper()


def orcid_check_digit(base_digits):
    """ISO 7064 MOD 11-2 check character of the first 15 digits of an ORCID iD."""
    total = 0
    for digit in base_digits:
        total = (total + int(digit)) * 2
    result = (12 - total % 11) % 11
    return "X" if result == 10 else str(result)


def validate_orcid(value):
    if not ORCID_RE.match(value or ""):
        raise ValidationError(
            _("Enter an ORCID iD in the form 0000-0002-1825-0097."),
            code="invalid_orcid",
        )
    digits = value.replace("-", "")
    if orcid_check_digit(digits[:15]) != digits[15]:
        raise ValidationError(
            _("This ORCID iD is not valid: its last character does not match (check for a typing error)."),
            code="invalid_orcid_checksum",
        )
