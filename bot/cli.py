"""The `byline` command line: the same library the Discord bot uses, for people and scripts.

Every error a user can cause becomes one line on stderr here, in ``main``; exit codes are
0 for success, 2 for usage errors (bad arguments, empty or over-long questions, bad settings)
and 1 for other failures.
"""

import argparse
import asyncio
import json
import logging
import os
import shutil
import sqlite3
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path

from index import Answer, BylineError, Hit, Library, QuestionError, ReindexReport, clean_question, repair
from index.evaluation import EvalReport, evaluate, load_questions
from index.library import check_seeds_folder

from .settings import Settings, SettingsError, load_settings

log = logging.getLogger("byline")


class UsageError(BylineError):
    """Bad arguments: exit code 2."""


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--database", help="SQLite file of the index (default: BYLINE_DATABASE or byline.db)")
    common.add_argument("--seeds-dir", help="folder of article files (default: BYLINE_SEEDS_DIR or seeds)")
    json_flag = argparse.ArgumentParser(add_help=False)
    json_flag.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    top_k = argparse.ArgumentParser(add_help=False)
    top_k.add_argument(
        "--top-k", type=int, metavar="K", help="how many passages (default: BYLINE_TOP_K or 5)"
    )

    parser = argparse.ArgumentParser(
        prog="byline",
        description="Byline answers questions about news articles with sourced passages (BM25).",
        epilog="Settings come from BYLINE_* environment variables or .env; see .env.example.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    ask = sub.add_parser(
        "ask",
        parents=[common, json_flag, top_k],
        help="answer a question from the articles",
        description="Answer a question with the best passages and their sources. "
        "Builds the index from the seeds folder first if there is none yet.",
    )
    ask.add_argument("question", help='the question, e.g. "what is Poland\'s spending?"')
    sub.add_parser(
        "reindex",
        parents=[common, json_flag],
        help="re-read the seeds folder (new, changed and removed files)",
        description="Bring the index in line with the seeds folder; "
        "reports what changed and what was skipped.",
    )
    sub.add_parser(
        "sources",
        parents=[common, json_flag],
        help="list the indexed articles",
        description="List the indexed articles.",
    )
    ev = sub.add_parser(
        "eval",
        parents=[common, json_flag, top_k],
        help="measure retrieval quality on a file of questions",
        description="Measure hit@1, hit@3, MRR and the no-answer rate on a JSONL file of "
        '{"q": ..., "gold": [...]} '
        "lines (gold: phrases the answering passage contains; [] when the articles cannot answer).",
    )
    ev.add_argument("questions", type=Path, help="the JSONL file of questions")
    sub.add_parser(
        "run",
        parents=[common],
        help="start the Discord bot",
        description="Start the Discord bot (needs BYLINE_DISCORD_TOKEN). Slash commands are synced "
        "on start-up: to BYLINE_GUILD_ID at every start if it is set, else globally when their "
        "definitions changed. `python -m bot` does the same.",
    )
    sub.add_parser(
        "sync",
        parents=[common],
        help="push the slash-command definitions to Discord",
        description="Log in to Discord over HTTP (no gateway), sync the slash commands "
        "(to BYLINE_GUILD_ID if set, else globally) whether or not they changed, and exit.",
    )
    return parser


# Control characters (C0, DEL, C1) and the bidirectional overrides that reorder what a terminal
# shows: an article could otherwise set the terminal's title, colour it, or hide a link (OSC 8).
_CONTROLS = {
    code: (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
    for code in [*range(0x20), *range(0x7F, 0xA0), *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
} | {ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t"}


def printable(text: str) -> str:
    """``text`` with every control character written as an escape (``\\x1b``), so that what an
    article or a file name holds is shown, never obeyed, by the terminal. The one place where the
    text output is made safe: every string from an article or a file name passes through here."""
    return text.translate(_CONTROLS)


def _wrap(text: str, indent: str = "   ") -> str:
    width = min(shutil.get_terminal_size((100, 20)).columns, 100)
    return textwrap.fill(text, width=width, initial_indent=indent, subsequent_indent=indent)


def attribution(outlet: str | None, title: str, published: str | None, paragraph: int) -> str:
    parts = [printable(outlet or "Unknown outlet"), f"“{printable(title)}”"]
    if published:
        parts.append(printable(published))
    parts.append(f"paragraph {paragraph}")
    return " · ".join(parts)


def _emphasise(hit: Hit, bold: bool) -> str:
    """The passage with its best sentence in bold (on a terminal only)."""
    if not bold or hit.sentence is None:
        return printable(hit.text)
    start, end = hit.sentence
    text = hit.text
    return f"{printable(text[:start])}\033[1m{printable(text[start:end])}\033[0m{printable(text[end:])}"


def render_answer(answer: Answer, bold: bool = False) -> str:
    if not answer.hits:
        return (
            f"Nothing in the articles answers “{printable(answer.question)}”.\n"
            "Try other words, or `byline sources` to see what is indexed."
        )
    lines = []
    for hit in answer.hits:
        a = hit.article
        lines.append(
            f"{hit.rank}. {attribution(a.outlet, a.title, a.published, hit.paragraph)}"
            f"  (score {hit.score:.2f})"
        )
        lines.append(_wrap(_emphasise(hit, bold)))
        lines.append(f"   source: {printable(a.source)}")
        lines.append("")
    return "\n".join(lines).rstrip()


def render_report(report: ReindexReport) -> str:
    lines = [
        f"Re-indexed in {report.seconds:.2f} s: {report.added} added, {report.updated} updated, "
        f"{report.removed} removed, {report.unchanged} unchanged.",
        f"Index: {report.articles} articles, {report.passages} passages.",
    ]
    for skipped in report.skipped:
        lines.append(f"Skipped {printable(skipped.source)}: {printable(skipped.reason)}")
    return "\n".join(lines)


def render_eval(report: EvalReport) -> str:
    lines = [
        f"{report.answerable} answerable and {report.unanswerable} unanswerable questions, "
        f"top {report.top_k}:",
        f"  hit@1 {report.hit_at_1:.3f}   hit@3 {report.hit_at_3:.3f}   MRR {report.mrr:.3f}   "
        f"no-answer {report.no_answer:.3f}",
    ]
    if report.misses:
        lines.append("")
        lines.append("Misses:")
    for miss in report.misses:
        where = (
            "no answer expected"
            if not miss.gold
            else (f"right passage at rank {miss.rank}" if miss.rank else "right passage not in the top k")
        )
        lines.append(f"- {printable(miss.question)}  [{where}]")
        if miss.gold:
            lines.append(f"    expected: {printable(' | '.join(miss.gold))}")
        lines.append(f"    first:    {printable(miss.first or '(no hits)')}")
    return "\n".join(lines)


def _emit(args: argparse.Namespace, obj: dict, text: str) -> None:
    print(json.dumps(obj, ensure_ascii=False) if args.json else text)


async def _open(args: argparse.Namespace, settings: Settings, build: bool) -> Library:
    library = await Library.open(database=settings.database, seeds_dir=settings.seeds_dir)
    if build:
        try:
            report = await library.ensure_indexed()
        except BaseException:
            await library.close()
            raise
        if report is not None:
            print(
                f"Built the index from {settings.seeds_dir}/: {report.articles} articles, "
                f"{report.passages} passages ({report.seconds:.2f} s).",
                file=sys.stderr,
            )
            for skipped in report.skipped:
                print(f"Skipped {printable(skipped.source)}: {printable(skipped.reason)}", file=sys.stderr)
    return library


def _check_seeds(settings: Settings) -> None:
    if not settings.database.exists():
        check_seeds_folder(settings.seeds_dir)  # nothing to answer from: say so before creating a database


def _discord(args: argparse.Namespace, settings: Settings) -> int:
    """`byline run` and `byline sync`; discord.py is imported only for these."""
    from .app import require_token, run_bot, sync_commands
    from .logs import configure_logging

    token = require_token(settings)
    configure_logging(settings.log_level, secrets=[token])
    if args.command == "run":
        _check_seeds(settings)
        asyncio.run(run_bot(settings))
        return 0
    synced = asyncio.run(sync_commands(settings))
    where = f"to guild {settings.guild_id}" if settings.guild_id else "globally"
    print(f"Synced {len(synced)} slash commands {where}: " + ", ".join(f"/{c.name}" for c in synced))
    return 0


async def _run(args: argparse.Namespace, settings: Settings) -> int:
    top_k = args.top_k if getattr(args, "top_k", None) is not None else settings.top_k
    if args.command == "reindex":
        async with await _open(args, settings, build=False) as library:
            report = await library.reindex()
        _emit(args, report.to_dict(), render_report(report))
        return 0
    if args.command == "ask":
        clean_question(args.question, top_k)  # a bad question is refused before any work
    async with await _open(args, settings, build=True) as library:
        if args.command == "ask":
            answer = await library.ask(args.question, top_k=top_k)
            _emit(args, answer.to_dict(), render_answer(answer, bold=sys.stdout.isatty()))
        elif args.command == "sources":
            summaries = await library.articles()
            text = (
                "\n".join(
                    f"{printable(s.article.source)}  {printable(s.article.outlet or '-')}  "
                    f"“{printable(s.article.title)}”  {printable(s.article.published or '-')}  "
                    f"({s.passages} passages)"
                    for s in summaries
                )
                or "No articles are indexed; put article files in the seeds folder and run `byline reindex`."
            )
            _emit(args, {"articles": [s.to_dict() for s in summaries]}, text)
        elif args.command == "eval":
            report = await evaluate(library, load_questions(args.questions), top_k=top_k)
            _emit(args, report.to_dict(), render_eval(report))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        settings = load_settings(database=args.database, seeds_dir=args.seeds_dir)
        logging.getLogger().setLevel(settings.log_level)
        if getattr(args, "top_k", None) is not None and not 1 <= args.top_k <= 50:
            raise UsageError("--top-k must be between 1 and 50")
        if args.command in ("run", "sync"):
            return _discord(args, settings)
        _check_seeds(settings)
        status = asyncio.run(_run(args, settings))
        # Flushed here, not at exit: a reader gone away (`| head`) is then caught below even when
        # stdout is block-buffered, as it is in a pipe without PYTHONUNBUFFERED.
        sys.stdout.flush()
        return status
    except (UsageError, QuestionError, SettingsError) as error:
        print(f"byline: {printable(error.message)}", file=sys.stderr)
        return 2
    except BylineError as error:
        print(f"byline: {printable(error.message)}", file=sys.stderr)
        return 1
    except sqlite3.DatabaseError as error:
        # Damaged since it was last checked: the next run checks it, sets it aside and rebuilds.
        repair.forget_check(settings.database)
        print(
            f"byline: the database {printable(str(settings.database))} cannot be read ({error}); "
            "run the command again to set it aside and rebuild it from the seeds folder",
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`byline ask ... | head`): stop quietly, as Unix tools do, and keep
        # Python's own flush at exit from failing on the closed pipe too.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


if __name__ == "__main__":
    sys.exit(main())
