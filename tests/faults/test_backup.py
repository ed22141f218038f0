"""`tracker backup PATH` while the feed server and an import run: every backup restores.

A backup taken in the middle of an import must open, pass ``PRAGMA integrity_check``, hold
every plan whole (the import stores each document all or nothing and the online backup
copies one consistent snapshot), and be a database tracker can carry on with: importing the
rest into a restored copy gives what the live database ended with. On PostgreSQL the
command refuses with the pg_dump command to use, and that advice is checked to work.
"""

from __future__ import annotations

import http.client
import json
import shutil
import signal
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

from tests.conftest import ROOT, SEEDS
from tests.faults.support import (
    assert_one_line_error,
    held_write_lock,
    integrity,
    plan_documents,
    plan_prints,
    run_tracker,
    sqlite_connection,
    tracker_cmd,
    tracker_env,
)
from tests.pgserver import find_pg_bin
from tracker.errors import UsageError
from tracker.store.backup import backup, default_name
from tracker.store.db import make_engine, read_session
from tracker.store.models import plan_t, task_t

DOCUMENTS = 200
MAX_BACKUPS = 6  # `tracker backup` runs during the import, at most
MAX_LIBRARY_BACKUPS = 200


def _counts(engine: Engine) -> tuple[int, int]:
    with read_session(engine) as s:
        plans = s.execute(sa.select(sa.func.count()).select_from(plan_t)).scalar_one()
        tasks = s.execute(sa.select(sa.func.count()).select_from(task_t)).scalar_one()
    return int(plans), int(tasks)


# ------------------------------------------------------------------ the library, both backends
def test_backup_library(seeded: Engine, tmp_path: Path) -> None:
    if seeded.dialect.name == "postgresql":
        _check_pg_dump_advice(seeded, tmp_path)
        return
    folder = tmp_path / "backups"
    folder.mkdir()
    result = backup(seeded, folder)  # a folder: the copy gets a dated name inside it
    assert result.path.parent == folder and result.path.name.startswith("tracker-")
    assert (result.plans, result.tasks) == _counts(seeded)
    assert integrity(result.path) == "ok"
    with sqlite_connection(result.path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one self-contained file
    assert [p.name for p in folder.iterdir()] == [result.path.name]  # no temporary left over
    restored = make_engine(f"sqlite:///{result.path}")
    assert _counts(restored) == _counts(seeded)
    restored.dispose()

    with pytest.raises(UsageError, match="exists"):
        backup(seeded, result.path)
    assert backup(seeded, result.path, overwrite=True).path == result.path
    with pytest.raises(UsageError, match="does not exist"):
        backup(seeded, folder / "missing" / "b.db")
    live = make_url(seeded.url).database
    assert live is not None
    with pytest.raises(UsageError, match="database itself"):
        backup(seeded, Path(live))


def _check_pg_dump_advice(engine: Engine, tmp_path: Path) -> None:
    """The refusal names pg_dump; following it (dump, restore elsewhere) gives the same data."""
    with pytest.raises(UsageError, match="pg_dump --format=custom") as refused:
        backup(engine, tmp_path / "tracker.dump")
    assert "pg_restore" in str(refused.value) and "\n" not in str(refused.value)
    bindir = find_pg_bin()
    if bindir is None or not (bindir / "pg_dump").exists():
        pytest.skip("!!! pg_dump not installed next to the server: the advice was given but not followed !!!")
    url = engine.url.set(drivername="postgresql")
    dump = tmp_path / "tracker.dump"
    subprocess.run([str(bindir / "pg_dump"), "--format=custom", f"--file={dump}",
                    url.render_as_string(hide_password=False)], check=True, capture_output=True, timeout=120)
    target = f"{url.database}_restored"
    admin = f"host={url.host} port={url.port} user={url.username} dbname={url.database}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{target}"')
    restored_url = url.set(database=target)
    subprocess.run([str(bindir / "pg_restore"), "--no-owner", f"--dbname={restored_url.render_as_string(hide_password=False)}",
                    str(dump)], check=True, capture_output=True, timeout=120)
    restored = make_engine(engine.url.set(database=target).render_as_string(hide_password=False))
    assert _counts(restored) == _counts(engine)
    restored.dispose()


def test_backup_command_on_postgres_says_how(tmp_path: Path) -> None:
    """No server needed: the URL alone says it is PostgreSQL. Exit 2, one line, no password."""
    env = tracker_env(tmp_path, "postgresql+psycopg://office:secret@db.example/tracker")
    err = assert_one_line_error(run_tracker(env, "backup", str(tmp_path / "t.dump")), 2, "pg_dump --format=custom", "pg_restore")
    assert "secret" not in err and "postgresql://office:***@db.example/tracker" in err


def test_backup_of_a_locked_database_gives_up(tmp_path: Path) -> None:
    """A rollback-journal file held by another process: "locked" after the busy timeout,
    not an endless retry (Python's backup loop would retry forever), and no stray file."""
    db = tmp_path / "journal.db"
    env = tracker_env(tmp_path, db, TRACKER_BUSY_TIMEOUT_MS="300")
    assert run_tracker(env, "import", str(SEEDS / "qinghai-2021-ip-power-opinions.txt")).returncode == 0
    with sqlite_connection(db) as conn:
        assert conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0] == "delete"
    folder = tmp_path / "backups"
    folder.mkdir()
    with held_write_lock(db):
        proc = run_tracker(env, "backup", str(folder / "b.db"), timeout=60)
    assert_one_line_error(proc, 5, "locked by another process")
    assert list(folder.iterdir()) == []


def test_default_name_sorts_by_time() -> None:
    assert default_name() < "tracker-99991231-235959.db"


# ------------------------------------------------------------------ live: server + import running
@pytest.fixture
def live(tmp_path: Path) -> Iterator[tuple[dict[str, str], Path, str]]:
    """A database holding the seeds, served by `tracker serve`: (env, db, one feed URL)."""
    db = tmp_path / "live.db"
    env = tracker_env(tmp_path, db)
    imported = run_tracker(env, "import", str(SEEDS))
    assert imported.returncode == 0, imported.stderr
    server = subprocess.Popen(tracker_cmd("serve", "--port", "0", "--as-of", "2021-07-01"), env=env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        assert server.stderr is not None
        line = server.stderr.readline()
        assert "serving calendar feeds on " in line, line
        base = line.split("serving calendar feeds on ", 1)[1].split(" ", 1)[0].rstrip("/")
        listed = json.loads(run_tracker(env, "feeds", "list", "--format", "json", "--base-url", base).stdout)
        everything = next(a["url"] for a in listed if a["scope"] == "all")
        yield env, db, everything
    finally:
        server.send_signal(signal.SIGINT)
        _, err = server.communicate(timeout=30)
    assert server.returncode == 0, err
    assert "Traceback" not in err and "feed build failed" not in err, err


def _get(url: str) -> int:
    parsed = make_url_http(url)
    conn = http.client.HTTPConnection(parsed[0], parsed[1], timeout=30)
    try:
        conn.request("GET", parsed[2])
        resp = conn.getresponse()
        resp.read()
        return resp.status
    finally:
        conn.close()


def make_url_http(url: str) -> tuple[str, int, str]:
    """("127.0.0.1", 8080, "/feeds/….ics") from "http://127.0.0.1:8080/feeds/….ics"."""
    rest = url.split("://", 1)[1]
    hostport, _, path = rest.partition("/")
    host, _, port = hostport.rpartition(":")
    return host, int(port), "/" + path


def _backups_in_process(db: Path, folder: Path, stop: threading.Event, taken: list[Path]) -> None:
    """Library backups back to back (the CLI starts a Python each time: ~1 s): many chances
    to land between the import's commits."""
    engine = make_engine(f"sqlite:///{db}")
    try:
        while not stop.is_set() and len(taken) < MAX_LIBRARY_BACKUPS:
            taken.append(backup(engine, folder / f"lib{len(taken):03d}.db").path)
            stop.wait(0.05)
    finally:
        engine.dispose()


@pytest.mark.slow
def test_backup_while_serving_and_importing(live: tuple[dict[str, str], Path, str], tmp_path: Path) -> None:
    env, db, feed = live
    folder = tmp_path / "docs"
    plan_documents(folder, DOCUMENTS)
    held = plan_prints(db)
    backups_dir = tmp_path / "backups"
    backups_dir.mkdir()

    importer = subprocess.Popen(tracker_cmd("import", str(folder)), env=env, cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    stop = threading.Event()
    library: list[Path] = []
    worker = threading.Thread(target=_backups_in_process, args=(db, backups_dir, stop, library))
    worker.start()
    cli: list[Path] = []
    running_during: list[bool] = []
    try:
        while importer.poll() is None and len(cli) < MAX_BACKUPS:
            target = backups_dir / f"cli{len(cli)}.db"
            made = run_tracker(env, "backup", str(target))
            assert made.returncode == 0, made.stderr
            assert made.stdout.strip() == str(target)
            running_during.append(importer.poll() is None)
            cli.append(target)
            assert _get(feed) == 200  # the server keeps serving meanwhile
        _, err = importer.communicate(timeout=300)
    finally:
        stop.set()
        worker.join(timeout=60)
    assert importer.returncode == 0, err
    final = plan_prints(db)
    assert len(final) == len(held) + DOCUMENTS
    assert cli and any(running_during), "the import finished before the first `tracker backup`"

    mid_import = []
    for path in cli + library:
        assert integrity(path) == "ok", path
        assert not Path(f"{path}-wal").exists()
        prints = plan_prints(path)
        for slug, got in prints.items():
            assert got == final[slug], f"{path.name}: {slug} is not whole"
        assert {s: prints[s] for s in held} == held  # what was there before, intact
        if len(held) < len(prints) < len(final):
            mid_import.append(path)
    assert mid_import, f"no backup caught the import half-way: {[len(plan_prints(p)) for p in cli + library]} plans"

    # Restore one taken half-way and finish the import in it: the same as the live database.
    restored = tmp_path / "restored.db"
    shutil.copy(mid_import[0], restored)
    renv = tracker_env(tmp_path, restored)
    assert run_tracker(renv, "import", str(folder)).returncode == 0
    assert integrity(restored) == "ok"
    assert plan_prints(restored) == final
