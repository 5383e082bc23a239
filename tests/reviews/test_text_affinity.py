"""Affinity that reads (issue 18): applications and reviewers matched by what they write, in French
or in English, when they share no keyword."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from reviews.routing import route
from reviews.routing.text import fold, text_affinity, words

CARDIOLOGY_APPLICATION = (
    "Insuffisance cardiaque et remodelage du myocarde chez le sujet âgé. "
    "Nous étudions l'arythmie et la fibrose myocardique après infarctus, avec une cohorte à Montréal."
)
NEUROLOGY_APPLICATION = (
    "Neuro-inflammation in Alzheimer's disease: microglia, amyloid plaques and synaptic loss in the "
    "ageing brain, with a partner team in Kyoto."
)
CARDIOLOGIST = (
    "Cardiologue : insuffisance cardiaque, fibrose myocardique, arythmies. Publications : Myocardial "
    "fibrosis after infarction; Remodelage ventriculaire et insuffisance cardiaque."
)
NEUROLOGIST = (
    "Neurobiologist. Microglia and neuro-inflammation in Alzheimer's disease; amyloid and synaptic "
    "plasticity in the ageing brain."
)
IMMUNOLOGIST = "Immunologie des muqueuses, lymphocytes T régulateurs, microbiote intestinal."


def test_folding_removes_accents_case_and_ligatures():
    assert fold("Cœur, ÉTUDE Myocardique") == "coeur, etude myocardique"
    assert words("L'étude du cœur et des arythmies") == ["coeur", "arythmies"]


def test_stop_words_and_numbers_say_nothing():
    assert words("the and of 2026 les des une with pour") == []


def test_hyphenated_words_count_by_their_parts():
    assert words("Neuro-inflammation") == ["neuro", "inflammation"]


def test_a_cardiology_application_is_closest_to_the_cardiologist_with_no_shared_keyword():
    affinity = text_affinity([CARDIOLOGY_APPLICATION, NEUROLOGY_APPLICATION], [NEUROLOGIST, IMMUNOLOGIST, CARDIOLOGIST])
    assert affinity.shape == (2, 3)
    assert affinity.dtype == np.float32
    assert affinity[0].argmax() == 2  # the cardiologist
    assert affinity[1].argmax() == 0  # the neurobiologist
    assert affinity[0, 2] > 0.1
    assert affinity[0, 1] == 0  # nothing in common with the immunologist
    assert ((affinity >= 0) & (affinity <= 1)).all()


def test_the_router_sends_the_cardiology_application_to_the_cardiologists():
    reviewers = [
        NEUROLOGIST,
        CARDIOLOGIST,
        IMMUNOLOGIST,
        CARDIOLOGIST.replace("Cardiologue", "Cardiologist"),
        NEUROLOGIST,
    ]
    affinity = text_affinity([CARDIOLOGY_APPLICATION, NEUROLOGY_APPLICATION], reviewers)
    result = route(affinity, 2, 1)
    assigned = {(int(app), int(reviewer)) for app, reviewer in result.pairs}
    assert {reviewer for app, reviewer in assigned if app == 0} == {1, 3}
    assert {reviewer for app, reviewer in assigned if app == 1} == {0, 4}


def test_accents_and_case_do_not_change_the_affinity():
    plain = text_affinity(["insuffisance cardiaque fibrose"], ["fibrose myocardique, insuffisance"])
    accented = text_affinity(["INSUFFISANCE Cardiaque FIBROSÉ"], ["Fibrose myocardique, insuffisance"])
    assert plain[0, 0] > 0
    assert np.isclose(plain[0, 0], accented[0, 0], atol=0.2)


def test_empty_texts_give_zero_never_an_error():
    assert text_affinity([], ["a reviewer"]).shape == (0, 1)
    assert text_affinity(["an application"], []).shape == (1, 0)
    assert not text_affinity(["", "the of and"], ["", None]).any()


@given(
    st.lists(st.text(max_size=80), min_size=1, max_size=5),
    st.lists(st.text(max_size=80), min_size=1, max_size=5),
)
def test_any_text_gives_a_bounded_matrix_of_the_right_shape(apps, reviewers):
    affinity = text_affinity(apps, reviewers)
    assert affinity.shape == (len(apps), len(reviewers))
    assert np.isfinite(affinity).all()
    assert ((affinity >= 0) & (affinity <= 1)).all()
