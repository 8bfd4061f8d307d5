"""bot.render_admin: /stats within Discord's limits however much there is to show."""

from bot import render, render_admin
from index.feedback.report import DownVoted, FeedbackReport, QuestionGroup


def test_a_large_report_stays_within_discords_limits_and_says_what_did_not_fit() -> None:
    report = FeedbackReport(
        3650,
        days=[{"day": f"2026-01-{n % 28 + 1:02}", "questions": n, "confident": n // 2} for n in range(400)],
        questions=10_000,
        confident=5_000,
        votes_up=3,
        votes_down=4,
        down_voted=[
            DownVoted(
                "@everyone " * 50, 9, 1, {"no-answer": 9}, "a", "**T** " * 80, "<@1> " * 50, 3, "f.md", "x"
            )
            for _ in range(10)
        ],
        not_confident=[QuestionGroup(["w"] * 40, ["@everyone " * 50] * 30) for _ in range(20)],
        not_confident_unkept=7,
    )
    embed = render_admin.stats_embed(report, keeping=False)
    assert render.embed_size(embed) <= render.EMBED_MAX
    assert all(len(f["value"]) <= render.FIELD_VALUE_MAX for f in embed["fields"])
    assert embed["fields"][0]["value"].endswith("more")
    assert "@everyone" not in "".join(f["value"] for f in embed["fields"])  # escaped, never a ping
    assert "BYLINE_KEEP_QUESTIONS=1" in embed["description"]


def test_an_empty_report_says_so() -> None:
    embed = render_admin.stats_embed(FeedbackReport(30), keeping=True)
    assert embed["description"] == "**0** questions · **0** answered confidently\nVotes: **0** 👍 · **0** 👎"
    assert embed["fields"] == []


def test_a_field_shows_its_last_line_when_it_fits_without_the_count_of_those_left_out() -> None:
    lines = ["x" * 500, "y" * 520]  # 500 + 1 + 520 = 1021: both fit, with no "…and 1 more" after them
    field = render_admin._field("Skipped (2)", lines)
    assert field["value"] == "\n".join(lines)
    lines.append("z" * 10)
    field = render_admin._field("Skipped (3)", lines)
    assert field["value"] == f"{'x' * 500}\n…and 2 more"
    assert len(field["value"]) <= render.FIELD_VALUE_MAX
