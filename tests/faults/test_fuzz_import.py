"""1,000 malformed documents (tests/faults/malformed.py): no crash, clear errors, no half plans.

Everything goes through the import service in one call, as `tracker import DIR` does, and a
few through the CLI. Every file must end up either imported or reported by exactly one
error that names it, on one line; the database must pass its integrity check, and every
stored plan must hold exactly the tasks its last imported document yields (many malformed
copies of one seed are the same document or a revision of it, so later files re-import
earlier plans; a copy whose text is already stored is recognised and stores nothing).
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from tests.faults.malformed import malformed_xml_docx, seed_texts, write_malformed
from tests.faults.support import active_task_counts, integrity, run_tracker, tracker_env
from tracker.extract.owners import Lexicon, default_lexicon_path
from tracker.store.db import ensure_schema, make_engine
from tracker.store.importer import import_paths

MAX_ERROR_CHARS = 600  # a clear error is a sentence, not a dump of the document


@pytest.mark.slow
def test_a_thousand_malformed_documents(tmp_path: Path) -> None:
    folder = tmp_path / "malformed"
    paths = write_malformed(folder)
    assert len(paths) == 1000
    db = tmp_path / "fuzz.db"
    engine = make_engine(f"sqlite:///{db}")
    ensure_schema(engine)
    try:
        report = import_paths(engine, [folder], lexicon=Lexicon.load(default_lexicon_path()))  # must not raise
    finally:
        engine.dispose()

    imported = {p.source_file for p in report.plans}
    for error in report.errors:
        assert "\n" not in error and "Traceback" not in error, error
        assert 0 < len(error) <= MAX_ERROR_CHARS, error
        assert " / " in error, f"not the bilingual form of every tracker error: {error}"
    for path in paths:
        naming = [e for e in report.errors if path.name in e]
        assert len(naming) == (0 if path.name in imported else 1), (path.name, naming)
    assert len(imported) + len(report.errors) == len(paths)
    assert report.errors and imported  # the mix really has both outcomes

    assert integrity(db) == "ok"
    last: dict[str, int] = {}
    for plan in report.plans:  # in import order: the last document stored as a plan wins
        if plan.identity != "same":
            last[plan.slug] = plan.tasks
        else:
            assert plan.tasks == 0 and plan.same_as in last  # the same text: nothing stored again
    assert active_task_counts(db) == last


def test_malformed_documents_through_the_cli(tmp_path: Path) -> None:
    """A handful of hopeless files at once: exit 4, one line per file naming it, no traceback."""
    folder = tmp_path / "bad"
    folder.mkdir()
    seeds = seed_texts()
    files = {
        "empty.txt": b"",
        "noise.txt": bytes(range(256)) * 8,
        "nul.txt": b"\x00" * 100,
        "not-a-word-file.docx": b"PK\x03\x04 but not really",
        "script-only.html": b"<html><script>var x = 1;</script></html>",
        "cut.txt": seeds[0][:7],
    }
    for name, data in files.items():
        (folder / name).write_bytes(data)
    env = tracker_env(tmp_path, tmp_path / "cli.db")
    proc = run_tracker(env, "import", *(str(folder / name) for name in files))
    assert proc.returncode == 4, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    for name in files:
        assert sum(name in line for line in lines) == 1, (name, lines)
    assert all(line.startswith("错误 / error: ") for line in lines), lines
    assert run_tracker(env, "plans", "--format", "json").stdout.strip() == "[]"  # nothing written


def test_a_docx_with_malformed_xml_is_an_import_error(tmp_path: Path) -> None:
    rng = random.Random(1)
    paths = []
    for k in range(4):
        suffix, data = malformed_xml_docx(rng, seed_texts())
        path = tmp_path / f"damaged-{k}{suffix}"
        path.write_bytes(data)
        paths.append(path)
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    ensure_schema(engine)
    try:
        report = import_paths(engine, paths)
    finally:
        engine.dispose()
    assert len(report.errors) == 4 and all("not a readable .docx" in e for e in report.errors)
