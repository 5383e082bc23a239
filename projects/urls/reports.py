"""URLs of the projects' reports pages."""

urlpatterns = []
