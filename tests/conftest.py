"""Shared fixtures: every storage test runs on SQLite and on a real PostgreSQL server.

The PostgreSQL server is started once per test session (tests/pgserver.py); each test gets
a fresh database on it. Where no PostgreSQL binaries exist the PostgreSQL half is skipped
with a loud reason, unless TRACKER_REQUIRE_PG is set (CI), where it fails instead.
"""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine, make_url

from tests.pgserver import find_pg_bin, running_postgres

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
BACKENDS = ["sqlite", "postgres"]
_counter = itertools.count()


@pytest.fixture(scope="session")
def pg_server_url() -> Iterator[str]:
    if find_pg_bin() is None and not os.environ.get("TRACKER_TEST_PG_URL"):
        message = "!!! PostgreSQL server binaries not found: the PostgreSQL half of the suite is SKIPPED !!!"
        if os.environ.get("TRACKER_REQUIRE_PG"):
            pytest.fail(message.replace("SKIPPED", "REQUIRED (TRACKER_REQUIRE_PG is set)"))
        pytest.skip(message)
    with running_postgres() as url:
        yield url


def _fresh_pg_database(server_url: str) -> str:
    import psycopg

    url = make_url(server_url)
    name = f"t{os.getpid()}_{next(_counter)}"
    dsn = f"host={url.host} port={url.port} user={url.username} dbname={url.database}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A URL to an empty database, once per backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'tracker.db'}"
    server = request.getfixturevalue("pg_server_url")
    return _fresh_pg_database(server)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    from tracker.store.db import ensure_schema, make_engine

    eng = make_engine(db_url)
    ensure_schema(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def seeded(engine: Engine) -> Engine:
    """The engine with every seed document imported."""
    from tracker.extract.owners import Lexicon, default_lexicon_path
    from tracker.store.importer import import_paths

    report = import_paths(engine, [SEEDS], lexicon=Lexicon.load(default_lexicon_path()))
    assert not report.errors, report.errors
    return engine


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    """Environment for running `tracker` as a real process on a private SQLite file."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    env.update({
        "TRACKER_HOME": str(tmp_path / "home"),
        "TRACKER_DB": str(tmp_path / "cli.db"),
        "TRACKER_SEEDS": str(SEEDS),
        "TRACKER_EXPORTS": str(tmp_path / "exports"),
        "COLUMNS": "200",
    })
    return env


def run_cli(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run `python -m tracker ARGS` as a separate process, as a user would."""
    proc = subprocess.run(
        [sys.executable, "-m", "tracker", *args],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"tracker {' '.join(args)} exited {proc.returncode}\n{proc.stderr}")
    return proc
