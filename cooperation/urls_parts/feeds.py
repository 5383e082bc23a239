"""The feeds of the open calls, RSS 2.0 and Atom, for the intranet (see cooperation/feeds.py)."""

from django.urls import path

from ..feeds import OpenCallsAtomFeed, OpenCallsFeed

urlpatterns = [
    path("feed/calls.rss", OpenCallsFeed(), name="feed_rss"),
    path("feed/calls.atom", OpenCallsAtomFeed(), name="feed_atom"),
]
