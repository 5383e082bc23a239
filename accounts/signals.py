"""Events of the accounts app that other apps act upon (accounts imports no other app of ours)."""

from django.dispatch import Signal

# Sent inside the sign-up transaction with `user` (inactive) and `url_path`: the verification
# link's path without the language prefix. The applications app queues the e-mail in the outbox.
verification_requested = Signal()

# Sent when someone asks for a password reset link for an active account, with `user` and
# `url_path` (the reset link's path without the language prefix). The applications app queues the
# e-mail in the outbox, so the link leaves through Celery like every other message.
password_reset_requested = Signal()
