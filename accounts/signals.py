"""Events of the accounts app that other apps act upon (accounts imports no other app of ours).

All three are sent by the accounts' Celery tasks (accounts.services), inside the task's transaction,
never by a page: whether an address has an account must not show in what a page does."""

from django.dispatch import Signal

# Sent with `user` (inactive: just created, or still awaiting verification) and `url_path`: the
# verification link's path without the language prefix. The applications app queues the e-mail in
# the outbox.
verification_requested = Signal()

# Sent when someone asks for a password reset link for an active account, with `user` and
# `url_path` (the reset link's path without the language prefix). The applications app queues the
# e-mail in the outbox, so the link leaves through Celery like every other message.
password_reset_requested = Signal()

# Sent when someone signs up with the address of an active account, with `user` (unchanged) and
# `url_path` (the login page's path without the language prefix): the owner is told, and how to
# log in or choose a new password. The applications app queues the e-mail in the outbox.
signup_for_existing_account = Signal()

# Sent (unlike the three above, by a page: the SSO callback, accounts.oidc) when single sign-on
# creates an account, with `user` (a researcher) and `claims` (the provider's, e.g. `inserm_unit`,
# `given_name`): the applications app pre-fills the researcher profile from them.
sso_account_created = Signal()
