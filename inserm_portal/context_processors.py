"""Values every page needs: the portal's name and the same page in the other languages."""

from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language


def portal(request):
    current = get_language()
    alternates = [
        {"code": code, "name": name, "url": translate_url(request.get_full_path(), code)}
        for code, name in settings.LANGUAGES
        if code != current
    ]
    return {"PORTAL_NAME": settings.PORTAL_NAME, "language_alternates": alternates}
