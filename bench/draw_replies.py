"""Draw Byline's replies to 10 sample questions as Discord shows them on a phone (412 px wide) and
on a desktop, and measure them: embed text characters (as Discord counts them) and drawn height.

The replies are the real ones: each question is asked of a Library over the seeds, and the embed
and buttons are what the bot sends (bot/render_reply.py, bot/answer_page.py). They are drawn in
HTML imitating Discord's dark theme, then laid out and photographed by headless Chromium (Debian's
package: ``apt-get install chromium``). Prints a table; writes the pictures to a folder of PNGs
(``--out``), and the phone picture of the first confident answer to ``docs/reply.png`` with
``--readme``.

    python bench/draw_replies.py [--out /tmp/replies] [--readme]
"""

from __future__ import annotations

import argparse
import asyncio
import html
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bot import render  # noqa: E402
from bot.answer_page import CLOSEST, PassagesButton, page_of, page_view  # noqa: E402
from bot.paging import QuestionCache, view_of  # noqa: E402
from bot.render_reply import is_nothing, nothing_embed, reply_embed  # noqa: E402
from bot.settings import DEFAULT_TOP_K  # noqa: E402
from index import Library  # noqa: E402
from tests.e2e.load import QUESTIONS as SEED_QUESTIONS  # noqa: E402

# The seed questions the e2e load test asks, and two the articles do not answer well.
QUESTIONS = [*SEED_QUESTIONS, "who paid for the rover?", "who won the football match?"]
PHONE, DESKTOP = 412, 1000
CHARS_TARGET, PHONE_PX_TARGET = 1200, 750

CSS = """
body { margin: 0; background: #313338; font-family: 'gg sans', 'Noto Sans', 'DejaVu Sans', sans-serif;
       color: #dbdee1; font-size: 16px; }
.msg { display: flex; padding: 8px 16px 8px 16px; }
.avatar { width: 40px; height: 40px; border-radius: 50%; background: #5865f2; flex: none; margin-right: 16px;
          color: white; font-weight: 700; display: flex; align-items: center; justify-content: center; }
.body { min-width: 0; flex: 1; }
.name { color: #f2f3f5; font-weight: 600; font-size: 16px; line-height: 22px; }
.app { background: #5865f2; color: white; font-size: 10px; border-radius: 3px; padding: 1px 4px;
       margin-left: 4px; vertical-align: 2px; }
.when { color: #949ba4; font-size: 12px; margin-left: 6px; }
.content { line-height: 22px; }
.embed { max-width: 516px; background: #2b2d31; border-left: 4px solid; border-radius: 4px;
         padding: 8px 16px 16px 12px; margin-top: 4px; box-sizing: border-box; font-size: 14px;
         line-height: 18px; overflow-wrap: anywhere; }
.title { color: #f2f3f5; font-weight: 600; font-size: 16px; line-height: 22px; margin: 8px 0 0; }
.desc { margin-top: 8px; white-space: pre-wrap; }
.desc blockquote { margin: 0; padding-left: 12px; border-left: 4px solid #4e5058; white-space: pre-wrap; }
.footer { color: #dbdee1; font-size: 12px; margin-top: 8px; }
.ts { background: rgba(78,80,88,.48); border-radius: 3px; padding: 0 2px; }
a { color: #00a8fc; text-decoration: none; }
.row { display: flex; flex-wrap: wrap; gap: 8px; margin-top: 8px; }
.btn { height: 32px; min-width: 60px; padding: 2px 16px; border-radius: 3px; font-size: 14px; color: white;
       display: inline-flex; align-items: center; gap: 4px; box-sizing: border-box; font-weight: 500; }
.s1 { background: #5865f2; } .s2, .s5 { background: #4e5058; }
"""

_TS = re.compile(r"&lt;t:(\d+):([RD])&gt;")
_LINK = re.compile(r"\[([^\]]*)\]\((https?://[^)\s]+)\)")


def inline(text: str) -> str:
    """Discord's inline markdown (what Byline uses: bold, italic, underline, links, timestamps,
    backslash escapes) as HTML."""
    escaped: list[str] = []

    def hold(match: re.Match[str]) -> str:
        escaped.append(html.escape(match.group(1)))
        return f"\x00{len(escaped) - 1}\x00"

    text = re.sub(r"\\(.)", hold, text)
    text = html.escape(text, quote=False)
    text = _LINK.sub(r'<a href="\2">\1</a>', text)
    text = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", text)
    text = re.sub(r"__(.+?)__", r"<u>\1</u>", text)
    text = re.sub(r"\*(.+?)\*", r"<i>\1</i>", text)
    text = re.sub(r"`([^`]+)`", r"<code>\1</code>", text)

    def stamp(match: re.Match[str]) -> str:
        seconds = int(match.group(1))
        if match.group(2) == "D":
            return f'<span class="ts">{time.strftime("%d %B %Y", time.gmtime(seconds))}</span>'
        days = round((time.time() - seconds) / 86400)
        return f'<span class="ts">{"a day" if days == 1 else f"{days} days"} ago</span>'

    text = _TS.sub(stamp, text)
    return re.sub(r"\x00(\d+)\x00", lambda m: escaped[int(m.group(1))], text)


def description_html(text: str) -> str:
    """Lines starting "> " as one quote block per run, the rest as text."""
    out: list[str] = []
    quote: list[str] = []
    for line in text.split("\n"):
        if line.startswith("> "):
            quote.append(inline(line[2:]))
            continue
        if quote:
            out.append("<blockquote>" + "\n".join(quote) + "</blockquote>")
            quote = []
        out.append(inline(line) + "\n")
    if quote:
        out.append("<blockquote>" + "\n".join(quote) + "</blockquote>")
    return "".join(out).rstrip("\n")


def message_html(number: int, embed: dict | None, components: list[dict], content: str | None = None) -> str:
    parts = [f'<div class="msg" id="m{number}"><div class="avatar">B</div><div class="body">']
    parts.append(
        '<div class="name">Byline<span class="app">APP</span><span class="when">Today at 12:00</span></div>'
    )
    if content:
        parts.append(f'<div class="content">{inline(content)}</div>')
    if embed:
        colour = f"#{embed.get('color', 0):06x}"
        parts.append(f'<div class="embed" style="border-color:{colour}">')
        parts.append(f'<div class="title">{inline(embed["title"])}</div>')
        parts.append(f'<div class="desc">{description_html(embed.get("description", ""))}</div>')
        if embed.get("footer"):
            parts.append(f'<div class="footer">{inline(embed["footer"]["text"])}</div>')
        parts.append("</div>")
    for row in components:
        parts.append('<div class="row">')
        for button in row["components"]:
            emoji = (button.get("emoji") or {}).get("name", "")
            label = html.escape(button.get("label", ""))
            link = " ↗" if button.get("style") == 5 else ""
            style = button.get("style", 2)
            icon = f"<span>{emoji}</span>" if emoji else ""
            parts.append(f'<span class="btn s{style}">{icon}<span>{label}{link}</span></span>')
        parts.append("</div>")
    parts.append("</div></div>")
    return "".join(parts)


def page_html(messages: list[str]) -> str:
    script = (
        "<script>window.addEventListener('load', () => { const r = {};"
        " document.querySelectorAll('.msg').forEach(m =>"
        " r[m.id] = Math.round(m.getBoundingClientRect().height));"
        " document.getElementById('out').textContent = JSON.stringify(r); });</script>"
    )
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><style>{CSS}</style></head><body>"
        + "".join(messages)
        + f"<pre id='out' style='display:none'></pre>{script}</body></html>"
    )


def chromium(*args: str) -> str:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        raise SystemExit("needs Chromium: apt-get install -y chromium")
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run(
            [
                exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
                f"--user-data-dir={profile}", *args,
            ],
            capture_output=True, text=True, timeout=120, check=True,
        )  # fmt: skip
    return done.stdout


def heights(page: Path, width: int) -> dict[str, int]:
    dom = chromium(f"--window-size={width},4000", "--virtual-time-budget=2000", "--dump-dom", page.as_uri())
    found = re.search(r"<pre id=\"out\"[^>]*>(.*?)</pre>", dom, re.DOTALL)
    return json.loads(html.unescape(found.group(1))) if found else {}


def screenshot(page: Path, width: int, height: int, target: Path) -> None:
    """A picture of ``page``; headless Chromium's window is taller than its page area, so callers
    ask for some room more than the reply's height (the rest is Discord's background)."""
    chromium(f"--window-size={width},{height}", f"--screenshot={target}", page.as_uri())


async def replies(seeds: Path, database: Path) -> list[tuple[str, dict, list[dict], str]]:
    """(question, embed, components, kind) for each sample question, as the bot sends them; kind is
    "confident", "unsure" or "nothing"."""
    out = []
    cache = QuestionCache()
    async with Library.open(database, seeds) as library:
        await library.reindex()
        for question in QUESTIONS:
            answer = await library.ask(question, top_k=DEFAULT_TOP_K + 1)
            current = page_of(answer, DEFAULT_TOP_K, 0)
            if is_nothing(answer):
                closest = view_of(PassagesButton.build(cache, DEFAULT_TOP_K, 0, question, turn=CLOSEST))
                shown = closest.to_components() if closest and answer.hits else []
                out.append((question, nothing_embed(answer.question), shown, "nothing"))
                continue
            embed = reply_embed(answer, current.shown)
            view = page_view(
                cache, answer, current, asker_id=1, size=DEFAULT_TOP_K, page=0, answer_id="a" * 12
            )
            kind = "confident" if answer.confident else "unsure"
            out.append((question, embed, view.to_components() if view else [], kind))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "byline-replies")
    parser.add_argument("--readme", action="store_true", help="write docs/reply.png")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="byline-draw-"))
    shutil.copytree(REPO / "seeds", work / "seeds")
    drawn = asyncio.run(replies(work / "seeds", work / "byline.db"))
    pages = {}
    for number, (_, embed, components, _) in enumerate(drawn, 1):
        page = args.out / f"reply-{number:02d}.html"
        page.write_text(page_html([message_html(number, embed, components)]), encoding="utf-8")
        pages[number] = page
    everything = args.out / "replies.html"
    everything.write_text(
        page_html([message_html(n, e, c) for n, (_, e, c, _) in enumerate(drawn, 1)]), encoding="utf-8"
    )
    phone_px, desktop_px = heights(everything, PHONE), heights(everything, DESKTOP)
    print(f"{'#':>2}  {'kind':<10} {'chars':>5} {'phone px':>8} {'desktop px':>10}  question")
    within = confident_count = 0
    readme_done = False
    for number, (question, embed, _, kind) in enumerate(drawn, 1):
        chars = render.embed_size(embed)
        phone, desktop = phone_px.get(f"m{number}", 0), desktop_px.get(f"m{number}", 0)
        confident = kind == "confident"
        print(f"{number:>2}  {kind:<10} {chars:>5} {phone:>8} {desktop:>10}  {question}")
        screenshot(pages[number], PHONE, phone + 100, args.out / f"reply-{number:02d}-phone.png")
        screenshot(pages[number], DESKTOP, desktop + 100, args.out / f"reply-{number:02d}-desktop.png")
        if confident:
            confident_count += 1
            within += chars <= CHARS_TARGET and phone <= PHONE_PX_TARGET
            if args.readme and not readme_done:
                screenshot(pages[number], PHONE, phone + 100, REPO / "docs" / "reply.png")
                readme_done = True
    print(
        f"\nconfident replies within {CHARS_TARGET} characters and {PHONE_PX_TARGET} px at {PHONE} px: "
        f"{within} of {confident_count}; pictures in {args.out}"
    )


if __name__ == "__main__":
    main()
