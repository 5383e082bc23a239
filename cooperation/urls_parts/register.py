"""URL patterns of one part of cooperation (see cooperation/urls.py)."""

urlpatterns = []
