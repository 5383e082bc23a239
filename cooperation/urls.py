"""The pages of "Inserm in the world" under /fr/international/ and /en/international/: each part
declares its own patterns in its module (the public page and map, the register's declarations and
import, the staff dashboard, the feeds)."""

from .urls_parts import dashboard, feeds, register, world

app_name = "cooperation"

urlpatterns = [*world.urlpatterns, *register.urlpatterns, *dashboard.urlpatterns, *feeds.urlpatterns]
