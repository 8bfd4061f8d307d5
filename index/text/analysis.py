"""Turning text into index terms: the same code for passages and for questions.

Both sides must agree exactly, or a question can never match the passage that answers it;
that is why there is one ``Analyzer`` and nothing else tokenises.
"""

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

import Stemmer

from index.text.vocabulary import (
    ABBREVIATIONS,
    AMERICAN_TO_BRITISH,
    ANSWER_WORDS,
    IRREGULAR_FORMS,
    IZE_EXCEPTIONS,
    PHRASES,
    PLACES,
    SHORTHAND,
    SYNONYMS,
)

# The index keeps what this analysis made of every passage (its terms, names and sentences), so a
# database written under another version is rebuilt, never mixed with questions analysed anew.
# Bump it with any change to that: tests/index/test_store.py notices one made without a bump.
ANALYSIS_VERSION = "13"

# Letters that Unicode does not decompose into a base letter plus a combining mark.
_FOLD = str.maketrans(
    {
        "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ß": "ss", "æ": "ae",
        "Æ": "AE", "œ": "oe", "Œ": "OE", "ı": "i", "þ": "th", "ð": "d",
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "`": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"',
        "\u2013": "-", "\u2014": "-", "\u2212": "-",
    }
)  # fmt: skip

_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+(?:'[^\W\d_]+)*")
_THOUSANDS = re.compile(r",(?=\d{3}(?:\D|$))")

STOP_WORDS = frozenset(
    """
    a about again all am an and any are aren as at be because been being both but by can cannot
    could couldn did didn do does doesn doing don each few for from had hadn has hasn have haven
    having he her here hers herself him himself his how i if in into is isn it its itself just let
    me more most mustn my myself no nor not now of on only or other ought our ours ourselves own
    same shan she should shouldn so some such than that the their theirs them themselves then there
    these they this those through to too until very was wasn we were weren what when where which
    while who whom why will with would wouldn you your yours yourself yourselves s t d ll m re
    ve y o us tell know say said says also please anything something thing things much many get got
    does supposed kind sort exactly actually really happen happens happened happening
    gets getting gotten saying tells telling knows knowing
    dont doesnt didnt isnt arent wasnt werent hasnt havent hadnt cant couldnt wont wouldnt
    shouldnt mustnt neednt shant aint whats whos wheres whens hows thats theres
    """.split()
)


def fold(text: str) -> str:
    """Normalise Unicode and fold case and accents, so "Šakalienė" and "sakaliene" are one word.

    Most text is ASCII, or becomes ASCII once its quotes and dashes are folded: that takes no pass
    character by character (it was a third of a re-index's analysis, and re-ordering folds a few
    dozen passages a question).
    """
    if text.isascii():
        return text.translate(_FOLD).lower()
    text = unicodedata.normalize("NFKC", text).translate(_FOLD)
    if text.isascii():
        return text.casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


# Numbers and units written the ways news writes them: "5%", "5 per cent", "five percent".
# The same as r"%|\bper\s*cent\b|\bpercentage\b|\bpct\b", written to start with a character class
# (a word boundary is then checked behind it): re then skips ahead to the next "%" or "p" instead
# of trying every position, which made this one substitution a quarter of analysing a passage.
# The patterns below are written the same way for the same reason (tests/index/test_analysis.py).
_PERCENT = re.compile(r"[%p](?:(?<=%)|(?<=\bp)(?:er\s*cent\b|ercentage\b|ct\b))")
_NUMBER_WORDS = {
    word: str(n)
    for n, word in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen"
        " fifteen sixteen seventeen eighteen nineteen twenty".split()
    )
} | {
    "thirty": "30",
    "forty": "40",
    "fifty": "50",
    "sixty": "60",
    "seventy": "70",
    "eighty": "80",
    "ninety": "90",
}
# After a number, a magnitude makes one amount: "£128bn", "£128 billion" and "£128,000,000,000" share
# the term "128000000000". The magnitude's word is kept too, for "how many billions ...?".
_MAGNITUDES = {
    "thousand": "thousand", "million": "million", "mn": "million", "mln": "million", "mil": "million",
    "billion": "billion", "bn": "billion", "bln": "billion", "trillion": "trillion", "tn": "trillion",
    "k": "thousand",
}  # fmt: skip
# "m" and "b" are magnitudes only after an amount of money ("$5m"): "the 100m sprint" is a race.
_MONEY_MAGNITUDES = {"m": "million", "b": "billion"}
_CURRENCY_WORDS = frozenset({"pounds", "euros", "dollars"})
_ZEROS = {"thousand": 3, "million": 6, "billion": 9, "trillion": 12}
_MAGNITUDE_WORDS = frozenset(_MAGNITUDES) | frozenset(_MONEY_MAGNITUDES)
_LONGEST_AMOUNT = 20  # digits; a longer number is left as written


def _times(number: str, magnitude: str) -> str | None:
    """``number`` times ``magnitude``, written as digits; None if ``number`` is no amount ("1.2.3",
    "1,5") or longer than any amount news writes."""
    if len(number) > _LONGEST_AMOUNT:
        return None
    try:
        value = Decimal(number).scaleb(_ZEROS[magnitude])
    except InvalidOperation:
        return None
    return str(int(value)) if value == value.to_integral_value() else format(value.normalize(), "f")


def _magnitude(token: str, before: list[str]) -> str | None:
    """The magnitude ``token`` names after the words ``before`` it, if it follows a number."""
    if not before or not before[-1][0].isdigit():
        return None
    if token in _MONEY_MAGNITUDES:
        return _MONEY_MAGNITUDES[token] if len(before) > 1 and before[-2] in _CURRENCY_WORDS else None
    return _MAGNITUDES.get(token)


# "US" and "U.S." are the country, "us" is a pronoun: decided before case is folded away.
_US_UPPER = re.compile(r"U(?<=\bU)(?:\.S\.(?:A\.)?|\.S\b|SA?\b)")  # \bU\.S\.(?:A\.)?|\bU\.S\b|\bUSA?\b
_UK_UPPER = re.compile(r"U(?<=\bU)\.K\.?")  # \bU\.K\.?
_THE_US = re.compile(r"t(?<=\bt)he us\b")  # \bthe us\b
_PHRASE = re.compile(r"\b(?:" + "|".join(sorted(PHRASES, key=len, reverse=True)) + r")\b")
_PHRASE_WORDS = frozenset(word for phrase in PHRASES for word in re.split(r"\W+", phrase))
_CURRENCY = {"£": " pounds ", "€": " euros ", "$": " dollars "}
_CURRENCY_SIGN = re.compile("[£€$]")
_CANONICAL = AMERICAN_TO_BRITISH | IRREGULAR_FORMS | PLACES | ABBREVIATIONS
# Question only: a chat's shorthand (as written, lower case: "Max" is a name) and synonyms.
_QUESTION_WORD = re.compile(r"[^\W\d_]+")
_QUESTION_PHRASES = [(re.compile(rf"\b{p}\b"), p) for p in SYNONYMS if " " in p]


# American endings and the British ones (-yze is always the American -yse: "analyze", "paralyzed").
_AMERICAN_ENDINGS = (
    ("ization", "isation"), ("izing", "ising"), ("ized", "ised"), ("izes", "ises"), ("ize", "ise"),
    ("yzing", "ysing"), ("yzed", "ysed"), ("yzes", "yses"), ("yzers", "ysers"), ("yzer", "yser"),
    ("yze", "yse"),
)  # fmt: skip


def canonical(word: str) -> str:
    """The word a spelling, form or name counts as ("defense" → "defence", "Japanese" → "japan")."""
    word = _CANONICAL.get(word, word)
    if ("iz" in word or "yz" in word) and word not in IZE_EXCEPTIONS:
        for american, british in _AMERICAN_ENDINGS:
            if word.endswith(american):
                return word[: -len(american)] + british
    return word


def _word(token: str) -> str:
    """The word a token of letters counts as: a number word's digits, or its canonical form."""
    return _NUMBER_WORDS.get(token) or canonical(token)


def words(text: str) -> list[str]:
    """Folded words and numbers, possessives removed ("Poland's" → "poland"), before stop words."""
    if text.isascii() and text.isalpha() and (text.islower() or text.istitle()):
        # One plain word, as marking a hit and re-ordering analyse them: no pass of ``_words_of``
        # before tokenising changes it but folding case and the one for "percent", so its one
        # token is taken as is ("US" in capitals is no plain word: it is the country).
        lower = text.lower()
        if lower not in _PHRASE_WORDS:
            return [_word("percent" if _PERCENT.fullmatch(lower) else lower)]
    return _words_of(text)


def _words_of(text: str) -> list[str]:
    text = _UK_UPPER.sub(" uk ", _US_UPPER.sub(" usa ", unicodedata.normalize("NFKC", text)))
    text = _CURRENCY_SIGN.sub(lambda m: _CURRENCY[m.group(0)], text)
    text = _PHRASE.sub(lambda m: f" {PHRASES[m.group(0)]} ", _THE_US.sub("the usa", fold(text)))
    out: list[str] = []
    for token in _TOKEN.findall(_PERCENT.sub(" percent ", text)):
        if token[0].isdigit():
            out.append(_THOUSANDS.sub("", token))
            continue
        if token.endswith("'s"):
            token = token[:-2]
        token = token.replace("'", "")
        if token in _MAGNITUDE_WORDS and (magnitude := _magnitude(token, out)):
            out[-1] = _times(out[-1], magnitude) or out[-1]
            out.append(magnitude)
            continue
        out.append(_word(token))
    return out


@dataclass(frozen=True, slots=True)
class Query:
    """A question's terms, and the words its phrasing asks for ("how tall" → "feet", "metres")."""

    terms: list[str]
    extra: list[str]  # answer words that are not among ``terms``
    alternatives: dict[str, frozenset[str]]  # a question term -> terms an answer may use instead
    verbs: frozenset[str] = frozenset()  # terms of words written "-ing" or "-ed": never names
    # Terms a question's synonyms and shorthand add beside its own ("ppl" -> "people"): they score
    # and match like the others, but the term they stand beside is what the question asked.
    expansions: frozenset[str] = frozenset()


_INFLECTED = re.compile(r"\b[a-z]{2,}(?:ing|ed)\b")  # written in lower case: a capital may be a name
_ANSWER_PHRASES = [(re.compile(rf"\b{phrase}\b"), phrase, words) for phrase, words in ANSWER_WORDS.items()]


_ROUGH_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_VECTOR_WORD = re.compile(r"[a-z]+|[0-9]+")


def rough_sentences(text: str) -> list[str]:
    """Sentences ended at a full stop only: re-ordering reads a few dozen passages a question, and
    the segmenter's finer rules (index/ingest/passages.py) would cost more than they change."""
    return _ROUGH_SENTENCE_END.split(text)


def vector_words(text: str) -> list[str]:
    """The folded runs of letters and of digits in ``text``: the words the word vectors hold."""
    return _VECTOR_WORD.findall(fold(text))


class Analyzer:
    """Folds, tokenises, drops stop words and stems (Snowball English, via PyStemmer). The one
    tokeniser of Byline: every other module asks it for words and terms."""

    WORD_CACHE = 200_000  # words whose terms are remembered (news repeats its words)

    def __init__(self) -> None:
        self._stemmer = Stemmer.Stemmer("english")
        # ``_stem`` remembers its words; PyStemmer's own cache would only slow a miss down (it
        # purges half of itself when full: 3.4 us a new word against 0.9 us without it).
        self._stemmer.maxCacheSize = 0
        self._word_terms: dict[str, tuple[str, ...]] = {}

    def word_terms(self, word: str) -> tuple[str, ...]:
        """The terms of one word as written, analysed alone (remembered)."""
        terms = self._word_terms.get(word)
        if terms is None:
            if len(self._word_terms) >= self.WORD_CACHE:
                self._word_terms.clear()
            terms = self._word_terms[word] = tuple(self.terms(word))
        return terms

    def terms(self, text: str) -> list[str]:
        """The index terms of ``text``, in order, repeats kept (BM25 counts them)."""
        return [self._stem(w) for w in words(text) if w not in STOP_WORDS]

    def query(self, question: str) -> Query:
        """The terms of a question, with the answer words its phrasing asks for."""
        terms = self.terms(question)
        folded = fold(question)
        extra: list[str] = []
        alternatives: dict[str, frozenset[str]] = {}
        for pattern, phrase, answer_words in _ANSWER_PHRASES:
            if not pattern.search(folded):
                continue
            found = self.terms(answer_words)
            extra += [t for t in found if t not in terms and t not in extra]
            for term in self.terms(phrase):  # "tall" in "how tall"; "why" has no term
                alternatives[term] = alternatives.get(term, frozenset()) | set(found)
        expansions: set[str] = set()
        for source, meant in self._question_words(question, folded):
            own, added = self.terms(source), self.terms(meant)
            new = [t for t in added if t not in terms]
            terms = terms + new
            if own:
                expansions.update(new)
                for term in own:
                    alternatives[term] = alternatives.get(term, frozenset()) | set(added)
        extra = [t for t in extra if t not in terms]
        # "fixing" is a verb, though the articles' only "Fix" is Jeremy Fix: names take no -ing/-ed.
        verbs = frozenset(term for word in _INFLECTED.findall(question) for term in self.terms(word))
        return Query(terms, extra, alternatives, verbs, frozenset(expansions))

    @staticmethod
    def _question_words(question: str, folded: str) -> list[tuple[str, str]]:
        """(word or phrase, what it may mean) for each synonym and piece of shorthand in a
        question; a synonym's own synonym too ("armed forces" -> "military" -> "defence")."""
        found = [(p, SYNONYMS[p]) for pattern, p in _QUESTION_PHRASES if pattern.search(folded)]
        for word in _QUESTION_WORD.findall(question):
            lower = fold(word)
            if word in SHORTHAND:
                found.append((word, SHORTHAND[word]))
            elif lower in SYNONYMS:
                found.append((lower, SYNONYMS[lower]))
        for source, meant in list(found):
            if meant in SYNONYMS:
                found.append((source, SYNONYMS[meant]))
        return found

    @lru_cache(maxsize=200_000)  # noqa: B019 - one Analyzer lives as long as the process
    def _stem(self, word: str) -> str:
        if word[0].isdigit():
            return word
        stemmed: str = self._stemmer.stemWord(word)  # PyStemmer is untyped
        return stemmed

    def names(self, text: str, anywhere: bool = False) -> set[str]:
        """Terms of the words written with a capital inside a sentence: the names in ``text``.

        A question's names ("Germany", "SpaceX") are what it is about; an answer must mention them.
        With ``anywhere``, capitalised words that open a sentence count too (an article's list of
        what it mentions, where "Swedish Defence Minister ..." may well open a sentence).
        """
        found: set[str] = set()
        text = unicodedata.normalize("NFKC", text)
        for match in _CAPITALISED.finditer(text):
            if anywhere or not _opens_sentence(text, match.start()):
                # "Tokyo-based" names Tokyo, not "based"; "Tor-Erik" and "US-Japan" are names throughout.
                for part in match.group(0).split("-"):
                    if part[:1].isupper():
                        found.update(self.terms(part))
        return found


_CAPITALISED = re.compile(r"\b[A-Z][\w'’.-]*")
_SENTENCE_START_AFTER = frozenset(".!?:;\"'‘“(–—-•")


def _opens_sentence(text: str, at: int) -> bool:
    """True when the word at ``at`` starts the text or follows sentence punctuation."""
    i = at - 1
    while i >= 0 and text[i].isspace():
        i -= 1
    return i < 0 or text[i] in _SENTENCE_START_AFTER


class RememberingAnalyzer(Analyzer):
    """The same analysis, remembering the terms of short texts: finding names and highlighting
    a hit analyse text word by word, and words repeat, so most of that is answered from memory."""

    SHORT = 40
    LIMIT = 200_000

    def __init__(self) -> None:
        super().__init__()
        self._short: dict[str, tuple[str, ...]] = {}

    def terms(self, text: str) -> list[str]:
        if len(text) > self.SHORT:
            return super().terms(text)
        known = self._short.get(text)
        if known is None:
            known = tuple(super().terms(text))
            if len(self._short) < self.LIMIT:
                self._short[text] = known
        return list(known)
