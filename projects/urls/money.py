"""URLs of the projects' money pages."""

urlpatterns = []
