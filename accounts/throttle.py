"""Limits on the pages that send e-mail to an address anyone may type (sign-up, password reset).

Two counts, kept in Django's cache (CACHES: Redis in production, so that every web and worker
process shares them):

- per IP address, in the request: beyond ACCOUNT_REQUESTS_PER_IP_PER_HOUR requests in an hour the
  page answers 429. It says nothing about any address, so it may be visible.
- per address, in the Celery task: at most one e-mail per address and purpose in
  ACCOUNT_EMAIL_INTERVAL. It is counted before the address is looked up, for addresses with and
  without an account alike, and the page never shows it: five requests in a row send one e-mail,
  and the pages answer the same whether or not the address has an account.
"""

import hashlib

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.core.cache import cache

HOUR = 60 * 60


def _address_key(purpose, email):
    # Hashed: the cache (shared with other uses) holds no e-mail address, and any address, however
    # long or strange, makes a valid key.
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    return f"accounts:email:{purpose}:{digest}"


def request_allowed(request):
    """Count this request against its IP address (read as django-axes reads it, behind the HTTPS
    proxy too); False once the hour's allowance is spent. A fixed one-hour window, started by the
    first request: enough to stop a script, never in a person's way."""
    key = f"accounts:requests:{get_client_ip_address(request) or 'unknown'}"
    cache.add(key, 0, timeout=HOUR)
    try:
        count = cache.incr(key)
    except ValueError:
        # The window ended between add() and incr(): this request opens the next one.
        cache.set(key, 1, timeout=HOUR)
        count = 1
    return count <= settings.ACCOUNT_REQUESTS_PER_IP_PER_HOUR


def first_email_in_interval(purpose, email):
    """True for the first call per `purpose` and address in ACCOUNT_EMAIL_INTERVAL, False for the
    next ones (one atomic cache.add, so two workers cannot both be first)."""
    timeout = settings.ACCOUNT_EMAIL_INTERVAL.total_seconds()
    return cache.add(_address_key(purpose, email), 1, timeout=timeout)


def forget_email(purpose, email):
    """Give the address its e-mail back, when the task that counted it failed before sending."""
    cache.delete(_address_key(purpose, email))
