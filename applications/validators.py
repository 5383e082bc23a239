"""Validators of what researchers type: their identifiers (Inserm unit code, ORCID) and the caps
on free text, used by the models' fields, so that the forms and the services judge alike."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator
from django.utils.translation import gettext_lazy as _

ABSTRACT_MAX_WORDS = 300
# A 300-word abstract is some 2,000 characters; this cap is for what no abstract is (a 10 MB
# "word" was stored and shown), not for long words.
ABSTRACT_MAX_CHARS = 5000
# The fields of expertise an application may choose (ids of the shared vocabulary).
MAX_VOCABULARY_TERMS = 50

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


def text_validators(max_length=None):
    """What every free-text field of an application refuses: the NUL character (PostgreSQL
    stores none), and, for a TextField, more than `max_length` characters (a CharField has its
    own cap)."""
    validators = [ProhibitNullCharactersValidator()]
    if max_length is not None:
        validators.append(MaxLengthValidator(max_length))
    return validators


def word_count(text):
    return len((text or "").split())


def validate_abstract_words(value):
    words = word_count(value)
    if words > ABSTRACT_MAX_WORDS:
        raise ValidationError(
            _("The abstract has %(words)s words: at most %(max)s are allowed."),
            code="too_many_words",
            params={"words": words, "max": ABSTRACT_MAX_WORDS},
        )


def validate_vocabulary_terms(value):
    """A list of at most MAX_VOCABULARY_TERMS ids (positive whole numbers) of the shared vocabulary."""
    if (
        not isinstance(value, list)
        or len(value) > MAX_VOCABULARY_TERMS
        or not all(isinstance(term, int) and not isinstance(term, bool) and term > 0 for term in value)
    ):
        raise ValidationError(
            _("Choose at most %(max)s fields of expertise from the list."),
            code="invalid_vocabulary_terms",
            params={"max": MAX_VOCABULARY_TERMS},
        )
