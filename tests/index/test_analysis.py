"""index.text.analysis: one Analyzer turns passages and questions into the same terms.

These tests state properties (two spellings give the same terms), not the exact term strings, so
that they hold whatever the stemmer and the word lists make of a word.
"""

import re
import string
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index.text import analysis
from index.text.analysis import _FOLD, STOP_WORDS, Analyzer, _words_of, fold, words
from index.text.marking import matching_words
from index.text.vocabulary import (
    ABBREVIATIONS,
    AMERICAN_TO_BRITISH,
    IRREGULAR_FORMS,
    PHRASES,
    PLACES,
    SHORTHAND,
    SYNONYMS,
)


@pytest.fixture(scope="module")
def an() -> Analyzer:
    return Analyzer()


@pytest.mark.parametrize(
    ("written", "typed"),
    [
        ("Šakalienė", "sakaliene"),
        ("Pål Jonson", "pal jonson"),
        ("Łódź", "lodz"),
        ("Nørreholm", "norreholm"),
        ("ﬁnance", "finance"),  # a ligature, folded by NFKC
    ],
)
def test_accents_and_special_letters_fold_to_plain_letters(an: Analyzer, written: str, typed: str) -> None:
    assert an.terms(written) == an.terms(typed)
    assert an.terms(written)


def test_case_does_not_matter(an: Analyzer) -> None:
    assert an.terms("NATO Defence SPENDING") == an.terms("nato defence spending")


def test_curly_apostrophe_is_the_same_as_a_straight_one(an: Analyzer) -> None:
    assert an.terms("Poland’s budget") == an.terms("Poland's budget")


def test_curly_quotes_do_not_change_the_words_inside(an: Analyzer) -> None:
    assert an.terms("“combat-ready” forces") == an.terms('"combat-ready" forces')


@pytest.mark.parametrize("name", ["Poland", "Hegseth", "Rutte", "NATO"])
def test_possessive_is_the_same_term_as_the_name(an: Analyzer, name: str) -> None:
    assert an.terms(f"{name}'s") == an.terms(name)
    assert an.terms(f"{name}’s") == an.terms(name)


def test_question_of_only_stop_words_has_no_terms(an: Analyzer) -> None:
    assert an.terms("What is it that they would have been doing with those?") == []


def test_stop_words_are_dropped_around_content_words(an: Analyzer) -> None:
    assert an.terms("what is Poland's spending?") == an.terms("Poland spending")


@pytest.mark.parametrize(
    "question",
    [
        "why can't the museum give them back?",
        "why cant the museum give them back?",
        "why isn't the museum giving them back?",
        "what's the museum saying about giving them back?",
        "is the museum getting them back?",
        "whats the museum giving back?",
    ],
)
def test_negations_and_padding_verbs_are_stop_words_in_any_form(an: Analyzer, question: str) -> None:
    assert set(an.terms(question)) <= set(an.terms("museum give back"))


@pytest.mark.parametrize(
    ("abbreviation", "name"), [("NI", "Northern Ireland"), ("NZ", "New Zealand"), ("EU", "European Union")]
)
def test_a_place_and_its_abbreviation_are_one_term(an: Analyzer, abbreviation: str, name: str) -> None:
    assert an.terms(f"hospital waits in {abbreviation}") == an.terms(f"hospital waits in {name}")



@pytest.mark.parametrize(
    ("american", "british"),
    [
        ("defense spending", "defence spending"),
        ("returned artifacts", "returned artefacts"),
        ("140 kilometers", "140 kilometres"),
        ("analyzed the tumors", "analysed the tumours"),
        ("organization", "organisation"),
        ("a favorable neighborhood", "a favourable neighbourhood"),
    ],
)
def test_american_spellings_are_the_british_ones(an: Analyzer, american: str, british: str) -> None:
    assert an.terms(american) == an.terms(british)


@pytest.mark.parametrize(
    ("short", "full"),
    [
        ("uni fees", "university fees"),
        ("ppl evacuated", "people evacuated"),
        ("the customer db", "the customer database"),
        ("wildfire spreads", "fire spreads"),
        ("jobs axed", "jobs cut"),
        ("who won the final?", "the win"),
        ("military spending", "defence spending"),
    ],
)
def test_a_questions_shorthand_and_synonyms_add_the_words_they_stand_for(
    an: Analyzer, short: str, full: str
) -> None:
    query = an.query(short)
    assert set(an.terms(full)) <= set(query.terms)
    assert set(an.terms(short)) <= set(query.terms)  # the question's own words stay
    assert set(an.terms(full)) - set(an.terms(short)) <= query.expansions


@pytest.mark.parametrize(
    ("text", "wrong"),
    [
        ("an expedition to the North Pole", "poland"),
        ("he suffered a head injury", "chief"),
        ("the Korean won fell", "win"),
        ("after the military coup", "defence"),
        ("a background check", "cheque"),
        ("the x and y axes", "cut"),
        ("The Met said", "meet"),
        ("the ppl, uni and db columns", "people"),
        ("left-wing voters", "leave"),
        ("Rose and Drew", "rise"),
    ],
)
def test_passages_are_indexed_under_their_own_words(an: Analyzer, text: str, wrong: str) -> None:
    """A synonym or an ambiguous form is what a question may mean, never what a text says."""
    assert not set(an.terms(text)) & set(an.terms(wrong))


def test_currency_codes_in_a_text_are_its_money(an: Analyzer) -> None:
    assert an.terms("fine in usd") == an.terms("fine in dollars")


@pytest.mark.parametrize(
    ("written", "other"), [("Max Verstappen", "maximum"), ("COP28", "police"), ("HR", "hour")]
)
def test_shorthand_written_with_a_capital_is_something_else(an: Analyzer, written: str, other: str) -> None:
    assert not set(an.query(written).terms) & set(an.terms(other))


def test_a_measure_in_one_unit_is_answered_in_another(an: Analyzer) -> None:
    query = an.query("how many acres has the fire burned?")
    (acres,) = an.terms("acres")
    assert set(an.terms("hectares")) <= query.alternatives[acres]


@pytest.mark.parametrize("form", ["spends", "spending", "spend"])
def test_inflected_forms_share_a_term(an: Analyzer, form: str) -> None:
    assert an.terms(form) == an.terms("spend")


def test_plural_and_singular_share_a_term(an: Analyzer) -> None:
    assert an.terms("missiles") == an.terms("missile")


def test_decimal_number_is_one_term(an: Analyzer) -> None:
    assert len(an.terms("4.1")) == 1


def test_decimal_number_differs_from_its_whole_part(an: Analyzer) -> None:
    assert an.terms("4.1") != an.terms("4")


def test_thousands_separator_does_not_split_a_number(an: Analyzer) -> None:
    assert an.terms("300,000") == an.terms("300000")
    assert len(an.terms("300,000")) == 1


@pytest.mark.parametrize(
    ("forms", "amount"),
    [
        (("a 600k mortgage", "a 600,000 mortgage", "a 600 thousand mortgage"), "600000"),
        (("£4.2bn", "£4.2 billion", "£4,200,000,000", "£4.2 bln"), "4200000000"),
        (("$1.5m homes", "1.5 million homes", "1,500,000 homes"), "1500000"),
        (("five million people", "5mn people", "5000000 people"), "5000000"),
    ],
)
def test_an_amount_is_one_term_however_it_is_written(
    an: Analyzer, forms: tuple[str, ...], amount: str
) -> None:
    for form in forms:
        assert amount in an.terms(form), form


def test_a_question_in_billions_meets_an_amount_in_billions(an: Analyzer) -> None:
    assert set(an.terms("how many billions")) <= set(an.terms("Poland spent £5bn"))


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("the 100m sprint", ["100", "sprint"]),  # metres, not a million: no money before it
        ("Section 5 B", ["section", "5", "b"]),
        ("24 Grand Slams", ["24", "grand", "slams"]),
        ("1,5bn", ["1,5", "billion"]),  # no amount to multiply: the number and the magnitude's word
        ("9" * 30 + " million", ["9" * 30, "million"]),  # longer than any amount: left as written
    ],
)
def test_what_is_not_an_amount_is_its_words_one_by_one(an: Analyzer, text: str, words: list[str]) -> None:
    assert an.terms(text) == [term for word in words for term in an.terms(word)]


def test_list_of_numbers_keeps_each_number(an: Analyzer) -> None:
    assert an.terms("1, 2, 3") == an.terms("1") + an.terms("2") + an.terms("3")


def test_repeated_words_are_kept_for_term_frequency(an: Analyzer) -> None:
    assert an.terms("missile missile") == an.terms("missile") * 2


def test_terms_keep_the_order_of_the_words(an: Analyzer) -> None:
    assert an.terms("telescope orchard") == an.terms("telescope") + an.terms("orchard")


def test_punctuation_alone_has_no_terms(an: Analyzer) -> None:
    assert an.terms("?! ... -- ,;: ()") == []


def test_empty_text_has_no_terms(an: Analyzer) -> None:
    assert an.terms("") == []


def test_fold_removes_accents_and_case() -> None:
    assert fold("Šakalienė DOVILĖ") == "sakaliene dovile"


@pytest.mark.parametrize(
    ("amount", "spelled"),
    [("£4.2bn", "4.2 billion pounds"), ("€780m", "780 million euros"), ("$50", "50 dollars")],
)
def test_a_currency_sign_is_the_same_as_the_currency_named(an: Analyzer, amount: str, spelled: str) -> None:
    assert sorted(an.terms(amount)) == sorted(an.terms(spelled))


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        ("how tall is the lander?", "the 7.5-feet lander"),
        ("how fast does the rover go?", "two centimetres per second"),
        ("who runs ispace?", "CEO and founder Takeshi Hakamada"),
        ("how much did the bridge cost?", "The bridge cost €780m"),
        ("who's in charge of the museum?", "its director, Dr Eleanor Whitlock"),
        ("what are the treasures worth?", "valued for insurance purposes at about £6.8m"),
        ("who runs the central bank?", "Governor Andrew Castellan said"),
        ("who is in charge of the fans' trust?", "said the trust's chair, Nadia Okonkwo-Briggs"),
    ],
)
def test_a_question_asks_for_the_words_its_answer_uses(an: Analyzer, question: str, answer: str) -> None:
    query = an.query(question)
    assert set(query.extra) & set(an.terms(answer)) - set(query.terms)


def test_answer_words_stand_for_the_question_word_they_come_from(an: Analyzer) -> None:
    query = an.query("how tall is the lander?")
    (tall,) = an.terms("tall")
    assert set(an.terms("feet metres")) <= query.alternatives[tall]


def test_a_question_without_such_phrasing_asks_for_nothing_more(an: Analyzer) -> None:
    query = an.query("what is Poland's spending?")
    assert query.terms == an.terms("what is Poland's spending?")
    assert query.extra == [] and query.alternatives == {}


def test_lower_case_words_with_ing_or_ed_are_the_questions_verbs(an: Analyzer) -> None:
    query = an.query("who is fixing the warships Reading hosted?")
    assert query.verbs == set(an.terms("fixing hosted"))  # "Reading", with a capital, may be a name


def test_words_that_only_pad_a_question_are_not_terms(an: Analyzer) -> None:
    assert an.terms("where was it supposed to land, exactly?") == an.terms("where did it land?")
    assert an.terms("what happened to the orchards?") == an.terms("the orchards")


def test_a_place_joined_to_a_common_word_names_only_the_place(an: Analyzer) -> None:
    assert an.names("It is a Tokyo-based company.") == set(an.terms("Tokyo"))
    assert an.names("He met Tor-Erik Saether.") == set(an.terms("Tor Erik Saether"))


def full_analysis(an: Analyzer, text: str) -> list[str]:
    """Analyzer.terms without the shortcut of ``words`` for one plain word."""
    return [an._stem(w) for w in _words_of(text) if w not in STOP_WORDS]


def known_words() -> list[str]:
    lists = (AMERICAN_TO_BRITISH, IRREGULAR_FORMS, PLACES, SYNONYMS, ABBREVIATIONS, SHORTHAND, PHRASES)
    found = {w for mapping in lists for key in mapping for w in key.split()}
    found |= set(STOP_WORDS) | {
        "percent",
        "percentage",
        "pct",
        "per",
        "cent",
        "five",
        "billion",
        "bn",
        "m",
        "k",
    }
    return sorted(w for w in found if w.isascii() and w.isalpha() and w.islower())


def test_one_plain_word_is_analysed_as_in_any_text(an: Analyzer) -> None:
    for word in known_words():
        assert an.terms(word) == full_analysis(an, word), word


@settings(max_examples=300, deadline=None)
@given(st.from_regex(r"[a-z]{1,14}", fullmatch=True))
def test_any_plain_word_is_analysed_as_in_any_text(word: str) -> None:
    an = Analyzer()
    assert an.terms(word) == full_analysis(an, word)


@pytest.mark.parametrize(
    "text",
    [
        "It cost $ 5m, or USD 5m.",
        "Five Million homes, 1,5 bn and 600k.",
        "The 100m sprint",
        "A £4.2 billion deal",
    ],
)
def test_the_words_and_amounts_of_a_text_give_its_terms(an: Analyzer, text: str) -> None:
    wanted = set(an.terms(text))
    assert {t for _, _, terms in matching_words(an, text, wanted) for t in terms} == wanted


def test_words_matched_one_by_one_give_what_the_whole_text_gives(an: Analyzer) -> None:
    text = "The United States spent £5bn, 5% more, on its armed forces, Japan £4.2 billion, Peru USD 5m."
    text += " Northern Ireland's government"
    wanted = set(an.terms(text))
    found = matching_words(an, text, wanted)
    assert {t for _, _, terms in found for t in terms} == wanted
    shown = {text[start:end] for start, end, _ in found}
    assert {"United States", "£5bn", "5%", "£4.2 billion", "USD 5m", "Northern Ireland"} <= shown


def _fold_one_character_at_a_time(text: str) -> str:
    """``fold`` as it was written before plain text got a shorter path: the reference."""
    text = unicodedata.normalize("NFKC", text).translate(_FOLD)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


@settings(max_examples=300)
@given(st.text(st.characters(codec="utf-8"), max_size=60) | st.text(string.printable, max_size=60))
def test_folding_plain_text_the_short_way_gives_what_the_long_way_gives(text: str) -> None:
    assert fold(text) == _fold_one_character_at_a_time(text)


@pytest.mark.parametrize(
    "text", ["`Quoted`, he said", "Don\u2019t \u201cpanic\u201d", "ﬁne ½ İstanbul ß", "café\u0301"]
)
def test_folding_text_with_quotes_and_ligatures_gives_what_the_long_way_gives(text: str) -> None:
    assert fold(text) == _fold_one_character_at_a_time(text)


# The patterns as first written; index.text.analysis writes them to start with a character class.
_AS_WRITTEN = {
    "_PERCENT": r"%|\bper\s*cent\b|\bpercentage\b|\bpct\b",
    "_US_UPPER": r"\bU\.S\.(?:A\.)?|\bU\.S\b|\bUSA?\b",
    "_UK_UPPER": r"\bU\.K\.?",
    "_THE_US": r"\bthe us\b",
}
_PIECES = ["%", "per", "cent", "percentage", "pct", " ", "\n", "U", "S", "A", "K", ".", "the us", "the"]
_PIECES += ["us", "x", "_", "1", "é", "p", "t", "USA", "U.S.A.", "U.K.", "th", "pe", "rcent"]


@settings(max_examples=500)
@given(
    st.sampled_from(sorted(_AS_WRITTEN)),
    st.lists(st.sampled_from(_PIECES), max_size=10) | st.text(max_size=30),
)
def test_patterns_written_for_speed_match_what_they_were_written_from(
    name: str, pieces: list[str] | str
) -> None:
    text = "".join(pieces)
    fast, written = getattr(analysis, name), re.compile(_AS_WRITTEN[name])
    assert fast.sub("#", text) == written.sub("#", text)
    assert bool(fast.fullmatch(text)) == bool(written.fullmatch(text))


def test_a_capitalised_plain_word_is_analysed_as_in_running_text() -> None:
    """``words`` takes a shortcut for one plain word in lower or title case; it must give what
    the full analysis gives, for every word that has a vector and every word of the seeds."""
    import re
    from pathlib import Path

    from index.answer.meaning import word_vectors

    root = Path(__file__).resolve().parents[2]
    seen = set(word_vectors().row)
    for path in (root / "seeds").glob("*.txt"):
        seen.update(w.lower() for w in re.findall(r"[A-Za-z]+", path.read_text(encoding="utf-8")))
    for word in sorted(seen):
        for written in (word, word.title()):
            assert words(written) == _words_of(written), written
