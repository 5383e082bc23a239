"""Building the POST data of the application steps as a browser would send it."""

from django.urls import reverse


def formset_data(prefix, rows, initial=0):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "1",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"{prefix}-{index}-{key}"] = value
    return data


def partner_row(country="JP", **changes):
    return {
        "id": "",
        "institution": "University of Tokyo",
        "city": "Tokyo",
        "country": country,
        "team_leader": "Dr Sato",
        "email": "sato@u-tokyo.example",
    } | changes


def budget_row(amount="8000.00", **changes):
    return {"id": "", "year": "1", "category": "travel", "amount": amount, "description": ""} | changes


GENERAL = {
    "title": "Neuro-immune dialogue in ageing",
    "abstract": "We study how neurons and immune cells talk in the ageing brain, with a team in Tokyo.",
    "keywords": "ageing, neuro-immunology",
    "theme": "Neurosciences",
}


def step_url(application, step, language="en"):
    return f"/{language}" + reverse("applications:step", args=[application.pk, step]).removeprefix("/fr").removeprefix(
        "/en"
    )


def page_url(name, *args, language="en"):
    return f"/{language}" + reverse(f"applications:{name}", args=args).removeprefix("/fr").removeprefix("/en")
