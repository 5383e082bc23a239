"""URL patterns of one part of cooperation (see cooperation/urls.py): the public page "Inserm in
the world" (figures, map, table)."""

from django.urls import path

from cooperation import world_views

urlpatterns = [path("", world_views.world, name="world")]
