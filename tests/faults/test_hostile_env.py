"""A hostile environment gives one clear line and an exit code, never a traceback or damage.

Each case runs `tracker` as a separate process against a database that already holds a
plan and a coordinator's change, makes the environment hostile (read-only file, missing
folder, full disk, a lock held by another process, a file that is no database, an
unreachable server), and checks the error contract of the README ("Errors": one line on
stderr, exit code 5 for database problems) and that the file afterwards passes
``PRAGMA integrity_check`` and holds exactly what it held.

How "read-only" and "full disk" are made, as root (CI) and as a normal user:

* read-only: root ignores permission bits, so a ``chmod 444`` file is still writable for
  root. As root the file is made immutable (``chattr +i``: ext4/xfs/btrfs, needs
  CAP_LINUX_IMMUTABLE) and the folder is bind-mounted read-only (needs mount rights); as a
  normal user ``chmod 444`` / ``chmod 555`` do. Where root has neither capability that case
  is skipped with a loud reason. Independently of the OS, a SQLite URI
  ``sqlite:///file:PATH?mode=ro&uri=true`` opens the file read-only for everyone.
* full disk: a file-size limit (RLIMIT_FSIZE, like ``ulimit -f``) works for everyone: writes
  past it fail with EFBIG, which SQLite reports as "database or disk is full" (Python
  ignores SIGXFSZ, so the process is not killed). As root where mounting is allowed, a tiny
  tmpfs gives the real ENOSPC as well.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import SEEDS
from tests.faults.support import (
    assert_one_line_error,
    held_write_lock,
    integrity,
    plan_prints,
    run_tracker,
    sqlite_connection,
    tracker_env,
)

HELD_SEED = SEEDS / "qinghai-2021-ip-power-opinions.txt"
BIG_SEED = SEEDS / "yunnan-2020-ip-protection-opinions.txt"  # ~100 tasks: a write of a few hundred KB
BUSY_MS = 300


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database holding one plan and one coordinator change, built once by the CLI."""
    folder = tmp_path_factory.mktemp("template")
    db = folder / "held.db"
    env = tracker_env(folder, db)
    assert run_tracker(env, "import", str(HELD_SEED)).returncode == 0
    slug = next(iter(plan_prints(db)))
    done = run_tracker(env, "set", f"{slug}:1", "--progress", "40", "--actor", "alice")
    assert done.returncode == 0, done.stderr
    assert not Path(f"{db}-wal").exists()  # closed cleanly: the file alone is the database
    return db


@pytest.fixture
def held(template: Path, tmp_path: Path) -> Path:
    """A private copy of the template database."""
    db = tmp_path / "data" / "tracker.db"
    db.parent.mkdir()
    shutil.copy(template, db)
    return db


def _slug(db: Path) -> str:
    return next(iter(plan_prints(db)))


def _writes_fail(env: dict[str, str], slug: str, *phrases: str) -> None:
    """An import and a status change both fail cleanly with exit 5."""
    assert_one_line_error(run_tracker(env, "import", str(BIG_SEED)), 5, *phrases)
    assert_one_line_error(run_tracker(env, "set", f"{slug}:2", "--progress", "10"), 5, *phrases)


def _unharmed(db: Path, before: dict[str, tuple[int, int, int, str]]) -> None:
    assert integrity(db) == "ok"
    assert plan_prints(db) == before


# ------------------------------------------------------------------ read-only
@contextmanager
def _read_only_file(db: Path) -> Iterator[Path]:
    """The database file itself read-only for the current user (the folder stays writable)."""
    if os.geteuid() != 0:
        mode = db.stat().st_mode
        db.chmod(0o444)
        try:
            yield db
        finally:
            db.chmod(mode)
        return
    made = subprocess.run(["chattr", "+i", str(db)], capture_output=True, text=True) if shutil.which("chattr") else None
    if made is None or made.returncode != 0:
        reason = made.stderr.strip() if made else "no chattr"
        pytest.skip(f"!!! root cannot be denied writing a file here: chattr +i failed ({reason}); the folder and mode=ro cases still run !!!")
    try:
        yield db
    finally:
        subprocess.run(["chattr", "-i", str(db)], check=True)


@contextmanager
def _read_only_folder(db: Path) -> Iterator[Path]:
    """The database's folder read-only: SQLite cannot create the -shm/-wal files beside it."""
    if os.geteuid() != 0:
        mode = db.parent.stat().st_mode
        db.parent.chmod(0o555)
        try:
            yield db
        finally:
            db.parent.chmod(mode)
        return
    view = db.parent.parent / "read-only-view"  # root: a read-only bind mount of the folder
    view.mkdir()
    bound = subprocess.run(["mount", "--bind", str(db.parent), str(view)], capture_output=True, text=True)
    if bound.returncode != 0:
        pytest.skip(f"!!! bind mounts are not allowed here ({bound.stderr.strip()}); the file and mode=ro cases still run !!!")
    try:
        ro = subprocess.run(["mount", "-o", "remount,bind,ro", str(view)], capture_output=True, text=True)
        if ro.returncode != 0:
            pytest.skip(f"!!! cannot remount a bind mount read-only ({ro.stderr.strip()}) !!!")
        yield view / db.name
    finally:
        subprocess.run(["umount", str(view)], check=False)


@pytest.mark.parametrize("how", ["file", "folder", "uri"])
def test_read_only_database(held: Path, tmp_path: Path, how: str) -> None:
    """Reading still works where SQLite can (file read-only, or opened with mode=ro); every
    write says "read-only". A read-only *folder* stops even reading a WAL database (its
    -shm file cannot be made), and the message says that the folder is the problem."""
    before = plan_prints(held)
    slug = _slug(held)
    if how == "uri":
        _read_only_checks(tracker_env(tmp_path, f"sqlite:///file:{held}?mode=ro&uri=true"), slug, readable=True)
    elif how == "file":
        with _read_only_file(held) as path:
            _read_only_checks(tracker_env(tmp_path, path), slug, readable=True)
    else:
        with _read_only_folder(held) as path:
            _read_only_checks(tracker_env(tmp_path, path), slug, readable=False)
    _unharmed(held, before)


def _read_only_checks(env: dict[str, str], slug: str, *, readable: bool) -> None:
    listed = run_tracker(env, "plans", "--format", "json")
    if readable:
        assert listed.returncode == 0, listed.stderr
        assert [p["slug"] for p in json.loads(listed.stdout)] == [slug]
    else:
        assert_one_line_error(listed, 5, "folder is read-only")
    _writes_fail(env, slug, "read-only")


# ------------------------------------------------------------------ missing folder
def test_missing_directory(tmp_path: Path) -> None:
    missing = tmp_path / "no" / "such" / "folder"
    env = tracker_env(tmp_path, missing / "tracker.db")
    assert_one_line_error(run_tracker(env, "plans"), 5, "does not exist", str(missing))
    assert_one_line_error(run_tracker(env, "import", str(HELD_SEED)), 5, "does not exist")
    assert not (tmp_path / "no").exists()  # nothing was created on the way


def test_data_folder_cannot_be_created(tmp_path: Path) -> None:
    """The default database lives in TRACKER_HOME, made on first use; here it cannot be."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    env = tracker_env(tmp_path, "", TRACKER_HOME=str(blocker / "home"))
    del env["TRACKER_DB"]
    assert_one_line_error(run_tracker(env, "plans"), 1, "file system error", str(blocker / "home"))


# ------------------------------------------------------------------ full disk
def _file_size_limit(limit: int) -> None:
    """preexec_fn: the child may not write past ``limit`` bytes in any file (ulimit -f)."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of death by signal
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


@contextmanager
def _tiny_tmpfs(folder: Path, size_kb: int) -> Iterator[Path]:
    if os.geteuid() != 0:
        pytest.skip("!!! a tiny tmpfs needs root; the file-size-limit case covers a full disk !!!")
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", str(folder)], capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"!!! mounting a tmpfs is not allowed here ({mounted.stderr.strip()}); the file-size-limit case covers a full disk !!!")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def test_full_disk_file_size_limit(held: Path, tmp_path: Path) -> None:
    before = plan_prints(held)
    env = tracker_env(tmp_path, held)
    # 64 KB: the WAL of a ~100-task import cannot fit, the 32 KB shared-memory file can.
    limit = 64 * 1024
    proc = run_tracker(env, "import", str(BIG_SEED), preexec_fn=lambda: _file_size_limit(limit))
    assert_one_line_error(proc, 5, "disk full")
    _unharmed(held, before)
    assert run_tracker(env, "import", str(BIG_SEED)).returncode == 0  # with room again, it imports


def _fill(folder: Path) -> None:
    """Take every byte left on the filesystem of ``folder``."""
    with open(folder / "filler", "wb", buffering=0) as f:
        chunk = b"\0" * 4096
        with contextlib.suppress(OSError):  # ENOSPC: full
            while True:
                f.write(chunk)


def test_full_disk_tmpfs(held: Path, tmp_path: Path) -> None:
    before = plan_prints(held)
    slug = _slug(held)
    size_kb = held.stat().st_size // 1024 + 32 + 64  # the file, its -shm, and 64 KB to spare
    with _tiny_tmpfs(tmp_path / "tiny", size_kb) as tiny:
        db = tiny / "tracker.db"
        shutil.copy(held, db)
        env = tracker_env(tmp_path, db)
        # A big import does not fit in what is left …
        assert_one_line_error(run_tracker(env, "import", str(BIG_SEED)), 5, "disk full")
        _unharmed(db, before)
        # … and once the disk is completely full, neither does a one-field change.
        _fill(tiny)
        assert_one_line_error(run_tracker(env, "set", f"{slug}:2", "--progress", "10"), 5, "disk full")
        # Even reading may need a page of the shared-memory file that tmpfs can no longer
        # give; then that too is one clean line.
        listed = run_tracker(env, "plans", "--format", "json")
        if listed.returncode != 0:
            assert_one_line_error(listed, 5, "disk full")
        (tiny / "filler").unlink()  # room again (the checks below open the file too)
        _unharmed(db, before)


# ------------------------------------------------------------------ locked
@pytest.mark.parametrize("journal", ["wal", "delete"])
def test_locked_by_another_process(held: Path, tmp_path: Path, journal: str) -> None:
    """Longer than the busy timeout: a clear "locked" after ~TRACKER_BUSY_TIMEOUT_MS, exit 5.

    In WAL mode (how tracker keeps its files) readers are not blocked by a writer; a file in
    rollback-journal mode (made by another tool) blocks reading too.
    """
    if journal == "delete":
        with sqlite_connection(held) as conn:
            assert conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0] == "delete"
    before = plan_prints(held)
    slug = _slug(held)
    env = tracker_env(tmp_path, held, TRACKER_BUSY_TIMEOUT_MS=str(BUSY_MS))
    with held_write_lock(held):
        # (A 60 s limit: giving up must come from the busy timeout, not from the lock's end.)
        proc = run_tracker(env, "set", f"{slug}:2", "--progress", "10", timeout=60)
        assert_one_line_error(proc, 5, "locked by another process")
        assert_one_line_error(run_tracker(env, "import", str(BIG_SEED), timeout=60), 5, "locked by another process")
        listed = run_tracker(env, "plans", "--format", "json")
        if journal == "wal":
            assert listed.returncode == 0, listed.stderr
        else:
            assert_one_line_error(listed, 5, "locked by another process")
    _unharmed(held, before)
    done = run_tracker(env, "set", f"{slug}:2", "--progress", "10")  # the lock is gone: it works
    assert done.returncode == 0, done.stderr


# ------------------------------------------------------------------ not a database / no server
def test_not_a_database(tmp_path: Path) -> None:
    """TRACKER_DB pointing at a document (or a damaged file) is named as such, and left alone."""
    wrong = tmp_path / "notes.db"
    content = "这不是数据库 / this is not a database\n".encode() * 200
    wrong.write_bytes(content)
    env = tracker_env(tmp_path, wrong)
    assert_one_line_error(run_tracker(env, "plans"), 5, "not a database")
    assert_one_line_error(run_tracker(env, "import", str(HELD_SEED)), 5, "not a database")
    assert wrong.read_bytes() == content


def test_unreachable_postgres(tmp_path: Path) -> None:
    with socket.socket() as sock:  # a port nobody listens on (it was free a moment ago)
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = tracker_env(tmp_path, f"postgresql+psycopg://tracker:secret@127.0.0.1:{port}/tracker")
    err = assert_one_line_error(run_tracker(env, "plans"), 5, "cannot connect")
    assert "secret" not in err  # the password never reaches the terminal
