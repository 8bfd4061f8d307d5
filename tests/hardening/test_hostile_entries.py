"""Entries that change or misbehave under a re-index: links swapped in after the folder was
scanned, pipes, link loops, names that are not UTF-8, folders that cannot be read. Nothing outside
the seeds folder is read, nothing blocks, nothing aborts the re-index, and nothing indexed from a
folder that cannot be read is removed."""

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from index import Library
from index.ingest import reindex as indexer_module
from index.ingest.batches import read_batch
from index.ingest.scan import plan, read_file
from index.text.analysis import Analyzer

ROOT = Path(__file__).resolve().parents[2]
SECRET = "root:x:0:0:root:/root:/bin/bash\nwww-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\n"


def article(title: str, sentence: str) -> str:
    return f"---\ntitle: {title}\noutlet: Valley Post\n---\n\n{sentence}\n\nMore on this tomorrow.\n"


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "passwd.md").write_text(SECRET)
    return folder


def swap_for_link(path: Path, target: Path) -> None:
    path.unlink()
    path.symlink_to(target)


def test_a_file_swapped_for_a_link_after_the_scan_is_not_read(tmp_path: Path, outside: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "a.md").write_text(article("Bridge reopens", "The old bridge reopened on Friday."))
    planned = plan(seeds, {})
    swap_for_link(seeds / "a.md", outside / "passwd.md")
    [(relative, target, old)] = planned.to_read
    outcome = read_file(seeds, relative, target, old, Analyzer())
    assert outcome.articles is None and outcome.skipped is not None
    assert "link" in outcome.skipped.reason


def test_a_folder_swapped_for_a_link_after_the_scan_is_not_read(tmp_path: Path, outside: Path) -> None:
    seeds = tmp_path / "seeds"
    (seeds / "sub").mkdir(parents=True)
    (seeds / "sub" / "passwd.md").write_text(article("Bridge reopens", "The old bridge reopened."))
    planned = plan(seeds, {})
    (seeds / "sub").rename(tmp_path / "moved")
    (seeds / "sub").symlink_to(outside)
    [(relative, target, old)] = planned.to_read
    outcome = read_file(seeds, relative, target, old, Analyzer())
    assert outcome.articles is None and outcome.skipped is not None


async def test_a_reindex_never_indexes_a_file_swapped_for_a_link(
    tmp_path: Path, outside: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for i in range(5):
        (seeds / f"a{i}.md").write_text(article(f"Bridge {i} reopens", f"Bridge {i} reopened on Friday."))
    real_plan = indexer_module.plan

    def plan_then_swap(*args: object, **kwargs: object) -> object:
        planned = real_plan(*args, **kwargs)  # the scan saw a regular file; then it became a link
        swap_for_link(seeds / "a3.md", outside / "passwd.md")
        return planned

    monkeypatch.setattr(indexer_module, "plan", plan_then_swap)
    async with Library.open(tmp_path / "byline.db", seeds) as library:
        report = await library.reindex()
        answer = await library.ask("what is www-data")
        titles = [s.article.title for s in await library.articles()]
    assert report.added == 4
    assert [s.source for s in report.skipped] == ["a3.md"]
    assert answer.hits == []
    assert not any("root" in title for title in titles)


def test_a_file_swapped_for_a_pipe_is_skipped_without_waiting(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "a.md").write_text(article("Bridge reopens", "The old bridge reopened on Friday."))
    [(relative, target, old)] = plan(seeds, {}).to_read
    (seeds / "a.md").unlink()
    os.mkfifo(seeds / "a.md")
    outcomes = []
    reader = threading.Thread(
        target=lambda: outcomes.append(read_file(seeds, relative, target, old, Analyzer())), daemon=True
    )
    reader.start()
    reader.join(timeout=30)
    if reader.is_alive():  # unblock the reader so the test run can end
        os.close(os.open(seeds / "a.md", os.O_WRONLY | os.O_NONBLOCK))
    assert outcomes, "reading a pipe blocked"
    assert outcomes[0].skipped is not None and "not a regular file" in outcomes[0].skipped.reason


def test_a_batch_is_prefetched_without_waiting_on_pipes_or_following_links(
    tmp_path: Path, outside: Path
) -> None:
    """Reading a batch first asks the system to load all its files; that step too opens only
    regular files inside the folder, and never waits on a pipe swapped in."""
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for name in ("a.md", "b.md", "c.md"):
        (seeds / name).write_text(article("Bridge reopens", "The old bridge reopened on Friday."))
    planned = plan(seeds, {}).to_read
    swap_for_link(seeds / "b.md", outside / "passwd.md")
    (seeds / "c.md").unlink()
    os.mkfifo(seeds / "c.md")
    batches = []
    reader = threading.Thread(
        target=lambda: batches.append(read_batch(seeds, planned, Analyzer())), daemon=True
    )
    reader.start()
    reader.join(timeout=30)
    if reader.is_alive():  # unblock the reader so the test run can end
        for _ in range(2):
            os.close(os.open(seeds / "c.md", os.O_WRONLY | os.O_NONBLOCK))
    assert batches, "prefetching a pipe blocked"
    a, b, c = batches[0].files
    assert a.articles is not None and a.skipped is None
    assert b.skipped is not None and "link" in b.skipped.reason
    assert c.skipped is not None and "not a regular file" in c.skipped.reason
    assert batches[0].encoded.passages == sum(len(n.passages) for n in a.articles)


def write_named(folder: Path, name: bytes, text: str) -> None:
    """A file whose name is any bytes."""
    with open(os.path.join(os.fsencode(folder), name), "w", encoding="utf-8") as file:
        file.write(text)


async def test_a_link_loop_and_names_not_in_utf8_are_skipped_and_the_rest_indexed(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "good.md").write_text(article("Bridge reopens", "The old bridge reopened on Friday."))
    (seeds / "self.md").symlink_to("self.md")
    write_named(seeds, b"bad\xffname.md", article("Mill closes", "The mill closed on Monday."))
    (seeds / "b\xe4d").mkdir()  # a folder whose name is fine, holding a file whose name is not
    write_named(seeds / "b\xe4d", b"\xfe.md", article("Ferry late", "The ferry was late."))

    async with Library.open(tmp_path / "byline.db", seeds) as library:
        report = await library.reindex()
        sources = [s.article.source for s in await library.articles()]
    skipped = {s.source: s.reason for s in report.skipped}
    assert set(skipped) == {"self.md", "bad\\xffname.md", "b\xe4d/\\xfe.md"}
    assert "loop" in skipped["self.md"]
    assert "UTF-8" in skipped["bad\\xffname.md"]
    assert report.added == 1 and sources == ["good.md"]
    json.dumps(report.to_dict(), ensure_ascii=False).encode("utf-8")  # every string can be written out


def without_root_override(command: list[str]) -> list[str]:
    """``command`` run without root's right to read what its mode forbids (tests run as root here)."""
    if os.geteuid() != 0:
        return command
    return ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--", *command]


def reindex_json(tmp_path: Path, seeds: Path) -> dict:
    command = [sys.executable, "-m", "bot.cli", "reindex", "--json",
               "--database", str(tmp_path / "byline.db"), "--seeds-dir", str(seeds)]  # fmt: skip
    done = subprocess.run(
        without_root_override(command), capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize("locked", ["sub", "."])
def test_a_folder_that_cannot_be_read_keeps_what_was_indexed_from_it(tmp_path: Path, locked: str) -> None:
    seeds = tmp_path / "seeds"
    (seeds / "sub").mkdir(parents=True)
    (seeds / "top.md").write_text(article("Bridge reopens", "The old bridge reopened on Friday."))
    (seeds / "sub" / "one.md").write_text(article("Mill closes", "The mill closed on Monday."))
    (seeds / "sub" / "two.md").write_text(article("Ferry late", "The ferry was late."))
    first = reindex_json(tmp_path, seeds)
    assert first["added"] == 3
    folder = seeds / locked
    folder.chmod(0)
    try:
        report = reindex_json(tmp_path, seeds)
    finally:
        folder.chmod(0o755)
    assert report["removed"] == 0 and report["articles"] == 3
    [skipped] = report["skipped"]
    assert skipped["source"] == ("sub/" if locked == "sub" else "./")
    assert "cannot be read" in skipped["reason"] and "stays indexed" in skipped["reason"]
