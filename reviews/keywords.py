"""How free keywords and expertise terms compare, for affinity: pure text, no Django import."""


def normalise_term(value):
    """A term as it is matched: blanks folded, case folded ("Neuro  Immunology" is "neuro immunology")."""
    return " ".join((value or "").split()).casefold()


def split_keywords(value):
    """Free keywords typed with commas or semicolons, as a list without empty ones."""
    return [word.strip() for word in (value or "").replace(";", ",").split(",") if word.strip()]
