"""Pages of the projects' money (see views/__init__.py): the money section of the project page
(awarded, paid, remaining, instalments, payments) and staff's payment form."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from accounts.permissions import is_staff

from ..forms.money import PaymentForm
from ..models import Project
from ..services.base import ProjectError
from ..services.money import euros, money_summary, record_payment
from .base import StaffProjectsMixin
from .pages import section

#: Statuses in which no payment can be recorded (services.money says why).
NO_PAYMENTS = (Project.Status.TERMINATED, Project.Status.SUSPENDED)


def may_record_payments(user):
    return is_staff(user) and user.has_perm("projects.record_payments")


def payment_form(summary, data=None):
    return PaymentForm(data, instalments=summary.instalments, initial={"paid_on": timezone.localdate()})


@section
def money_section(project, user):
    """Two queries (instalments, payments) whatever their number."""
    summary = money_summary(project)
    can_record = may_record_payments(user) and project.status not in NO_PAYMENTS
    return {
        "money_summary": summary,
        "can_record_payments": can_record,
        "payment_form": payment_form(summary) if can_record else None,
        "sees_payment_details": is_staff(user),
    }


class RecordPaymentView(StaffProjectsMixin, TemplateView):
    """Staff with projects.record_payments record a payment: success → the project page with a
    message; refusal → this page again, the form as typed and the reason beside it. A researcher
    (even the lead) gets 404, staff without the permission 403."""

    template_name = "projects/money/payment.html"
    permission_required = "projects.record_payments"

    def dispatch(self, request, *args, **kwargs):
        self.project_pk = kwargs["pk"]
        return super().dispatch(request, *args, **kwargs)

    def get_project(self):
        return get_object_or_404(Project.objects.select_related("instrument", "call", "lead"), pk=self.project_pk)

    def get_context_data(self, form=None, **kwargs):
        summary = money_summary(self.project)
        return super().get_context_data(
            project=self.project,
            money_summary=summary,
            payment_form=form or payment_form(summary),
            sees_payment_details=True,
            **kwargs,
        )

    def get(self, request, *args, **kwargs):
        self.project = self.get_project()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.project = self.get_project()
        form = payment_form(money_summary(self.project), request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                payment = record_payment(
                    self.project,
                    data["amount"],
                    data["paid_on"],
                    request.user,
                    instalment=data["instalment"],
                    note=data["note"],
                )
            except ProjectError as error:
                for reason in error.reasons:
                    form.add_error(None, reason)
            else:
                messages.success(
                    request,
                    _("The payment of %(amount)s € is recorded.") % {"amount": euros(payment.amount)},
                )
                return redirect(self.project.get_absolute_url() + "#money")
        return self.render_to_response(self.get_context_data(form=form))
