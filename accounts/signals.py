"""Events of the accounts app that other apps act upon (accounts imports no other app of ours)."""

from django.dispatch import Signal

# Sent inside the sign-up transaction with `user` (inactive) and `url_path`: the verification
# link's path without the language prefix. The applications app queues the e-mail in the outbox.
verification_requested = Signal()
