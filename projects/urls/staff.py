"""URLs of the projects' staff pages."""

urlpatterns = []
