"""Every free text of an application has a cap, checked by the model's validators, so that the
forms and the services refuse alike (a 10 MB single-word abstract was stored and shown); the
pages show each cap as the title's: no maxlength that would cut a pasted text, a counter beside
the field, a refusal that says the length."""

import re

import pytest
from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator
from django.db import models

from applications import drafting, services
from applications.models import Application, BudgetLine, PartnerTeam, ResearcherProfile
from applications.validators import ABSTRACT_MAX_CHARS

from .factories import ApplicationFactory, complete_application
from .helpers import GENERAL, formset_data, page_url, partner_row, step_url

pytestmark = pytest.mark.django_db

TYPED_MODELS = [Application, PartnerTeam, BudgetLine, ResearcherProfile]
# Texts with a format of their own (a reference the portal gives, identifiers a regex judges) and
# choices are not free text.
NOT_FREE_TEXT = {"reference", "unit_code", "orcid"}


@pytest.mark.parametrize("model", TYPED_MODELS, ids=lambda model: model.__name__)
def test_every_free_text_a_researcher_types_has_a_cap_and_refuses_nul(model):
    texts = [
        field
        for field in model._meta.concrete_fields
        if isinstance(field, models.CharField | models.TextField)
        and not field.choices
        and field.name not in NOT_FREE_TEXT
    ]
    assert texts
    for field in texts:
        kinds = {type(validator) for validator in field.validators}
        assert MaxLengthValidator in kinds, f"{model.__name__}.{field.name} has no cap"
        assert ProhibitNullCharactersValidator in kinds, f"{model.__name__}.{field.name} takes NUL"


def test_a_ten_megabyte_single_word_abstract_is_refused_by_the_service_and_nothing_is_stored(english):
    draft = ApplicationFactory()
    before = draft.abstract
    with pytest.raises(drafting.ValuesRefused) as refusal:
        drafting.update_draft(draft, draft.applicant, abstract="A" * (10 * 1024 * 1024))
    assert refusal.value.error.message_dict == {
        "abstract": [f"Ensure this value has at most {ABSTRACT_MAX_CHARS} characters (it has 10485760)."]
    }
    draft.refresh_from_db()
    assert draft.abstract == before


def test_an_abstract_over_the_word_limit_is_refused_by_the_service_too(english):
    draft = ApplicationFactory()
    with pytest.raises(drafting.ValuesRefused, match="The abstract has 301 words: at most 300 are allowed."):
        drafting.update_draft(draft, draft.applicant, abstract="word " * 301)


@pytest.mark.parametrize("field", ["title", "keywords", "theme"])
def test_every_text_of_the_general_step_is_judged_by_the_service(english, field):
    draft = ApplicationFactory()
    with pytest.raises(drafting.ValuesRefused, match="Null characters are not allowed."):
        drafting.update_draft(draft, draft.applicant, **{field: "a\x00b"})
    with pytest.raises(drafting.ValuesRefused, match="at most"):
        drafting.update_draft(draft, draft.applicant, **{field: "x" * 301})


@pytest.mark.parametrize("terms", [["7"], [0], [True], list(range(1, 60)), {"1": 2}])
def test_fields_of_expertise_are_a_short_list_of_term_ids(english, terms):
    draft = ApplicationFactory()
    with pytest.raises(drafting.ValuesRefused, match="fields of expertise"):
        drafting.update_draft(draft, draft.applicant, vocabulary_terms=terms)
    assert drafting.update_draft(draft, draft.applicant, vocabulary_terms=[3, 5]).vocabulary_terms == [3, 5]


def test_the_service_changes_only_the_applicants_own_draft_and_only_its_typed_fields(researcher, english):
    draft = ApplicationFactory()
    with pytest.raises(services.ApplicationError, match="can no longer be changed"):
        drafting.update_draft(draft, researcher, title="Mine now")
    with pytest.raises(TypeError):
        drafting.update_draft(draft, draft.applicant, status="decided")
    saved = drafting.update_draft(draft, draft.applicant, title="  Neurons in Kyoto  ")
    assert saved.title == draft.title == "Neurons in Kyoto"


def test_the_general_step_refuses_a_long_abstract_beside_it_with_its_length_and_keeps_the_text(client, english):
    draft = complete_application()
    client.force_login(draft.applicant)
    abstract = "Ageing " + "x" * ABSTRACT_MAX_CHARS
    response = client.post(step_url(draft, "general"), {**GENERAL, "abstract": abstract})
    assert response.status_code == 200
    assert response.context["form"].errors["abstract"] == [
        f"Ensure this value has at most {ABSTRACT_MAX_CHARS} characters (it has {len(abstract)})."
    ]
    assert abstract in response.content.decode()
    draft.refresh_from_db()
    assert draft.abstract != abstract


def field_tag(page, name):
    return re.search(rf'<(?:input|textarea)[^>]*name="{name}"[^>]*>', page).group(0)


def test_every_capped_field_shows_a_counter_and_no_maxlength(client, english):
    draft = complete_application()
    client.force_login(draft.applicant)
    general = client.get(step_url(draft, "general")).content.decode()
    assert f'data-max-chars="{ABSTRACT_MAX_CHARS}"' in field_tag(general, "abstract")
    for name in ("title", "keywords", "theme"):
        tag = field_tag(general, name)
        assert "data-max-chars" in tag and "maxlength" not in tag and "data-template-over" in tag
    partners = client.get(step_url(draft, "partners")).content.decode()
    for name in ("institution", "city", "team_leader", "email"):
        tag = field_tag(partners, f"partners-0-{name}")
        assert "data-max-chars" in tag and "maxlength" not in tag
    budget = client.get(step_url(draft, "budget")).content.decode()
    assert 'data-max-chars="250"' in field_tag(budget, "budget-0-description")
    profile = client.get(page_url("profile")).content.decode()
    assert 'data-max-chars="200"' in field_tag(profile, "team") and "js/word-counter.js" in profile


def test_a_partner_name_too_long_is_refused_with_its_length_never_cut(client, english):
    draft = complete_application()
    partner = draft.partners.get()
    client.force_login(draft.applicant)
    name = "Institut Pasteur de Dakar, " * 10  # 270 characters
    rows = [partner_row(id=str(partner.pk), institution=name)]
    response = client.post(step_url(draft, "partners"), formset_data("partners", rows, initial=1))
    assert response.status_code == 200
    assert "(it has 269)" in response.content.decode() and name.strip() in response.content.decode()
