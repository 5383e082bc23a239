"""The services judge whatever they are given (hypothesis), not only what a form lets through:
update_draft, the partner service and add_attachment either store exactly what they accept, within
every cap and with a known country, or refuse with a reason and store nothing. Never an error of
the database, never a value the rules would misread."""

import hashlib

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from applications import drafting, services
from applications.models import Application, Attachment, PartnerTeam
from calls import rules

from .factories import complete_application, pdf_bytes

pytestmark = pytest.mark.django_db

examples = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)

text = st.one_of(
    st.text(max_size=80),
    st.sampled_from(["", "   ", "\x00", "a\x00b", "<script>alert(1)</script>", "𝕏" * 40, "\r\n\t"]),
    st.builds(lambda chunk, times: chunk * times, st.text(min_size=1, max_size=3), st.integers(100, 6000)),
)
country = st.one_of(
    st.sampled_from(["JP", "jp", "FR", "RE", "XX", "ZZ", "FRA", "", " de ", "EU", "UK", "\x00"]),
    st.text(max_size=4),
)


@pytest.fixture
def draft(db):
    return complete_application()


def rolled_back(check):
    with transaction.atomic():
        check()
        transaction.set_rollback(True)


@examples
@given(title=text, abstract=text, keywords=text, theme=text)
def test_update_draft_stores_exactly_what_it_accepts_or_nothing(draft, title, abstract, keywords, theme):
    values = {"title": title, "abstract": abstract, "keywords": keywords, "theme": theme}

    def check():
        before = Application.objects.values(*values).get(pk=draft.pk)
        try:
            drafting.update_draft(draft, draft.applicant, **values)
        except drafting.ValuesRefused as refusal:
            event("refused")
            assert refusal.reasons and set(refusal.error.message_dict) <= set(values)
            assert Application.objects.values(*values).get(pk=draft.pk) == before
            return
        event("stored")
        stored = Application.objects.values(*values).get(pk=draft.pk)
        assert stored == {name: value.strip() for name, value in values.items()}
        assert len(stored["abstract"]) <= 5000 and len(stored["title"]) <= 300
        assert not any("\x00" in value for value in stored.values())

    rolled_back(check)


SOUND_TEAM = {
    "institution": "Kyoto University",
    "city": "Kyoto",
    "country": "JP",
    "team_leader": "Dr Tanaka",
    "email": "tanaka@kyoto-u.example",
}


@st.composite
def teams(draw):
    """A sound team with one value (or every value) replaced by anything."""
    hostile = {
        "institution": draw(text),
        "city": draw(text),
        "country": draw(country),
        "team_leader": draw(text),
        "email": draw(st.one_of(text, st.emails())),
    }
    field = draw(st.sampled_from([*SOUND_TEAM, "all"]))
    return hostile if field == "all" else SOUND_TEAM | {field: hostile[field]}


@examples
@given(values=teams())
def test_the_partner_service_stores_only_sound_teams_in_known_countries(draft, values):
    def check():
        count = PartnerTeam.objects.filter(application=draft).count()
        try:
            partner = drafting.add_partner(draft, draft.applicant, **values)
        except drafting.ValuesRefused as refusal:
            event("refused")
            assert refusal.reasons
            assert PartnerTeam.objects.filter(application=draft).count() == count
            return
        event("stored")
        partner.refresh_from_db()
        assert rules.is_country(partner.country.code) and partner.country.code == values["country"].strip().upper()
        assert partner.institution == values["institution"].strip() and partner.institution
        countries = tuple(p.country.code for p in draft.partners.all())
        assert rules.foreign(countries) == tuple(c for c in dict.fromkeys(countries) if not rules.is_france(c))

    rolled_back(check)


@examples
@given(code=country)
def test_changing_a_partners_country_is_judged_as_adding_one(draft, code):
    partner = draft.partners.get()

    def check():
        try:
            drafting.update_partner(partner, draft.applicant, country=code)
        except drafting.ValuesRefused:
            assert PartnerTeam.objects.get(pk=partner.pk).country.code == "JP"
            return
        assert rules.is_country(PartnerTeam.objects.get(pk=partner.pk).country.code)

    rolled_back(check)


documents = st.one_of(
    st.binary(max_size=3000),
    st.builds(lambda junk: b"%PDF-1.7\n" + junk, st.binary(max_size=500)),
    st.builds(lambda junk: junk + pdf_bytes(), st.binary(min_size=1, max_size=40)),
    st.builds(lambda junk: pdf_bytes() + junk, st.binary(max_size=40)),
    st.just(pdf_bytes(pages=2)),
)


@examples
@given(content=documents, name=text)
def test_add_attachment_stores_the_bytes_it_inspected_with_their_own_size_and_checksum(draft, content, name):
    def check():
        upload = ContentFile(content, name=name or "x")
        count = Attachment.objects.filter(application=draft).count()
        try:
            attachment = services.add_attachment(draft, upload, "other", draft.applicant)
        except services.AttachmentRefused as refusal:
            event("refused")
            assert refusal.reasons
            assert Attachment.objects.filter(application=draft).count() == count
            return
        event("stored")
        assert content.startswith(b"%PDF-")
        with attachment.file.open("rb") as stored:
            assert stored.read() == content
        assert attachment.size == len(content)
        assert attachment.sha256 == hashlib.sha256(content).hexdigest()
        assert attachment.original_name.endswith(".pdf")

    rolled_back(check)
