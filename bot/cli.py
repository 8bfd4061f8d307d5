"""The `byline` command line: the same library the Discord bot uses, for people and scripts.

This module parses the arguments and runs the commands; what they print for a person is made in
bot/terminal.py, and ``--json`` prints each result's own ``to_dict``.

Every error a user can cause becomes one line on stderr here, in ``main``; exit codes are
0 for success, 2 for usage errors (bad arguments, empty or over-long questions, bad settings)
and 1 for other failures.

Each command imports what only it uses when it runs, and the arguments are parsed before
anything heavy is imported: ``byline --help`` loads neither the library (numpy, aiosqlite) nor
pydantic, and ``byline ask`` neither discord nor the feedback and evaluation modules
(tests/bot/test_cli_imports.py).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from index import MAX_TOP_K, BylineError, QuestionError

from .defaults import DEFAULT_TOP_K, REPORT_DAYS

if TYPE_CHECKING:
    from index import Library

    from .settings import Settings

log = logging.getLogger("byline")


class UsageError(BylineError):
    """Bad arguments: exit code 2."""


_DISCORD_ID = re.compile(r"[1-9][0-9]{16,19}")


def discord_id(text: str) -> int:
    """A Discord user id as people copy it: a positive integer of 17 to 20 digits, nothing else
    (not -1, 0 or Python's ``4_2``, which ``int`` would take)."""
    if not _DISCORD_ID.fullmatch(text.strip()):
        raise argparse.ArgumentTypeError(
            f"{text[:40]!r} is not a Discord user id (a number of 17 to 20 digits; in Discord: "
            "Developer Mode, then right-click the user > Copy User ID)"
        )
    return int(text)


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--database", help="SQLite file of the index (default: BYLINE_DATABASE or byline.db)")
    common.add_argument("--seeds-dir", help="folder of article files (default: BYLINE_SEEDS_DIR or seeds)")
    json_flag = argparse.ArgumentParser(add_help=False)
    json_flag.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    top_k = argparse.ArgumentParser(add_help=False)
    top_k.add_argument(
        "--top-k",
        type=int,
        metavar="K",
        help=f"how many passages, 1 to {MAX_TOP_K} (default: BYLINE_TOP_K or {DEFAULT_TOP_K})",
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
        description="Measure hit@1, hit@3 and MRR over the passages shown, and the verdict (the share "
        "of answerable questions whose right passage is first marked confident; of unanswerable ones, "
        'marked not confident), on a JSONL file of {"q": ..., "gold": [...]} lines (gold: phrases '
        "the answering passage contains; [] when the articles cannot answer).",
    )
    ev.add_argument("questions", type=Path, help="the JSONL file of questions")
    report = sub.add_parser(
        "report",
        parents=[common, json_flag],
        help="questions asked, answered confidently, votes, and what could not be answered",
        description="Questions asked on Discord (not with `byline ask`) per day, the share answered "
        "confidently, the votes, the most down-voted passages, and the questions not answered "
        "confidently grouped by their words "
        "(their text is kept only with BYLINE_KEEP_QUESTIONS=1).",
    )
    report.add_argument(
        "--since",
        type=int,
        default=REPORT_DAYS,
        metavar="DAYS",
        help=f"the last DAYS days (default: {REPORT_DAYS})",
    )
    forget = sub.add_parser(
        "forget",
        parents=[common, json_flag],
        help="delete the votes and kept questions of one Discord user",
        description="Delete everything one Discord user left: their votes and the questions they "
        "asked (the anonymous record of each answer stays).",
    )
    forget.add_argument(
        "user_id", type=discord_id, metavar="USER_ID", help="the user's Discord id (17 to 20 digits)"
    )
    sub.add_parser(
        "run",
        parents=[common],
        help="start the Discord bot",
        description="Start the Discord bot (needs BYLINE_DISCORD_TOKEN). Slash commands are synced "
        "on start-up: to BYLINE_GUILD_ID at every start if it is set, else globally when their "
        "definitions changed. SIGTERM or Ctrl-C stops it cleanly: the questions in flight are "
        "answered, then it exits 0. `python -m bot` does the same.",
    )
    status = sub.add_parser(
        "status",
        parents=[common, json_flag],
        help="whether the database, the index and the bot are well",
        description="Check that the database opens and its index is whole; show how many articles "
        "and passages it holds, when it was last re-indexed, and whether the bot is running and "
        "connected to Discord (from the status file it keeps beside the database). Exit code 0 "
        "when healthy, 1 when not.",
    )
    status.add_argument(
        "--bot",
        action="store_true",
        help="also unhealthy unless the bot is running and connected (for a container's HEALTHCHECK)",
    )
    sub.add_parser(
        "sync",
        parents=[common],
        help="push the slash-command definitions to Discord",
        description="Log in to Discord over HTTP (no gateway), sync the slash commands "
        "(to BYLINE_GUILD_ID if set, else globally) whether or not they changed, and exit.",
    )
    return parser


def _emit(args: argparse.Namespace, obj: dict, text: str) -> None:
    print(json.dumps(obj, ensure_ascii=False) if args.json else text)


async def _open(args: argparse.Namespace, settings: Settings, build: bool) -> Library:
    from index import Library

    from .terminal import printable

    library = await Library.open(
        database=settings.database, seeds_dir=settings.seeds_dir, semantic=settings.semantic
    )
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
    from index import check_seeds_folder

    if not settings.database.exists():
        check_seeds_folder(settings.seeds_dir)  # nothing to answer from: say so before creating a database


def _discord(args: argparse.Namespace, settings: Settings) -> int:
    """`byline run` and `byline sync`; discord.py is imported only for these."""
    import asyncio

    from .app import sync_commands
    from .logs import configure_logging
    from .run import run_bot
    from .startup import require_token

    token = require_token(settings)
    configure_logging(settings.log_level, secrets=[token], json_lines=settings.log_format == "json")
    if args.command == "run":  # SIGTERM and SIGINT stop it cleanly: exit code 0
        _check_seeds(settings)
        asyncio.run(run_bot(settings))
        return 0
    synced = asyncio.run(sync_commands(settings))
    where = f"to guild {settings.guild_id}" if settings.guild_id else "globally"
    print(f"Synced {len(synced)} slash commands {where}: " + ", ".join(f"/{c.name}" for c in synced))
    return 0


def _status(args: argparse.Namespace, settings: Settings) -> int:
    """`byline status`: read only; exit 0 when healthy, 1 when not."""
    from index import check_health

    from .status import read_status, status_file
    from .terminal import render_status

    health = check_health(settings.database)
    bot = read_status(status_file(settings.database, settings.shard_ids))  # this process's shards
    problems = list(health.problems)
    if args.bot and not bot.connected:
        problems.append(f"the bot is {bot.detail}")
    healthy = not problems
    obj = {**health.to_dict(), "healthy": healthy, "problems": problems, "bot": bot.to_dict()}
    _emit(args, obj, render_status(health, bot, problems))
    return 0 if healthy else 1


async def _run(args: argparse.Namespace, settings: Settings) -> int:
    from index import clean_question

    from .terminal import render_answer, render_report, render_sources

    top_k = args.top_k if getattr(args, "top_k", None) is not None else settings.top_k
    if args.command == "reindex":
        async with await _open(args, settings, build=False) as library:
            changes = await library.reindex()
        _emit(args, changes.to_dict(), render_report(changes))
        return 0
    if args.command in ("report", "forget"):
        return await _feedback(args, settings)
    if args.command == "ask":
        clean_question(args.question, top_k)  # a bad question is refused before any work
    async with await _open(args, settings, build=True) as library:
        if args.command == "ask":
            answer = await library.ask(args.question, top_k=top_k)
            _emit(args, answer.to_dict(), render_answer(answer, bold=sys.stdout.isatty()))
        elif args.command == "sources":
            summaries = await library.articles()
            _emit(args, {"articles": [s.to_dict() for s in summaries]}, render_sources(summaries))
        elif args.command == "eval":
            from index import evaluate, load_questions

            from .terminal import render_eval

            scores = await evaluate(library, load_questions(args.questions), top_k=top_k)
            _emit(args, scores.to_dict(), render_eval(scores))
    return 0


async def _feedback(args: argparse.Namespace, settings: Settings) -> int:
    """`byline report` and `byline forget`: the feedback tables of the database, no index needed."""
    from index import Feedback, Library, build_feedback_report

    from .terminal import render_feedback

    if not settings.database.exists():
        raise BylineError(f"The database {settings.database} does not exist yet; nothing to report.")
    async with await Library.open(database=settings.database, seeds_dir=settings.seeds_dir, semantic=False):
        pass  # checks that it is a Byline database, and brings its schema up to date
    async with await Feedback.open(settings.database) as feedback:
        if args.command == "report":
            if args.since < 1:
                raise UsageError("--since must be at least 1 day")
            report = await build_feedback_report(feedback, args.since)
            _emit(args, report.to_dict(), render_feedback(report))
        else:
            forgotten = await feedback.forget(args.user_id)
            _emit(
                args,
                forgotten.to_dict(),
                f"Forgot user {args.user_id}: {forgotten.votes} votes and {forgotten.questions} questions.",
            )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)  # `--help` and bad arguments end here, before the imports below
    import asyncio

    from index import forget_database_check

    from .settings import SettingsError, load_settings
    from .terminal import printable

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        # Paths on the command line are relative to where it was typed, not to BYLINE_DATA_DIR.
        settings = load_settings(
            database=os.path.abspath(args.database) if args.database else None,
            seeds_dir=os.path.abspath(args.seeds_dir) if args.seeds_dir else None,
        )
        logging.getLogger().setLevel(settings.log_level)
        if getattr(args, "top_k", None) is not None and not 1 <= args.top_k <= MAX_TOP_K:
            raise UsageError(f"--top-k must be between 1 and {MAX_TOP_K}")
        if args.command in ("run", "sync"):
            return _discord(args, settings)
        if args.command == "status":
            return _status(args, settings)
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
        forget_database_check(settings.database)
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
