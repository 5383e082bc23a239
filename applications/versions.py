"""The frozen copy of a submission (models.SubmittedVersion): what the application said when it
was sent. ``content_of`` gives it as plain JSON, the same keys for every version, so that two
versions can be shown side by side (the 0008 migration wrote the first copy of the applications
submitted before versions existed with these keys too)."""


def content_of(application):
    """The application's texts, partner teams, budget lines and documents, as JSON values
    (amounts as strings of euros with their cents: a Decimal, never a float)."""
    return {
        "title": application.title,
        "abstract": application.abstract,
        "keywords": application.keywords,
        "theme": application.theme,
        "duration_months": application.duration_months,
        "collaboration_is_new": application.collaboration_is_new,
        "partners": [
            {
                "institution": partner.institution,
                "city": partner.city,
                "country": str(partner.country),
                "team_leader": partner.team_leader,
                "email": partner.email,
                "answer": partner.answer,
            }
            for partner in application.partners.order_by("id")
        ],
        "budget": [
            {
                "year": line.year,
                "category": line.category,
                "amount": f"{line.amount:.2f}",
                "description": line.description,
            }
            for line in application.budget_lines.order_by("year", "category", "id")
        ],
        "attachments": [
            {"kind": attachment.kind, "name": attachment.original_name, "sha256": attachment.sha256}
            for attachment in application.attachments.order_by("kind", "uploaded_at", "id")
        ],
    }
