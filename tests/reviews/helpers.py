from django.urls import reverse


def url(name, *args, language="en"):
    return f"/{language}" + reverse(f"reviews:{name}", args=args).removeprefix("/fr").removeprefix("/en")
