"""The open API, read-only and versioned, mounted at /api/v1/ (inserm_portal/urls.py)."""

app_name = "api"

urlpatterns = []
