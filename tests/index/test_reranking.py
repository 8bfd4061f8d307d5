"""Re-ordering the BM25 candidates and the verdict, from features any article has."""

from index.answer import reranking
from index.answer.pipeline import judge
from index.answer.ranker import LinearRanker
from index.answer.reranking import Candidate, Describer, answer_kind
from index.text.analysis import Analyzer

RANKER = LinearRanker()


def describer(question: str) -> Describer:
    analyzer = Analyzer()
    query = analyzer.query(question)
    return Describer(analyzer, query, dict.fromkeys(query.terms, 1.0), question)


def test_the_kind_of_answer_a_question_asks_for() -> None:
    assert answer_kind("how many jobs will go?") == "number"
    assert answer_kind("How much did the recall cost em") == "number"
    assert answer_kind("when does the line open") == "date"
    assert answer_kind("who runs the zoo?") is None


def test_a_passage_with_the_question_words_in_one_sentence_and_a_number_comes_first() -> None:
    question = "how many jobs will the plant create?"
    scattered = Candidate(
        10.0,
        "The plant was approved. Jobs were the council's worry. It will create debate.",
        "Vote",
        True,
        "a",
    )
    together = Candidate(
        9.0, "The plant will create 400 jobs, the company said.", "Plant approved", True, "b"
    )
    rows = describer(question).describe([scattered, together])
    assert rows[1][reranking.FEATURES.index("answer_type")] == 1.0
    assert rows[0][reranking.FEATURES.index("answer_type")] == 0.0
    assert RANKER.order(rows) == [1, 0]


def test_the_title_is_a_feature_not_a_term_of_the_passage() -> None:
    question = "why did the orangutan twins move?"
    rows = describer(question).describe(
        [Candidate(5.0, "They moved on Monday.", "Zoo orangutan twins move", True, "a")]
    )
    assert rows[0][reranking.FEATURES.index("title")] == 1.0
    assert rows[0][reranking.FEATURES.index("coverage")] < 1.0


def confident(d: Describer, candidates: list[Candidate]) -> bool:
    """The verdict on ``candidates`` as the pipeline reaches it: order, then judge the first."""
    rows = d.describe(candidates)
    ranked = RANKER.order(rows)
    texts = [candidates[i].text for i in ranked]
    judged = judge(d.analyzer, d, reranking.verdict_features(rows, ranked, unseen=0.0), texts, RANKER)
    return RANKER.confident(judged.confidence)


def test_the_verdict_is_not_confident_when_the_first_passage_misses_what_was_asked() -> None:
    d = describer("how much is the ceo of pennywell paid?")
    assert not confident(
        d,
        [
            Candidate(8.0, "Pennywell said profits would fall this year.", "Pennywell warns", True, "a"),
            Candidate(7.5, "Pennywell shares fell 12 per cent.", "Pennywell warns", True, "a"),
        ],
    )


def test_the_verdict_is_confident_when_the_first_passage_answers_it() -> None:
    d = describer("how much is the ceo of pennywell paid?")
    assert confident(
        d,
        [
            Candidate(12.0, "Pennywell's chief executive is paid £1.2m a year.", "Pennywell pay", True, "a"),
            Candidate(4.0, "Pennywell shares fell.", "Pennywell warns", True, "b"),
        ],
    )
