"""Who may see and change an application: small named predicates, declared once.

Seeing: the applicant and staff; other apps (the reviews app: a reviewer assigned to the
application) add their own rule with ``register_visibility_rule`` instead of editing this module,
so imports keep running one way (reviews → applications). Anyone else gets 404, never 403: the
existence of an application must not leak.
"""

import rules
from django.db.models import Q

from accounts.permissions import add_staff_perm

# Staff see every application (drafts and their files included) when their account holds the
# permission admin asks for the same list.
add_staff_perm("applications.see_every_application", "applications.view_application")
# Staff hand an application to another lead (transfer.py) with the permission to change it.
add_staff_perm("applications.transfer_application", "applications.change_application")

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
    condition = Q(applicant=user)
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
def is_draft(user, application):
    return application is not None and application.is_draft


#: Only the applicant changes an application, and only while it is a draft.
can_edit = is_owner & is_draft

# The object permissions the views ask with ``rules.has_perm(name, user, application)`` (not
# user.has_perm, which answers yes to a superuser for anything: a superuser's draft is theirs
# alone too), each composed once from the predicates above. Named apart from Django's model
# permissions ("applications.change_application"), which admin uses.
rules.add_perm("applications.edit_draft", can_edit)
rules.add_perm("applications.act_as_applicant", is_owner)
