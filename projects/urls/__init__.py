"""The projects' URLs, one module per part (urls/<part>.py beside views/<part>.py)."""

from . import changes, evaluation, money, pages, reports, staff

app_name = "projects"

urlpatterns = [
    *pages.urlpatterns,
    *reports.urlpatterns,
    *money.urlpatterns,
    *changes.urlpatterns,
    *evaluation.urlpatterns,
    *staff.urlpatterns,
]
