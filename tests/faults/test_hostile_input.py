"""Issue 17, "input that hangs or crashes": each hostile input gives one line and the
README's exit code (2 bad usage, 4 a document that cannot be imported, 5 the database,
1 any other file), never a traceback or a hang, and never half a folder imported.

Every hostile file is made by the test (a FIFO, a link to /dev/zero, a zip bomb, a file
name that is not UTF-8, bad TOML); every run of `tracker` is a separate process with a
timeout, so a regression that hangs fails in seconds instead of stalling the suite.
"""

from __future__ import annotations

import io
import json
import os
import resource
import time
import zipfile
from pathlib import Path

import pytest

from tests.conftest import SEEDS
from tests.faults.support import (
    active_task_counts,
    assert_one_line_error,
    plan_documents,
    run_tracker,
    template_text,
    tracker_env,
)

SMALL_SEED = SEEDS / "yunyang-2022-ip-county-plan.txt"
SLUG = "yunyang-2022-2025"
QUICK = 60  # seconds any of these commands may take; the hangs were for ever


def _imported(tmp_path: Path, db: str | Path) -> dict[str, str]:
    env = tracker_env(tmp_path, db)
    done = run_tracker(env, "import", str(SMALL_SEED), timeout=QUICK)
    assert done.returncode == 0, done.stderr
    return env


# ------------------------------------------------------------------ files that are no files
def test_import_fifo_does_not_hang(tmp_path: Path) -> None:
    fifo = tmp_path / "plan.txt"
    os.mkfifo(fifo)
    env = tracker_env(tmp_path, tmp_path / "t.db")
    started = time.monotonic()
    err = assert_one_line_error(run_tracker(env, "import", str(fifo), timeout=QUICK), 4, "not a regular file", "FIFO")
    assert str(fifo) in err
    assert time.monotonic() - started < QUICK


def test_import_symlink_to_dev_zero_does_not_hang(tmp_path: Path) -> None:
    link = tmp_path / "zero.txt"
    link.symlink_to("/dev/zero")
    env = tracker_env(tmp_path, tmp_path / "t.db")
    assert_one_line_error(run_tracker(env, "import", str(link), timeout=QUICK), 4, "not a regular file", "device")


def test_folder_with_a_fifo_imports_the_rest_and_says_why(tmp_path: Path) -> None:
    """A FIFO among the documents of a folder is named and skipped; the others import."""
    folder = tmp_path / "docs"
    plan_documents(folder, 2)
    os.mkfifo(folder / "plan-001b.txt")
    env = tracker_env(tmp_path, tmp_path / "t.db")
    proc = run_tracker(env, "import", str(folder), timeout=QUICK)
    assert_one_line_error(proc, 4, "not a regular file", "plan-001b.txt")
    assert len(active_task_counts(tmp_path / "t.db")) == 2


def test_import_file_over_the_size_cap(tmp_path: Path) -> None:
    from tracker.extract.reading import MAX_DOCUMENT_BYTES

    big = tmp_path / "big.txt"
    with open(big, "wb") as fh:  # sparse: the cap is checked before reading
        fh.truncate(MAX_DOCUMENT_BYTES + 1)
    env = tracker_env(tmp_path, tmp_path / "t.db")
    assert_one_line_error(run_tracker(env, "import", str(big), timeout=QUICK), 4, "too large", "big.txt")


# ------------------------------------------------------------------ a .docx zip bomb
def _zip_bomb(path: Path, unpacked_mb: int) -> None:
    """A real Word document whose word/document.xml is ``unpacked_mb`` MB of paragraphs
    (a few MB on disk), as in the issue (1.4 MB → 910 MB of XML). Streamed in chunks: the
    bomb never sits in memory here."""
    import docx

    buf = io.BytesIO()
    docx.Document().save(buf)
    paragraph = "<w:p><w:r><w:t>知识产权</w:t></w:r></w:p>".encode()
    chunk = paragraph * ((1 << 20) // len(paragraph))
    with zipfile.ZipFile(buf) as template, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in template.infolist():
            if info.filename != "word/document.xml":
                archive.writestr(info, template.read(info))
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            member.write(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                         b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>')
            for _ in range(unpacked_mb):
                member.write(chunk)
            member.write(b"</w:body></w:document>")


def _memory_limit(limit: int) -> None:
    """preexec_fn: at most ``limit`` bytes of address space, so an unfixed reader fails fast
    (MemoryError) instead of taking the machine's memory."""
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def test_docx_zip_bomb_is_refused_before_unpacking(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.docx"
    _zip_bomb(bomb, 400)
    assert bomb.stat().st_size < 8 * 2**20  # a few MB that would be 400 MB of XML
    env = tracker_env(tmp_path, tmp_path / "t.db")
    started = time.monotonic()
    proc = run_tracker(env, "import", str(bomb), timeout=QUICK, preexec_fn=lambda: _memory_limit(3 * 2**30))
    assert_one_line_error(proc, 4, "zip bomb", "bomb.docx")
    assert time.monotonic() - started < 30


def test_docx_with_too_many_members_is_refused(tmp_path: Path) -> None:
    from tracker.extract.reading import MAX_DOCX_MEMBERS

    many = tmp_path / "many.docx"
    with zipfile.ZipFile(many, "w", zipfile.ZIP_STORED) as archive:
        for i in range(MAX_DOCX_MEMBERS + 1):
            archive.writestr(f"word/media/x{i}.bin", b"")
    env = tracker_env(tmp_path, tmp_path / "t.db")
    assert_one_line_error(run_tracker(env, "import", str(many), timeout=QUICK), 4, f"{MAX_DOCX_MEMBERS + 1} parts")


def test_a_real_docx_still_imports(tmp_path: Path) -> None:
    """The limits leave an ordinary Word plan alone."""
    import docx

    document = docx.Document()
    for line in template_text().split("\n"):
        document.add_paragraph(line)
    buf = io.BytesIO()
    document.save(buf)
    path = tmp_path / "plan.docx"
    path.write_bytes(buf.getvalue())
    env = tracker_env(tmp_path, tmp_path / "t.db")
    done = run_tracker(env, "import", str(path), timeout=QUICK)
    assert done.returncode == 0, done.stderr
    assert sum(active_task_counts(tmp_path / "t.db").values()) >= 7


# ------------------------------------------------------------------ names and encodings
def test_non_utf8_file_name_never_leaves_half_a_folder(tmp_path: Path) -> None:
    """A GBK-encoded name among UTF-8 ones: every other file is imported, the odd one is
    named (readably) and skipped, the JSON report prints, and nothing is a traceback."""
    folder = tmp_path / "docs"
    paths = plan_documents(folder, 3)
    gbk_name = "云南方案.txt".encode("gb18030")
    odd = os.path.join(os.fsencode(folder), gbk_name)
    os.rename(paths[1], odd)
    env = tracker_env(tmp_path, tmp_path / "t.db")
    proc = run_tracker(env, "import", str(folder), "--format", "json", timeout=QUICK)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == 4, proc.stderr
    report = json.loads(proc.stdout)
    assert len(report["plans"]) == 2
    [error] = report["errors"]
    assert "not UTF-8" in error and "云南方案.txt" in error  # recognised as GBK and shown readably
    assert len(active_task_counts(tmp_path / "t.db")) == 2
    # Renamed, it imports too.
    os.rename(odd, folder / "云南方案.txt")
    again = run_tracker(env, "import", str(folder), timeout=QUICK)
    assert again.returncode == 0, again.stderr
    assert len(active_task_counts(tmp_path / "t.db")) == 3


def test_html_meta_charset_undefined(tmp_path: Path) -> None:
    """`undefined` is a Python codec that refuses everything; the page is read by detection."""
    page = tmp_path / "plan.html"
    body = "".join(f"<p>{line}</p>" for line in template_text().split("\n") if line.strip())
    page.write_bytes(f'<html><head><meta charset="undefined"></head><body>{body}</body></html>'.encode())
    env = tracker_env(tmp_path, tmp_path / "t.db")
    done = run_tracker(env, "import", str(page), timeout=QUICK)
    assert "Traceback" not in done.stderr and done.returncode == 0, done.stderr
    assert sum(active_task_counts(tmp_path / "t.db").values()) >= 7


@pytest.mark.parametrize("content", ["units = [\n", "units = 3\n", "[units.x]\nlead = 5\n\x00"])
def test_malformed_owner_lexicon(tmp_path: Path, content: str) -> None:
    bad = tmp_path / "lexicon.toml"
    bad.write_text(content, encoding="utf-8")
    env = tracker_env(tmp_path, tmp_path / "t.db", TRACKER_LEXICON=str(bad))
    assert_one_line_error(run_tracker(env, "import", str(SMALL_SEED), timeout=QUICK), 1, "owner lexicon", str(bad))


# ------------------------------------------------------------------ settings
@pytest.mark.parametrize(("variable", "value", "code", "phrase"), [
    ("TRACKER_BUSY_TIMEOUT_MS", "abc", 2, "TRACKER_BUSY_TIMEOUT_MS"),
    ("TRACKER_BUSY_TIMEOUT_MS", "99999999999999999999", 2, "TRACKER_BUSY_TIMEOUT_MS"),
    ("TRACKER_TZ", "Mars/Olympus", 2, "TRACKER_TZ"),
    ("TRACKER_TZ", "../../etc/passwd", 2, "TRACKER_TZ"),
    ("TRACKER_DB", "mysql://office@db/tracker", 5, "unsupported database"),
])
def test_bad_setting_is_one_line(tmp_path: Path, variable: str, value: str, code: int, phrase: str) -> None:
    env = tracker_env(tmp_path, tmp_path / "t.db", **{variable: value})
    for args in (("plans",), ("overdue",), ("tasks", "--as-of", "2021-01-01")):
        assert_one_line_error(run_tracker(env, *args, timeout=QUICK), code, phrase)


def test_bad_usage_is_one_line_not_a_usage_block(tmp_path: Path) -> None:
    env = tracker_env(tmp_path, tmp_path / "t.db")
    assert_one_line_error(run_tracker(env, "overdue", "--yellow-days", "abc", timeout=QUICK), 2, "--yellow-days")
    assert_one_line_error(run_tracker(env, "tasks", "--no-such-option", timeout=QUICK), 2, "--no-such-option")


def test_serve_port_out_of_range(tmp_path: Path) -> None:
    env = _imported(tmp_path, tmp_path / "t.db")
    assert_one_line_error(run_tracker(env, "serve", "--port", "70000", timeout=QUICK), 2, "--port", "70000")


# ------------------------------------------------------------------ numbers and dates, both databases
HUGE = str(10**22)


def test_huge_numbers_and_impossible_dates(db_url: str, tmp_path: Path) -> None:
    """Out-of-range numbers and dates at every entry point: one line, exit 2, nothing stored."""
    env = _imported(tmp_path, db_url)
    task = f"{SLUG}:5"
    cases = [
        (("show", HUGE), "task id"),
        (("set", HUGE, "--progress", "10"), "task id"),
        (("set", task, "--progress", "10", "--expect-version", HUGE), "--expect-version"),
        (("due", task, "9999-12-31", "--reason", "x"), "out of range"),
        (("due", task, "0001-01-01", "--reason", "x"), "out of range"),
        (("set", task, "--status", "done", "--on", "9999-12-31"), "out of range"),
        (("tasks", "--as-of", "9999-12-31"), "out of range"),
        (("tasks", "--due-before", "9999-12-31"), "out of range"),
        (("overdue", "--as-of", "9999-12-31"), "out of range"),
        (("overdue", "--yellow-days", "99999999999"), "--yellow-days"),
        (("scorecard", "--as-of", "9999-12-31"), "out of range"),
        (("export", "ics", "--as-of", "9999-12-31"), "out of range"),
        (("export", "ics", "--refresh", "99999999999"), "--refresh"),
    ]
    for args, phrase in cases:
        assert_one_line_error(run_tracker(env, *args, timeout=QUICK), 2, phrase)
    shown = json.loads(run_tracker(env, "show", task, "--format", "json", timeout=QUICK).stdout)
    assert shown["version"] == 1 and shown["history"] == []  # nothing was changed
    exported = run_tracker(env, "export", "ics", "--as-of", "2021-01-01", timeout=QUICK)
    assert exported.returncode == 0, exported.stderr


def test_trigger_days_cannot_push_a_due_date_past_2100(tmp_path: Path) -> None:
    from tracker.errors import UsageError
    from tracker.services.tasks import resolve_task
    from tracker.store.changes import Change, trigger
    from tracker.store.db import ensure_schema, make_engine
    from tracker.store.models import task_t

    _imported(tmp_path, tmp_path / "t.db")
    engine = make_engine(f"sqlite:///{tmp_path / 't.db'}")
    ensure_schema(engine)
    tid = resolve_task(engine, f"{SLUG}:5")
    with engine.begin() as conn:
        conn.execute(task_t.update().where(task_t.c.id == tid).values(condition="上位法出台后"))
    from datetime import date

    with pytest.raises(UsageError, match="out of range"):
        trigger(engine, tid, date(2100, 6, 1), Change(actor="t"), days=3650)
    engine.dispose()


def test_document_deadline_in_the_year_9999_is_not_used(tmp_path: Path) -> None:
    """A plan that says 9999年12月底前完成 imports with that task flagged, and the feeds and
    the server still work (they broke on the day after 9999-12-31)."""
    doc = tmp_path / "plan.txt"
    text = (SEEDS / "yunnan-2020-ip-protection-opinions.txt").read_text(encoding="utf-8")
    assert "(2020年12月底前完成)" in text
    doc.write_text(text.replace("(2020年12月底前完成)", "(9999年12月底前完成)", 1), encoding="utf-8")
    env = tracker_env(tmp_path, tmp_path / "t.db")
    done = run_tracker(env, "import", str(doc), "--format", "json", timeout=QUICK)
    assert done.returncode == 0, done.stderr
    tasks = json.loads(run_tracker(env, "tasks", "--format", "json", timeout=QUICK).stdout)
    flagged = [t for t in tasks if "9999" in (t["due_text"] or "")]
    assert flagged and all(t["due"] is None and t["needs_review"] for t in flagged)
    exported = run_tracker(env, "export", "ics", timeout=QUICK)
    assert exported.returncode == 0, exported.stderr


def test_feeds_survive_a_stored_9999_date(tmp_path: Path) -> None:
    """A database written before the range check could hold 9999-12-31: the feed lists the
    task as undated instead of failing."""
    from datetime import date

    from tracker.feeds.export import export_ics
    from tracker.store.db import ensure_schema, make_engine
    from tracker.store.models import task_t

    _imported(tmp_path, tmp_path / "t.db")
    engine = make_engine(f"sqlite:///{tmp_path / 't.db'}")
    ensure_schema(engine)
    with engine.begin() as conn:
        conn.execute(task_t.update().where(task_t.c.key == "5").values(due=date(9999, 12, 31)))
    report = export_ics(engine, tmp_path / "out", as_of=date(2023, 1, 1))
    assert report.files and report.undated
    engine.dispose()


def test_tui_date_fields_use_the_same_range() -> None:
    """The TUI's date inputs read dates with tracker.services.tasks.parse_date: one rule."""
    from tracker.errors import UsageError
    from tracker.services.tasks import parse_date

    assert parse_date("2100-12-31").year == 2100
    for text in ("2101-01-01", "1948-12-31", "9999-12-31"):
        with pytest.raises(UsageError, match="out of range"):
            parse_date(text)
    source = (Path(__file__).resolve().parents[2] / "tui" / "screens" / "modals.py").read_text(encoding="utf-8")
    assert "from tracker.services.tasks import parse_date" in source
