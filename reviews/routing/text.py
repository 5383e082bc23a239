"""Affinity from what applications and reviewers write (issue 18): TF-IDF over their texts.

An application is its title, abstract and keywords; a reviewer is their expertise statement, their
recent publications' titles and their keywords. Both are folded the same way (lower case, accents
removed: "cardiopathie" and "Cardiopathie" and "cardiopathié" are one word), French and English
stop words are dropped, and each word is weighted by TF-IDF fitted on the call's own texts (a word
every application uses says nothing about who should read which). The affinity is the cosine of
the two vectors, in [0, 1], computed as one sparse product: ``n_apps x n_reviewers`` dense.

No Django here (like the rest of routing/): the adapter gives lists of strings.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np

#: Words that say nothing about a field of research, in both languages (folded: no accents).
ENGLISH_STOP_WORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had
    has have having he her here hers herself him himself his how i if in into is it its itself just
    me more most my myself no nor not now of off on once only or other our ours ourselves out over
    own same she should so some such than that the their theirs them themselves then there these
    they this those through to too under until up very was we were what when where which while who
    whom why will with would you your yours yourself yourselves via using use used new study studies
    based towards toward within without role effect effects analysis approach project
    """.split()
)
FRENCH_STOP_WORDS = frozenset(
    """
    a afin ai aie aient aies ait alors as au aucun aucune aupres auquel aura aurai auraient aurais
    aurait auras aurez auriez aurions aurons auront aussi autre autres aux auxquelles auxquels avaient
    avais avait avant avec avez aviez avions avoir avons ayant ayez ayons c ca ce ceci cela celle celles
    celui cependant certain certaine certaines certains ces cet cette ceux chaque chez ci comme comment
    d dans de des donc dont du elle elles en encore entre es est et etaient etais etait etant etat ete
    etes etiez etions etre eu eue eues eumes eurent eus eusse eussent eusses eussiez eussions eut eutes
    eux fait faites fois font furent fus fusse fussent fusses fussiez fussions fut futes ici il ils
    j je jusqu jusque l la laquelle le lequel les lesquelles lesquels leur leurs lors lorsque lui m ma
    mais me meme memes mes moi mon n ne ni non nos notre nous on ont ou par parce pas peu peut plus
    plutot pour pourquoi puis qu quand que quel quelle quelles quels qui quoi s sa sans se sera serai
    seraient serais serait seras serez seriez serions serons seront ses si sien sienne siens soi soient
    sois soit sommes son sont sous soyez soyons suis sur t ta te tes toi ton tous tout toute toutes
    tres tu un une unes uns vers via voila vos votre vous y etude etudes projet role effet effets
    analyse approche nouveau nouvelle nouveaux nouvelles chez selon
    """.split()
)
STOP_WORDS = ENGLISH_STOP_WORDS | FRENCH_STOP_WORDS

#: A word: a letter then letters or digits (hyphens split: "neuro-inflammation" is two words).
TOKEN_PATTERN = r"(?u)\b[^\W\d_][^\W_]+\b"


_COMBINING = re.compile("[\u0300-\u036f]")


def fold(text: str) -> str:
    """Lower case without accents or ligatures ("Cœur, ÉTUDE" -> "coeur, etude")."""
    text = text or ""
    if text.isascii():
        return text.lower()
    text = unicodedata.normalize("NFKD", text.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae"))
    return _COMBINING.sub("", text).lower()


def _vectorizer():
    from sklearn.feature_extraction.text import TfidfVectorizer

    # scikit-learn's own tokenizer (in C-speed regular expressions) after our folding: three times
    # faster than a Python analyzer on a call of 10,000 applications.
    return TfidfVectorizer(
        preprocessor=fold,
        token_pattern=TOKEN_PATTERN,
        stop_words=sorted(STOP_WORDS),
        sublinear_tf=True,
        norm="l2",
        dtype=np.float32,
    )


def preload() -> None:
    """Import scikit-learn now: about a second, paid by a Celery worker when it starts
    (reviews.tasks) rather than by the first routing it computes."""
    _vectorizer()


def words(text: str) -> list[str]:
    """The folded words of `text` that carry meaning, as the affinity sees them: two characters or
    more, starting with a letter, no stop word."""
    return _vectorizer().build_analyzer()(text or "")


def vectors(app_texts, reviewer_texts):
    """(application vectors, reviewer vectors): TF-IDF rows (scipy CSR, L2-normalised) fitted on
    both lists together, or None when no text holds a word."""
    apps = [text or "" for text in app_texts]
    reviewers = [text or "" for text in reviewer_texts]
    try:
        matrix = _vectorizer().fit_transform(apps + reviewers)
    except ValueError:  # not one word in any text: "empty vocabulary"
        return None
    return matrix[: len(apps)].tocsr(), matrix[len(apps) :].tocsr()


def text_affinity(app_texts, reviewer_texts, *, dtype=np.float32) -> np.ndarray:
    """Dense ``len(app_texts) x len(reviewer_texts)`` cosine similarity of their TF-IDF vectors.

    The vocabulary and the inverse document frequencies are fitted on both lists together (the
    call's applications and its reviewers), with sublinear term frequencies (a word said ten times
    is not ten times the topic). A text with no word gives 0 everywhere; no text at all on either
    side gives a matrix of zeros.
    """
    shape = (len(app_texts), len(reviewer_texts))
    if not shape[0] or not shape[1]:
        return np.zeros(shape, dtype=dtype)
    fitted = vectors(app_texts, reviewer_texts)
    if fitted is None:
        return np.zeros(shape, dtype=dtype)
    app_vectors, reviewer_vectors = fitted
    # Sparse applications times dense reviewers (words x reviewers): one pass over the applications'
    # stored words, a dense result (the router takes a dense matrix).
    out = np.asarray(app_vectors @ reviewer_vectors.T.toarray(), dtype=dtype)
    np.clip(out, 0.0, 1.0, out=out)
    return out
