"""A call's status agrees in French with "appel" (masculine), an application's with "candidature"."""

from django.utils import translation

from applications.models import Application
from calls.models import Call


def test_a_decided_call_is_decide_and_a_decided_application_decidee():
    with translation.override("fr"):
        assert str(Call.Status.DECIDED.label) == "Décidé"
        assert str(Call.Status.CLOSED.label) == "Clos"
        assert str(Application.Status.DECIDED.label) == "Décidée"
