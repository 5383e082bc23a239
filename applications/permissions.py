"""Who may see and change an application: small named predicates, declared once.

Seeing: the applicant and staff; other apps (the reviews app: a reviewer assigned to the
application) add their own rule with ``register_visibility_rule`` instead of editing this module,
so imports keep running one way (reviews → applications). Anyone else gets 404, never 403: the
existence of an application must not leak.
"""

import rules
from django.apps import apps
from django.db.models import Exists, OuterRef, Q

from accounts.permissions import add_staff_perm

# Staff see every application (drafts and their files included) when their account holds the
# permission admin asks for the same list.
add_staff_perm("applications.see_every_application", "applications.view_application")
# Staff hand an application to another lead (transfer.py) with the permission to change it.
add_staff_perm("applications.transfer_application", "applications.change_application")
# Staff ask the lead for more information (information.py) with the permission to change it.
add_staff_perm("applications.request_information", "applications.change_application")

_extra_visibility_rules = []


def register_visibility_rule(rule):
    """Add `rule(user) -> Q | None` to who may see an application.

    The Q filters Application rows; use an Exists() subquery rather than a join, so that the
    queryset never returns an application twice. Call it from an AppConfig.ready().
    """
    if rule not in _extra_visibility_rules:
        _extra_visibility_rules.append(rule)
    return rule


def visible_filter(user):
    """A Q over Application: the rows `user` may see (no row for an anonymous visitor)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if user.is_staff and user.has_perm("applications.see_every_application"):
        return Q()
    # Looked up, not imported: models.py asks this module for visible_to().
    CoApplicant = apps.get_model("applications", "CoApplicant")
    # The lead, and the co-applicants who accepted their invitation (removed: the row is gone).
    condition = Q(applicant=user) | Q(
        Exists(CoApplicant.objects.filter(application=OuterRef("pk"), user=user, accepted_at__isnull=False))
    )
    for rule in _extra_visibility_rules:
        extra = rule(user)
        if extra is not None:
            condition |= extra
    return condition


@rules.predicate
def is_owner(user, application):
    """The applicant of `application` (an object rule: False without one)."""
    return bool(user and user.is_authenticated and application is not None and application.applicant_id == user.pk)


@rules.predicate
def is_co_applicant(user, application):
    """A co-applicant of `application` who accepted their invitation (asked of the database: a
    co-applicant removed loses access at once)."""
    if not (user and user.is_authenticated and application is not None and application.pk):
        return False
    return application.co_applicants.filter(user=user, accepted_at__isnull=False).exists()


@rules.predicate
def is_draft(user, application):
    return application is not None and application.is_draft


@rules.predicate
def is_open_for_changes(user, application):
    """A draft, or an application staff asked for more information (some of its steps open)."""
    return application is not None and (application.is_draft or application.is_more_info)


def editable_steps(application):
    """The steps whose content may change now: every step of a draft; the sections the open
    request for more information names; none otherwise."""
    if application is None:
        return ()
    if application.is_draft:
        return None  # every step
    if application.is_more_info:
        request = application.information_requests.filter(answered_at__isnull=True).first()
        return tuple(request.sections) if request else ()
    return ()


def may_edit_step(user, application, step):
    """`user` may change `step` of `application` now (can_edit, and the step is open)."""
    if not can_edit(user, application):
        return False
    steps = editable_steps(application)
    return steps is None or step in steps


#: The lead and the co-applicants change an application while it is open for changes (a draft,
#: or the sections of a request for more information); submitting and withdrawing stay the lead's.
can_edit = (is_owner | is_co_applicant) & is_open_for_changes

# The object permissions the views ask with ``rules.has_perm(name, user, application)`` (not
# user.has_perm, which answers yes to a superuser for anything: a superuser's draft is theirs
# alone too), each composed once from the predicates above. Named apart from Django's model
# permissions ("applications.change_application"), which admin uses.
rules.add_perm("applications.edit_draft", can_edit)
rules.add_perm("applications.act_as_applicant", is_owner)
rules.add_perm("applications.work_on", is_owner | is_co_applicant)
