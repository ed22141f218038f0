"""Issue 17, secrets and files: the feed key, file modes, and writes that a full disk or a
kill cannot leave half done.

* ``feed-secret.key``: a failed write left an empty key, and every address became
  HMAC(b"", …); an empty or malformed key is now refused with one line, and the key is
  written atomically.
* modes: the data folder 0700, the database and its -wal/-shm 0600, under the usual umask
  022; notices follow the umask (they were forced to 0644).
* a full disk while writing a notice is exit 1 (a file problem), not 2 (usage); a killed or
  full-disk `export ics` leaves the old set of feeds whole (it is staged beside the folder
  and swapped in).

Full disks are made with a file-size limit (RLIMIT_FSIZE, like ``ulimit -f``), which works
for every user; each command runs as a separate process with a timeout.
"""

from __future__ import annotations

import hashlib
import os
import resource
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT, SEEDS
from tests.faults.support import assert_one_line_error, run_tracker, tracker_cmd, tracker_env

SEED = SEEDS / "yunyang-2022-ip-county-plan.txt"
QUICK = 120


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _umask(mask: int) -> None:
    os.umask(mask)


def _file_size_limit(limit: int) -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of death by signal
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


def _imported(tmp_path: Path, what: Path = SEED, **extra: str) -> dict[str, str]:
    env = tracker_env(tmp_path, tmp_path / "t.db", **extra)
    done = run_tracker(env, "import", str(what), timeout=QUICK)
    assert done.returncode == 0, done.stderr
    return env


# ------------------------------------------------------------------ the feed key
@pytest.mark.parametrize("content", [b"", b"\n", b"zz" * 32 + b"\n", b"00" * 31 + b"\n", b"\xff\xfe" * 40])
def test_empty_or_malformed_feed_key_is_refused(tmp_path: Path, content: bytes) -> None:
    """No token is ever derived from such a key: every feed command stops with one line."""
    env = _imported(tmp_path)
    home = Path(env["TRACKER_HOME"])
    home.mkdir(exist_ok=True)
    (home / "feed-secret.key").write_bytes(content)
    for args in (("feeds", "list"), ("feeds", "rotate", "--all"), ("serve", "--port", "0")):
        assert_one_line_error(run_tracker(env, *args, timeout=QUICK), 1, "feed key", "feed-secret.key")
    assert (home / "feed-secret.key").read_bytes() == content  # left for a person to restore
    from tracker.errors import FileError
    from tracker.feeds.export import derive_token

    with pytest.raises(FileError):
        derive_token(b"", "unit", "县法院", 0)


def test_feed_key_write_that_fails_leaves_no_empty_key(tmp_path: Path) -> None:
    """A disk full while writing the key: no key file at all (it used to be an empty one),
    and the next run creates a whole key."""
    home = tmp_path / "home"
    code = "import sys; from pathlib import Path; from tracker.feeds.export import load_secret; load_secret(Path(sys.argv[1]))"
    failed = subprocess.run([sys.executable, "-c", code, str(home)], cwd=ROOT, capture_output=True, text=True,
                            timeout=QUICK, preexec_fn=lambda: _file_size_limit(16), env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    assert failed.returncode != 0
    assert not (home / "feed-secret.key").exists(), (home / "feed-secret.key").read_bytes()
    assert [p.name for p in home.iterdir()] == []  # no temporary file left either
    from tracker.feeds.export import load_secret

    key = load_secret(home)
    assert key is not None and len(key) == 32
    assert _mode(home / "feed-secret.key") == 0o600
    assert load_secret(home) == key


def test_processes_creating_the_key_at_once_agree_on_it(tmp_path: Path) -> None:
    home = tmp_path / "home"
    code = "import sys; from pathlib import Path; from tracker.feeds.export import load_secret; print(load_secret(Path(sys.argv[1])).hex())"
    procs = [subprocess.Popen([sys.executable, "-c", code, str(home)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
             for _ in range(6)]
    keys = {p.communicate(timeout=QUICK)[0].strip() for p in procs}
    assert len(keys) == 1 and len(keys.pop()) == 64


# ------------------------------------------------------------------ modes
def test_data_folder_and_database_files_are_private(tmp_path: Path) -> None:
    """Under umask 022 the default database's folder is 0700 and the database, -wal and
    -shm are 0600 (they were 0755 and 0644, readable by every local user)."""
    env = tracker_env(tmp_path, "")
    del env["TRACKER_DB"]  # the default database, in TRACKER_HOME
    home = Path(env["TRACKER_HOME"])
    done = run_tracker(env, "import", str(SEED), timeout=QUICK, preexec_fn=lambda: _umask(0o022))
    assert done.returncode == 0, done.stderr
    assert _mode(home) == 0o700
    assert _mode(home / "tracker.db") == 0o600
    proc = subprocess.Popen(tracker_cmd("serve", "--port", "0"), env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, preexec_fn=lambda: _umask(0o022))
    try:
        assert proc.stderr is not None and "serving" in proc.stderr.readline()
        wal, shm = home / "tracker.db-wal", home / "tracker.db-shm"
        assert wal.exists() and shm.exists()  # the server holds the database open
        assert _mode(wal) == 0o600 and _mode(shm) == 0o600
        assert _mode(home / "feed-secret.key") == 0o600
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=30)


def test_a_new_database_file_is_private_wherever_it_is(tmp_path: Path) -> None:
    env = tracker_env(tmp_path, tmp_path / "elsewhere.db")
    assert run_tracker(env, "plans", timeout=QUICK, preexec_fn=lambda: _umask(0o022)).returncode == 0
    assert _mode(tmp_path / "elsewhere.db") == 0o600


def test_docx_notice_follows_the_umask(tmp_path: Path) -> None:
    """Notices are for sharing: they get what the umask gives (they were forced to 0644)."""
    env = _imported(tmp_path)
    out = tmp_path / "notice.docx"
    done = run_tracker(env, "overdue", "--as-of", "2024-01-01", "--format", "docx", "-o", str(out), timeout=QUICK,
                       preexec_fn=lambda: _umask(0o027))
    assert done.returncode == 0, done.stderr
    assert _mode(out) == 0o640
    md = tmp_path / "notice.md"
    assert run_tracker(env, "overdue", "--as-of", "2024-01-01", "--format", "md", "-o", str(md), timeout=QUICK,
                       preexec_fn=lambda: _umask(0o077)).returncode == 0
    assert _mode(md) == 0o600


# ------------------------------------------------------------------ full disks and kills
def test_disk_full_while_writing_a_docx_is_exit_1(tmp_path: Path) -> None:
    env = _imported(tmp_path)
    out = tmp_path / "notice.docx"
    out.write_bytes(b"the previous notice")
    limit = 40 * 1024  # room for the database's 32 KB shared-memory file, not for the notice
    proc = run_tracker(env, "overdue", "--as-of", "2024-01-01", "--format", "docx", "-o", str(out), timeout=QUICK,
                       preexec_fn=lambda: _file_size_limit(limit))
    assert_one_line_error(proc, 1, "cannot write", str(out))
    assert out.read_bytes() == b"the previous notice"  # the old file is whole
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".notice.docx")] == []


def _snapshot(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def _changed_database(env: dict[str, str]) -> None:
    done = run_tracker(env, "set", "yunyang-2022-2025:5", "--status", "done", "--on", "2023-01-02", timeout=QUICK)
    assert done.returncode == 0, done.stderr


def test_disk_full_export_leaves_the_old_set_whole(tmp_path: Path) -> None:
    """The disk fills up after the first feed of the new set is written: the old code had
    replaced all.ics and stopped (a mixed set, an old index.html); now the folder is the old
    set, byte for byte. The limit is set between the new all.ics and the bigger
    all.todo.ics that is written right after it."""
    env = _imported(tmp_path, SEEDS)  # every seed: the feed with everything is a few hundred KB
    exports = Path(env["TRACKER_EXPORTS"])
    first = run_tracker(env, "export", "ics", "--todo", "--as-of", "2023-01-01", timeout=QUICK)
    assert first.returncode == 0, first.stderr
    (exports / "通报.docx").write_bytes(b"a notice kept in the exports folder")
    before = _snapshot(exports)
    _changed_database(env)
    scratch = tmp_path / "scratch"
    assert run_tracker(env, "export", "ics", "--todo", "--as-of", "2023-06-01", "--out", str(scratch), timeout=QUICK).returncode == 0
    events, todos = (scratch / "all.ics").stat().st_size, (scratch / "all.todo.ics").stat().st_size
    assert todos > events + 64 and events > 64 * 1024, (events, todos)
    proc = run_tracker(env, "export", "ics", "--todo", "--as-of", "2023-06-01", timeout=QUICK,
                       preexec_fn=lambda: _file_size_limit((events + todos) // 2))
    assert_one_line_error(proc, 1, "file system error")
    assert _snapshot(exports) == before
    assert [p.name for p in exports.parent.iterdir() if ".staging-" in p.name] == []
    # With room again the new set replaces the old one, the notice carried over.
    again = run_tracker(env, "export", "ics", "--todo", "--as-of", "2023-06-01", timeout=QUICK)
    assert again.returncode == 0, again.stderr
    after = _snapshot(exports)
    assert after != before and after["通报.docx"] == before["通报.docx"] and "index.html" in after
    assert {n: h for n, h in after.items() if n != "通报.docx"} == _snapshot(scratch)


def test_killed_export_leaves_the_old_set_whole(tmp_path: Path) -> None:
    """Killed while the new set is being written (its staging folder exists), the export
    folder is exactly the old set; the next export clears the leftovers and completes."""
    env = _imported(tmp_path)
    exports = Path(env["TRACKER_EXPORTS"])
    assert run_tracker(env, "export", "ics", "--as-of", "2023-01-01", timeout=QUICK).returncode == 0
    before = _snapshot(exports)
    unchanged = {p.name: p.stat().st_ino for p in exports.iterdir()}
    _changed_database(env)
    proc = subprocess.Popen(tracker_cmd("export", "ics", "--as-of", "2023-06-01"), env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + QUICK
    staged: list[Path] = []
    while not staged and proc.poll() is None and time.monotonic() < deadline:
        staged = [p for p in exports.parent.iterdir() if p.name.startswith(".exports.staging-")]
    proc.kill()
    proc.wait(timeout=30)
    assert staged, "the export never staged its files beside the folder"
    assert _snapshot(exports) == before
    done = run_tracker(env, "export", "ics", "--as-of", "2023-06-01", timeout=QUICK)
    assert done.returncode == 0, done.stderr
    assert [p.name for p in exports.parent.iterdir() if ".staging-" in p.name] == []
    after = _snapshot(exports)
    assert set(after) == set(before) and after != before
    # A feed whose bytes did not change is the same file (hard link): its mtime, and a static
    # server's ETag, stay.
    kept = [n for n in after if after[n] == before[n] and n != "index.html"]
    assert kept and all(os.stat(exports / n).st_ino == unchanged[n] for n in kept)


def test_export_into_a_folder_with_subfolders_is_not_swapped(tmp_path: Path) -> None:
    """A folder holding more than plain files (here a sub-folder) is never swapped away:
    its feeds are replaced one by one and everything else stays where it is."""
    env = _imported(tmp_path)
    out = tmp_path / "shared"
    (out / "keep").mkdir(parents=True)
    (out / "keep" / "a.txt").write_text("mine")
    done = run_tracker(env, "export", "ics", "--out", str(out), "--as-of", "2023-01-01", timeout=QUICK)
    assert done.returncode == 0, done.stderr
    assert (out / "keep" / "a.txt").read_text() == "mine" and (out / "index.html").exists()
