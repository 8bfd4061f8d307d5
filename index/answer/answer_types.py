"""What kind of thing a question asks for, and whether a sentence holds one.

"How much did it cost?" is answered by an amount of money, "how old is she?" by an age, "when"
by a date, "who" by a name the question does not already say. A sentence that repeats the
question's words without the thing asked for ("Council leader David Pryce admitted ...", asked
how old he is) is not the answer. These are rules of English questions, not of any article.
"""

import re
from dataclasses import dataclass

from index.text.analysis import Analyzer, fold

# (kind, pattern over the folded question); the first that matches wins.
_KINDS = [
    ("percent", r"\b(?:what|which) (?:percentage|proportion|share|per ?cent)\b|\bper ?cent\b|"
                r"\bhow much of\b"),
    ("age", r"\bhow old\b|\bwhat age\b|\bage of\b"),
    ("money", r"\bhow much\b[^?.]{0,80}?\b(?:cost|costs|pay|paid|spend|spent|worth|price|charge|"
              r"raise|raised|fine|"
              r"budget|earn|fund|funding|money|cash|salary|wage|bill|owe|lost|loss|profit|revenue|sell|sold"
              r"|bid|offer)\b|\b(?:what|how much) (?:is|was|will) the (?:price|cost|fine|budget|salary)\b|"
              r"\bhow much money\b|\bprice of\b|\bcost of\b"),
    ("measure", r"\bhow (?:long|far|big|large|tall|high|fast|heavy|deep|wide)\b"),
    ("count", r"\bhow (?:many|much|often)\b|\bwhat (?:number|amount)\b|\bnumber of\b"),
    ("date", r"\bwhen\b|\bwhat (?:year|date|day|month|time)\b|\bhow soon\b|\bby when\b"),
    ("name", r"\bwho(?:m|se|'s)?\b|\bwhich (?:company|firm|country|team|club|party|group|minister|"
             r"city|town|region|state|airport|bank|school|hospital)\b|\bwhere\b|\bwhat (?:company|firm|"
             r"country|city|town)\b"),
]
_KIND_PATTERNS = [(kind, re.compile(pattern)) for kind, pattern in _KINDS]
_DIGIT = re.compile(r"\d")
_YEAR = re.compile(r"\b(?:1[6-9]|20)\d\d\b")
_AGE = re.compile(r"\b(?:aged?|age of)\s+\d|\b\d+[- ]years?[- ]old\b|\b\d+s\b|,\s*\d{1,3},")
_MONEY = re.compile(
    r"[£$€¥₹%]|\b(?:pounds?|dollars?|euros?|rupees?|yen|crore|lakh|usd|gbp|eur|aud|cad|per ?cent)\b|"
    r"\d\s*(?:million|billion|bn|m|trillion)\b|\btimes as\b"
)
_PERCENT = re.compile(r"%|\bper ?cent|\bpercentage\b")
_AMOUNT = (
    r"(?:\d[\d.,]*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|"
    r"forty|fifty|a hundred|hundreds|dozens|several|a few|a couple of)"
)
_MEASURE = re.compile(
    _AMOUNT + r"\s*-?(?:km|kilomet|mile|met(?:re|er)|cm|mm|ft|feet|foot|inch|kg|kilo|tonne|ton|pound|lb|"
    r"hour|minute|second|day|week|month|year|mph|km/h|knot|hectare|acre|square|storey|floor|litre|gallon)"
)
_DATE_WORDS = re.compile(
    r"\b(?:january|february|march|april|may|june|july|august|september|october|november|december|"
    r"jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec|monday|tuesday|wednesday|thursday|friday|"
    r"saturday|sunday|yesterday|today|tomorrow|tonight|weekend|spring|summer|autumn|winter|"
    r"last (?:week|month|year)|next (?:week|month|year)|this (?:week|month|year)|ago)\b"
)
_NUMBER_WORDS = re.compile(
    r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozen|dozens|hundred|hundreds|"
    r"thousand|thousands|million|millions|billion|half|third|quarter|twice|double|triple)\b"
)


def asked_for(question: str) -> str | None:
    """The kind of thing ``question`` asks for: percent, age, money, measure, count, date, name."""
    folded = fold(question)
    return next((kind for kind, pattern in _KIND_PATTERNS if pattern.search(folded)), None)


@dataclass(frozen=True, slots=True)
class AnswerType:
    """A question's kind, with what it needs to check a sentence for it."""

    kind: str | None
    analyzer: Analyzer
    question_terms: frozenset[str]

    def held_by(self, sentence: str) -> bool:
        """Whether ``sentence`` holds the kind of thing asked for (False when nothing is asked)."""
        kind = self.kind
        if kind is None:
            return False
        folded = fold(sentence)
        if kind == "percent":
            return bool(_PERCENT.search(folded))
        if kind == "age":
            return bool(_AGE.search(folded))
        if kind == "money":
            return bool(_MONEY.search(folded))
        if kind == "measure":
            return bool(_MEASURE.search(folded))
        if kind == "count":
            return bool(_DIGIT.search(folded) or _NUMBER_WORDS.search(folded))
        if kind == "date":
            return bool(_YEAR.search(folded) or _DATE_WORDS.search(folded))
        return bool(self.analyzer.names(sentence) - self.question_terms)
