"""The one answer to "this page is not for you": a page of a role asks for its predicate
(accounts.permissions); an anonymous visitor is sent to log in, a logged-in user without the role
gets 404, as for a record that is not theirs (nothing tells them the page exists)."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404

from .permissions import is_researcher, is_reviewer, is_staff


class RoleRequiredMixin(LoginRequiredMixin):
    role = None  # a predicate over the user

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not self.role.test(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class ResearcherRequiredMixin(RoleRequiredMixin):
    role = is_researcher


class ReviewerRequiredMixin(RoleRequiredMixin):
    role = is_reviewer


class StaffRoleRequiredMixin(RoleRequiredMixin):
    role = is_staff
