"""Django's makemessages, also extracting the rules' plural messages (``ngettext_noop``).

The rules module builds its messages when it judges and translates them only when they are shown
(calls/rules/base.py), so a message with a plural form is marked with ``ngettext_noop(singular,
plural)``, which xgettext does not know by default.
"""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=ngettext_noop:1,2"]
