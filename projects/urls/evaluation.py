"""URLs of the projects' evaluation pages."""

urlpatterns = []
