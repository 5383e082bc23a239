"""The pages offer to withdraw exactly when withdraw_application would accept, and say why not with
the service's own words (services.withdrawal_problems): the deadline is not checked again in a view."""

import pytest
import time_machine

from applications import services

from .factories import complete_application
from .helpers import page_url

pytestmark = pytest.mark.django_db


def test_once_the_call_closes_the_page_no_longer_offers_to_withdraw_and_says_why(client, english):
    application = complete_application()
    services.submit_application(application, application.applicant)
    client.force_login(application.applicant)
    withdraw_link = f'href="/en/applications/{application.pk}/withdraw/"'
    assert withdraw_link in client.get(page_url("detail", application.pk)).content.decode()
    with time_machine.travel(application.call.closes_at, tick=False):
        client.force_login(application.applicant)  # a new session: the first one has expired by then
        assert services.withdrawal_problems(application, application.applicant) == [
            "The call has closed: the application can no longer be withdrawn."
        ]
        detail = client.get(page_url("detail", application.pk))
        assert detail.status_code == 200 and withdraw_link not in detail.content.decode()
        response = client.get(page_url("withdraw", application.pk), follow=True)
        assert "The call has closed: the application can no longer be withdrawn." in response.content.decode()
        with pytest.raises(services.ApplicationError, match="The call has closed"):
            services.withdraw_application(application, application.applicant)


def test_the_page_and_the_service_give_the_same_reason_for_an_application_in_review(client, english):
    application = complete_application()
    services.submit_application(application, application.applicant)
    services.change_status(application, "in_review")
    reasons = services.withdrawal_problems(application, application.applicant)
    assert reasons == ["An application that is In review cannot be withdrawn."]
    with pytest.raises(services.ApplicationError) as refusal:
        services.withdraw_application(application, application.applicant)
    assert refusal.value.reasons == reasons
    client.force_login(application.applicant)
    response = client.get(page_url("withdraw", application.pk), follow=True)
    assert reasons[0] in response.content.decode()


def test_nobody_but_the_applicant_may_withdraw(researcher, english):
    application = complete_application()
    assert services.withdrawal_problems(application, researcher) == [
        "Only the applicant may withdraw this application."
    ]
    with pytest.raises(services.ApplicationError):
        services.withdraw_application(application, researcher)
