"""Celery tasks: a few lines each around the domain functions of services.py."""

from celery import shared_task

from . import services


@shared_task(name="accounts.complete_signup")
def complete_signup(email, first_name, last_name, language, password_hash):
    outcome = services.complete_signup(
        email=email, first_name=first_name, last_name=last_name, language=language, password_hash=password_hash
    )
    return str(outcome)


@shared_task(name="accounts.send_password_reset")
def send_password_reset(email):
    return services.send_password_reset(email)


@shared_task(name="accounts.resend_verification")
def resend_verification(email):
    return services.resend_verification(email)
