"""The conflict-of-interest rule, once, as a pure predicate over plain values (no Django import).

Source (domain): "a reviewer never reviews an application of their own unit, of their own
institution's partner team, one they are a partner of, or one they declared a conflict with."
Being the applicant is a conflict too. Issue 17: "Co-applicants' units count in the conflicts of
interest": a co-applicant who accepted is treated as the applicant is (their unit is the
application's too; being one is a personal conflict).

``conflict_kinds`` is the rule. It has two mirrors, which exist only for speed and must give the
same answer (tests/reviews/test_conflict_rule.py builds every case in the database and compares
the three):

- ``reviews.models.conflict_filter``: the same rule as a Q over Application, for the querysets (a
  conflicted reviewer never sees the application; the services refuse to assign or score);
- ``reviews.routing_reads.read_conflicts`` (``routing_adapter.conflict_pairs``): the same rule in
  bulk, for routing thousands of application x reviewer pairs: each value reduced to a code by
  ``normalise`` itself, the pairs sharing a code joined in numpy.

Any change to the rule changes all three and the test's cases.
"""

import re
from dataclasses import dataclass, field

#: The kinds of conflict the rule computes; the values are those of ConflictOfInterest.Kind.
PERSONAL = "personal"  # computed when the reviewer is the applicant; may also be declared
COLLABORATOR = "collaborator"
SAME_UNIT = "same_unit"
PARTNER_INSTITUTION = "partner_institution"

#: The characters ``normalise`` removes; the SQL mirror removes the same (``regexp_replace``).
#: The characters normalise() removes (its SQL mirror removes the same ones, one REPLACE each).
BLANK_CHARACTERS = (" ", "\t", "\r", "\n")
_BLANKS = re.compile("[" + "".join(BLANK_CHARACTERS) + "]")


def normalise(value):
    """How e-mails, unit codes and institutions compare: without case, spaces, tabs or line breaks
    ("Univ. of  Tokyo" is "univ.oftokyo", " u1234" is "u1234"). ``str.lower`` rather than
    ``casefold``, which PostgreSQL's ``lower`` (the SQL mirror) does not follow ("ß" stays "ß")."""
    return _BLANKS.sub("", value or "").lower()


@dataclass(frozen=True)
class ReviewerFacts:
    """What the rule needs to know of a reviewer. ``declared``: application id -> kind of each
    conflict declared by the reviewer or recorded by staff (ConflictOfInterest rows)."""

    user_id: int
    email: str = ""
    unit_code: str = ""
    institution: str = ""
    declared: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ApplicationFacts:
    """What the rule needs to know of an application: its applicant, the applicant's Inserm unit
    (their researcher profile's), its partner teams' leaders' e-mails and institutions."""

    application_id: int
    applicant_id: int
    applicant_unit: str = ""
    partner_emails: tuple = ()
    partner_institutions: tuple = ()
    # The co-applicants who accepted: their accounts and their units.
    co_applicant_ids: tuple = ()
    co_applicant_units: tuple = ()


def conflict_kinds(reviewer, application):
    """The kinds of conflict between `reviewer` and `application`, computed then declared, without
    repeats; an empty list when the reviewer may review it. An empty e-mail, unit or institution
    never matches anything (two blank units are not "the same unit")."""
    kinds = []
    if reviewer.user_id == application.applicant_id or reviewer.user_id in application.co_applicant_ids:
        kinds.append(PERSONAL)
    email = normalise(reviewer.email)
    if email and any(normalise(e) == email for e in application.partner_emails):
        kinds.append(COLLABORATOR)
    unit = normalise(reviewer.unit_code)
    units = (application.applicant_unit, *application.co_applicant_units)
    if unit and any(unit == normalise(other) for other in units):
        kinds.append(SAME_UNIT)
    institution = normalise(reviewer.institution)
    if institution and any(normalise(i) == institution for i in application.partner_institutions):
        kinds.append(PARTNER_INSTITUTION)
    declared = reviewer.declared.get(application.application_id)
    if declared and declared not in kinds:
        kinds.append(declared)
    return kinds
