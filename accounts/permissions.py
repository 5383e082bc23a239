"""The predicates every app composes its permissions from (django-rules), declared once here.

A portal permission is a named rule (``rules.add_perm``) made of these: the role, then the Django
model permissions that admin asks for the same records, so that a staff member whose account holds
no permission is refused in the portal's staff pages as in admin.
"""

import rules
from django.utils.text import capfirst
from django.utils.translation import gettext as _


def _active(user):
    return bool(user and user.is_authenticated and user.is_active)


# The three roles, as predicates every app composes its own rules from (``is_researcher &
# is_applicant``...). A logged-in user without the role a page asks for gets 404 ("not yours"),
# the same answer as for a record that is not theirs (accounts.access.RoleRequiredMixin).
@rules.predicate
def is_researcher(user):
    return _active(user) and user.is_researcher


@rules.predicate
def is_reviewer(user):
    return _active(user) and user.is_reviewer


@rules.predicate
def is_staff(user):
    return _active(user) and user.is_staff


def holds(*model_permissions):
    """A predicate: the user holds every one of these Django model permissions (ModelBackend: the
    user's own, their groups', or all of them for an active superuser)."""

    def check(user):
        return user.has_perms(model_permissions)

    return rules.predicate(check, name="holds " + ", ".join(model_permissions))


_RULE_MODEL_PERMISSIONS = {}


def add_staff_perm(name, *model_permissions):
    """Declare the portal permission `name`: active staff holding every model permission."""
    _RULE_MODEL_PERMISSIONS[name] = model_permissions
    rules.add_perm(name, is_staff & holds(*model_permissions))


def missing_permissions(user, name):
    """What `user` lacks for the portal permission `name`, in words (model and action), for the
    403 page: staff read which permission to ask their administrator for."""
    from django.apps import apps

    actions = {"view": _("see"), "add": _("add"), "change": _("change"), "delete": _("delete")}
    missing = []
    for perm in _RULE_MODEL_PERMISSIONS.get(name, ()):
        if user.has_perm(perm):
            continue
        app_label, codename = perm.split(".", 1)
        action, _sep, model_name = codename.partition("_")
        model = apps.get_model(app_label, model_name)
        missing.append(
            _("%(models)s: %(action)s")
            % {"models": capfirst(model._meta.verbose_name_plural), "action": actions.get(action, action)}
        )
    return missing
