"""The kinds of notification: each app declares its own, the outbox knows none by name.

    DECISION = declare(
        "decision.letter", _("Decision letter"),
        context=("reference", "application_title", "outcome", "amount", "url_path"),
        held=True, released_by=_("the ranking page of its call"),
    )

A kind is a namespaced code ("call.opened", "review.assignment"), declared once from the app
that sends it (its ``notices.py``, imported by its AppConfig.ready()), with:

- ``context``: the keys its templates read (every key is optional when rendering: a missing one
  renders empty, but callers should give them all);
- ``held``: created HELD, for staff to read, edit and release in batch (decision letters);
- ``released_by``: where staff release it when that is not the outbox's own admin action (the
  decisions are published with their letters, with who released them); the outbox refuses to
  release it itself and says where to go.

Each kind has three templates per language, in the declaring app's
``templates/notifications/email/``: ``<kind>.<lang>.subject.txt``, ``<kind>.<lang>.txt`` and
``<kind>.<lang>.html``. ``url_path`` in a context is the path without the language prefix (e.g.
"/applications/12/"); the e-mail link is ``settings.PORTAL_BASE_URL + "/<lang>" + url_path``.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    code: str
    label: object
    context: tuple = ()
    held: bool = False
    released_by: object = None


class UnknownKind(ValueError):
    pass


_kinds: dict[str, Kind] = {}


def declare(code, label, *, context=(), held=False, released_by=None):
    """Declare a kind (once; declaring the same again is harmless). Returns its code."""
    if "." not in code or len(code) > 32:
        raise ValueError(f"A notification kind is namespaced and at most 32 characters: {code!r}.")
    kind = Kind(code, label, tuple(context), held, released_by)
    existing = _kinds.get(code)
    if existing is not None and (existing.context, existing.held) != (kind.context, kind.held):
        raise ValueError(f"Notification kind {code!r} is declared twice, differently.")
    _kinds[code] = kind
    return code


def get(code):
    try:
        return _kinds[str(code)]
    except KeyError:
        raise UnknownKind(f"Unknown notification kind {code!r}: declare it with kinds.declare().") from None


def kind_choices():
    """Every declared kind, for Notification.kind (evaluated lazily by Django)."""
    return sorted((kind.code, kind.label) for kind in _kinds.values())


def declared():
    return dict(_kinds)
