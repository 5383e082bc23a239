"""URLs of the projects' changes pages."""

urlpatterns = []
