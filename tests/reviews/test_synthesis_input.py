"""Whatever the rapporteur posts as the synthesis (issue 18): exactly one valid synthesis is saved, with
the text as typed (trimmed, as the form trims it) and a recommendation from the list, or nothing is
saved and the page explains why, in the reader's language, with what was typed given back whole."""

import re
from urllib.parse import urlencode

from django.test import Client
from django.utils.html import escape
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from reviews import services
from reviews.forms import SynthesisForm
from reviews.models import Recommendation, Synthesis
from reviews.models.committee import SYNTHESIS_MAX_CHARS
from tests.factories import StaffFactory

from .factories import ClosedCallFactory
from .test_synthesis import review, two_reviewers

WHITESPACE = " \t\n\r\x0b\x0c\x85\xa0\u2028\u3000"


def _repeated(chunk, length):
    return (chunk * length)[:length]


def _padded(text, left, right):
    return left + text + right


# Short unicode of every kind (control characters included), NUL, blanks, and texts about the cap,
# padded with whitespace the form trims away before it counts.
TEXTS = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(categories=["Cc", "Cf", "Zs", "Zl", "Zp"]), max_size=12),
    st.sampled_from(["", "   ", "\x00", "Strong\x00team", " \t\r\n ", "<b>&amp;</b> 'quoted' \"twice\""]),
    st.builds(
        _padded,
        st.builds(
            _repeated,
            st.text(min_size=1, max_size=3).filter(str.strip),
            st.integers(SYNTHESIS_MAX_CHARS - 2, SYNTHESIS_MAX_CHARS + 2),
        ),
        st.text(alphabet=WHITESPACE, max_size=3),
        st.text(alphabet=WHITESPACE, max_size=3),
    ),
)
RECOMMENDATIONS = st.one_of(
    st.sampled_from(["", *Recommendation.values]), st.text(max_size=30), st.just(" support"), st.just("SUPPORT")
)

# The reasons a synthesis is refused, as a French reader reads them, and as nobody should read them then.
IN_FRENCH = {
    "nul": "Le caractère nul n’est pas autorisé.",
    "long": f"Assurez-vous que cette valeur comporte au plus {SYNTHESIS_MAX_CHARS} caractères",
    "choice": "Sélectionnez un choix valide.",
    "strengths": "Rédigez les points forts de la candidature.",
    "weaknesses": "Rédigez les points faibles de la candidature.",
    "recommendation": "Donnez une recommandation.",
}
IN_ENGLISH = (
    "Null characters are not allowed",
    "Ensure this value",
    "Select a valid choice",
    "Write the application",
    "Give a recommendation",
)


def _refusals(strengths, weaknesses, recommendation, submit):
    """What should refuse this synthesis, in the order nothing depends on: a set of IN_FRENCH keys."""
    reasons = set()
    for text in (strengths.strip(), weaknesses.strip()):
        if "\x00" in text:
            reasons.add("nul")
        if len(text) > SYNTHESIS_MAX_CHARS:
            reasons.add("long")
    if recommendation and recommendation not in Recommendation.values:
        reasons.add("choice")
    if reasons or not submit:
        return reasons
    # The form is valid: the service then asks for everything before a submission.
    if not strengths.strip():
        reasons.add("strengths")
    if not weaknesses.strip():
        reasons.add("weaknesses")
    if not recommendation:
        reasons.add("recommendation")
    return reasons


def _rapporteur_with_every_review_in():
    call = ClosedCallFactory()
    application, (first, second) = two_reviewers(call, StaffFactory())
    services.name_rapporteur(application, first.reviewer, StaffFactory())
    review(first), review(second)
    return application, first.reviewer


def field_name(name):
    """The name the synthesis form's field `name` has on the page (the form may be prefixed)."""
    return SynthesisForm().add_prefix(name)


def given_back(page, name):
    """What the page's textarea `name` holds, as the browser shows it: the newline after the tag is
    the template's, dropped by HTML (crispy collapses a textarea of blanks to one space)."""
    held = re.search(rf'<textarea name="{field_name(name)}"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    return held.removeprefix("\n") if held.strip() else ""


def selected(page, name):
    """The options selected in the page's select `name`."""
    select = re.search(rf'<select name="{field_name(name)}"[^>]*>(.*?)</select>', page, re.S).group(1)
    return re.findall(r'<option value="([^"]*)" selected>', select)


SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def with_edge_cases(test):
    """The cases that must be tried on every run, whatever hypothesis draws."""
    cases = (
        ("  Strong team.  ", "\tThin budget.\r\n", "strongly_support", True),
        ("Strong\x00team", "Thin budget.", "support", True),
        (" " + "é" * SYNTHESIS_MAX_CHARS + "\n", "x" * (SYNTHESIS_MAX_CHARS + 1), "", False),
        ("", "   ", "keen", True),
    )
    for strengths, weaknesses, recommendation, submit in cases:
        test = example(strengths=strengths, weaknesses=weaknesses, recommendation=recommendation, submit=submit)(test)
    return test


class TestWhateverTheRapporteurPosts(HypothesisTestCase):
    @SETTINGS
    @with_edge_cases
    @given(strengths=TEXTS, weaknesses=TEXTS, recommendation=RECOMMENDATIONS, submit=st.booleans())
    def test_one_valid_synthesis_or_nothing_and_the_page_gives_back_what_was_typed(
        self, strengths, weaknesses, recommendation, submit
    ):
        application, rapporteur = _rapporteur_with_every_review_in()
        client = Client()
        client.force_login(rapporteur)
        data = {
            field_name("strengths"): strengths,
            field_name("weaknesses"): weaknesses,
            field_name("recommendation"): recommendation,
        }
        if submit:
            data["submit"] = "1"
        # Posted as a browser posts this form (no file in it: URL-encoded).
        response = client.post(
            f"/fr/reviews/applications/{application.pk}/synthesis/",
            urlencode(data),
            content_type="application/x-www-form-urlencoded",
        )
        synthesis = Synthesis.objects.get(application=application)
        expected = _refusals(strengths, weaknesses, recommendation, submit)
        if not expected:
            assert response.status_code == 302
            assert (synthesis.strengths, synthesis.weaknesses) == (strengths.strip(), weaknesses.strip())
            assert synthesis.recommendation == recommendation
            assert synthesis.recommendation in ("", *Recommendation.values)
            assert synthesis.is_submitted == submit
            return
        assert response.status_code == 200
        # Nothing saved: the synthesis is as staff left it when they named the rapporteur.
        assert (synthesis.strengths, synthesis.weaknesses, synthesis.recommendation) == ("", "", "")
        assert not synthesis.is_submitted
        page = response.content.decode()
        for reason in expected:
            assert IN_FRENCH[reason] in page, reason
        for english in IN_ENGLISH:
            assert english not in page
        # What was typed comes back whole, however long, never cut to the cap.
        for name, typed in (("strengths", strengths), ("weaknesses", weaknesses)):
            assert given_back(page, name) == (escape(typed) if typed.strip() else "")
        if recommendation in Recommendation.values:
            assert selected(page, "recommendation") == [recommendation]

    @SETTINGS
    @with_edge_cases
    @given(strengths=TEXTS, weaknesses=TEXTS, recommendation=RECOMMENDATIONS, submit=st.booleans())
    def test_the_service_itself_saves_a_valid_synthesis_or_refuses_with_a_reason(
        self, strengths, weaknesses, recommendation, submit
    ):
        application, rapporteur = _rapporteur_with_every_review_in()
        expected = _refusals(strengths, weaknesses, recommendation, submit)
        try:
            services.write_synthesis(
                application,
                rapporteur,
                strengths=strengths,
                weaknesses=weaknesses,
                recommendation=recommendation,
                submit=submit,
            )
        except services.ReviewError as error:
            assert expected and error.reasons
        else:
            assert not expected
        synthesis = Synthesis.objects.get(application=application)
        if expected:
            assert (synthesis.strengths, synthesis.weaknesses, synthesis.recommendation) == ("", "", "")
            assert not synthesis.is_submitted
        else:
            assert (synthesis.strengths, synthesis.weaknesses) == (strengths.strip(), weaknesses.strip())
            assert synthesis.recommendation in ("", *Recommendation.values)
            assert synthesis.is_submitted == submit
