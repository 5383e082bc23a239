"""A call's committee settings (issue 18): its budget envelope and whether the decision letters carry
the reviewers' feedback, set by staff in admin and recorded in the audit trail."""

from decimal import Decimal

import pytest
from django.contrib import admin
from django.db import IntegrityError, transaction
from django.forms.models import model_to_dict
from django.test import RequestFactory
from django.utils import timezone, translation

from accounts.models import AuditEvent
from calls.actions import CallAction
from calls.models import Call
from tests.factories import CallFactory, StaffFactory
from tests.security.test_audit_trail import save_call_in_admin

pytestmark = pytest.mark.django_db


def admin_form(call, staff, **changes):
    model_admin = admin.site._registry[Call]
    request = RequestFactory().post("/admin/calls/call/")
    request.user = staff
    data = {k: v for k, v in model_to_dict(call).items() if v is not None}
    data["zones"] = [z.pk for z in data.get("zones", [])]
    data["priority_themes"] = [t.pk for t in data.get("priority_themes", [])]
    for name in ("opens_at", "closes_at"):
        data[f"{name}_0"], data[f"{name}_1"] = timezone.localtime(data[name]).strftime("%Y-%m-%d %H:%M:%S").split()
    data.update(changes)
    return model_admin.get_form(request, call, change=True)(data, instance=call)


def test_a_call_has_no_envelope_and_no_feedback_until_staff_set_them():
    call = CallFactory()
    assert call.budget_envelope is None
    assert call.feedback_to_applicants is False


def test_staff_set_the_envelope_and_the_feedback_in_admin_and_the_trail_says_who_and_what():
    staff = StaffFactory()
    call = CallFactory()
    saved = save_call_in_admin(call, staff, budget_envelope="250000.50", feedback_to_applicants=True)
    saved.refresh_from_db()
    assert saved.budget_envelope == Decimal("250000.50")
    assert saved.feedback_to_applicants is True
    event = AuditEvent.objects.get(action=CallAction.CHANGED)
    assert event.actor == staff
    assert event.changes["budget_envelope"]["to"] == "250000.50"
    assert event.changes["feedback_to_applicants"] == {"from": False, "to": True}


@translation.override("en")
def test_a_negative_envelope_is_refused_on_the_form_with_the_reason():
    form = admin_form(CallFactory(), StaffFactory(), budget_envelope="-1")
    assert not form.is_valid()
    assert "greater than or equal to 0" in str(form.errors["budget_envelope"])


def test_the_database_refuses_a_negative_envelope_whoever_writes_it():
    call = CallFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Call.objects.filter(pk=call.pk).update(budget_envelope=Decimal("-0.01"))
