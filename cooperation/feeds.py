"""The intranet's feeds of the open calls (issue 19): RSS 2.0 and Atom, in French and in English
(/fr/international/feed/calls.rss, /en/…/calls.atom). One item per call open now, its title in
the feed's language, a link to its page, and what to know first: the instrument, the deadline in
Paris time, the ceiling. The syndication framework escapes the XML; the description, read as HTML
by feed readers, is escaped as HTML first."""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from calls.models import Call
from calls.rules.base import Money


def ceiling_text(call):
    if call.european_ceiling is not None and call.non_european_ceiling is not None:
        return _("%(europe)s € (Europe), %(world)s € (outside Europe)") % {
            "europe": Money(call.european_ceiling),
            "world": Money(call.non_european_ceiling),
        }
    if call.ceiling is not None:
        return f"{Money(call.ceiling)} €"
    return _("Set by the committee")


class OpenCallsFeed(Feed):
    title = gettext_lazy("Inserm — open calls for projects")
    description = gettext_lazy("The calls for projects of Inserm's international cooperation open now.")

    def link(self):
        return reverse("call_list")

    def items(self):
        return Call.objects.open_now().select_related("instrument").order_by("closes_at", "id")

    def item_title(self, call):
        return call.title

    def item_link(self, call):
        return reverse("call_detail", args=[call.pk])

    def item_description(self, call):
        deadline = formats.date_format(timezone.localtime(call.closes_at), "DATETIME_FORMAT")
        lines = [
            _("Instrument: %(name)s") % {"name": call.instrument.name},
            _("Deadline: %(deadline)s (Paris time)") % {"deadline": deadline},
            _("Ceiling: %(ceiling)s") % {"ceiling": ceiling_text(call)},
        ]
        return "<br>".join(escape(line) for line in lines)

    def item_pubdate(self, call):
        return call.opens_at

    def item_updateddate(self, call):
        return call.opens_at

    def item_categories(self, call):
        return [call.instrument.code]


class OpenCallsAtomFeed(OpenCallsFeed):
    feed_type = Atom1Feed
    subtitle = OpenCallsFeed.description
