"""What the benchmarks share: the corpus, timing whole processes, the backends, Taskwarrior.

Every figure is wall-clock time of a whole process (``tracker …`` as a user runs it) or of
one in-process step, best of a few rounds; every comparison is a ratio of figures measured
in the same run, so a busy or slow machine shifts both sides alike.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
CACHE = BENCH / ".cache"
PYTHON = sys.executable
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))


def tracker_cmd() -> list[str]:
    """The installed `tracker` script of this interpreter's venv, else ``python -m tracker``."""
    script = Path(PYTHON).parent / "tracker"
    return [str(script)] if script.is_file() else [PYTHON, "-m", "tracker"]


def corpus(plans: int, seed: int = 7) -> Path:
    """The synthetic corpus of ``plans`` documents (bench/corpus.py), generated once."""
    from corpus import default_dir, write_corpus

    return write_corpus(plans, seed, default_dir(plans, seed))


def timed(cmd: list[str], *, env: dict[str, str] | None = None, stdout: Any = subprocess.DEVNULL) -> float:
    """Wall seconds of one run of ``cmd``; a failure stops the benchmark with its stderr."""
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, stdout=stdout, stderr=subprocess.PIPE, cwd=ROOT)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0,):
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr.decode(errors='replace')[-2000:]}")
    return elapsed


def best(rounds: int, run: Callable[[], float]) -> float:
    return min(run() for _ in range(rounds))


def tracker_env(db_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    env.update(TRACKER_DB=db_url, TRACKER_LANG="zh", TRACKER_TZ="Asia/Shanghai", **extra)
    return env


def machine() -> str:
    """One line naming the machine the figures come from."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(next(line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")).split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GB RAM"
    except (OSError, StopIteration, ValueError):
        pass
    load = ", load {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()) if hasattr(os, "getloadavg") else ""
    return f"{cpu}, {os.cpu_count()} cores{mem}{load}; Python {platform.python_version()}, {platform.system()}"


def sqlite_version() -> str:
    import sqlite3

    return sqlite3.sqlite_version


# --------------------------------------------------------------------------- backends


@contextmanager
def postgres() -> Iterator[Callable[[str], str]]:
    """A throw-away PostgreSQL server (tests/pgserver.py); yields ``new_database(name) → URL``."""
    from tests.pgserver import find_pg_bin, running_postgres

    if find_pg_bin() is None and not os.environ.get("TRACKER_TEST_PG_URL"):
        raise SystemExit("PostgreSQL server binaries not found (apt-get install postgresql), or pass --backends sqlite")
    with running_postgres() as url:
        import psycopg
        from sqlalchemy.engine import make_url

        base = make_url(url)

        def new_database(name: str) -> str:
            dsn = f"host={base.host} port={base.port} user={base.username} dbname={base.database}"
            with psycopg.connect(dsn, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
                conn.execute(f'CREATE DATABASE "{name}"')
            return base.set(database=name).render_as_string(hide_password=False)

        yield new_database


def pg_version(url: str) -> str:
    import psycopg
    from sqlalchemy.engine import make_url

    u = make_url(url)
    with psycopg.connect(f"host={u.host} port={u.port} user={u.username} dbname={u.database}") as conn:
        row = conn.execute("SHOW server_version").fetchone()
        return str(row[0]) if row else "?"


# --------------------------------------------------------------------------- Taskwarrior


def debian_program(program: str, package: str) -> str | None:
    """``program`` from the Debian package ``package``, installed if missing and root."""
    found = shutil.which(program)
    if found or os.geteuid() != 0 or not shutil.which("apt-get"):
        return found
    print(f"installing {package} (apt-get) …", file=sys.stderr)
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    if subprocess.run(["apt-get", "install", "-y", "-qq", package], **quiet).returncode != 0:  # type: ignore[call-overload]
        subprocess.run(["apt-get", "update", "-qq"], **quiet)  # type: ignore[call-overload]
        subprocess.run(["apt-get", "install", "-y", "-qq", package], **quiet)  # type: ignore[call-overload]
    return shutil.which(program)


def taskwarrior() -> str | None:
    """The `task` program (Debian package taskwarrior), installed if missing and root."""
    return debian_program("task", "taskwarrior")


class Taskwarrior:
    """A Taskwarrior with a throw-away TASKDATA and TASKRC (no hooks, no confirmation)."""

    def __init__(self, program: str, folder: Path) -> None:
        self.program = program
        self.folder = folder
        (folder / "data").mkdir(parents=True, exist_ok=True)
        self.rc = folder / "taskrc"
        self.rc.write_text(
            f"data.location={folder / 'data'}\nconfirmation=off\nhooks=off\nverbose=nothing\n"
            "gc=on\nrecurrence=off\nnews.version=2.6.2\n",
            encoding="utf-8",
        )
        self.env = {**os.environ, "TASKRC": str(self.rc), "TASKDATA": str(folder / "data")}

    def command(self, *args: str) -> list[str]:
        return [self.program, "rc.confirmation=off", "rc.hooks=off", "rc.verbose=nothing", *args]

    def import_file(self, path: Path) -> float:
        return timed(self.command("import", str(path)), env=self.env)

    def overdue(self) -> float:
        return timed(self.command("overdue"), env=self.env)

    def count(self, filter_: str = "+OVERDUE") -> int:
        """How many tasks match (``+OVERDUE``: what `task overdue` lists)."""
        out = subprocess.run(self.command(filter_, "count"), env=self.env, capture_output=True, text=True, check=True)
        return int(out.stdout.strip() or 0)


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def scratch() -> tempfile.TemporaryDirectory[str]:
    CACHE.mkdir(parents=True, exist_ok=True)
    return tempfile.TemporaryDirectory(dir=CACHE, prefix="run-")


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}×" if b else "n/a"


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"
