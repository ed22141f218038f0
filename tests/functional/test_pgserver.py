"""The throw-away PostgreSQL server really starts, speaks UTF-8 and goes away afterwards."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from tests import pgserver
from tests.pgserver import find_pg_bin, running_postgres

pytestmark = pytest.mark.postgres


def _require_server() -> None:
    if find_pg_bin() is None and not os.environ.get("TRACKER_TEST_PG_URL"):
        pytest.skip(
            "!!! PostgreSQL server binaries NOT FOUND: the PostgreSQL tests did NOT run. "
            "Install postgresql-15 (apt-get install postgresql-15), or set TRACKER_PG_BIN to the "
            "directory holding initdb, or TRACKER_TEST_PG_URL to a server of your own. !!!"
        )


def _conninfo(url: str) -> dict[str, object]:
    u = make_url(url)
    return {"host": u.host, "port": u.port, "user": u.username, "password": u.password, "dbname": u.database}


def test_server_runs_postgres_15_and_round_trips_chinese_text() -> None:
    _require_server()
    with running_postgres() as url:
        assert url.startswith("postgresql+psycopg://")
        assert url.endswith("/tracker_test")
        with psycopg.connect(**_conninfo(url), autocommit=True) as conn:  # type: ignore[arg-type]
            version = conn.execute("SELECT version()").fetchone()
            assert version is not None
            if not os.environ.get("TRACKER_TEST_PG_URL"):
                assert "PostgreSQL 15" in version[0]
            conn.execute("CREATE TEMP TABLE plan (id int PRIMARY KEY, title text NOT NULL)")
            title = "关于贯彻落实《知识产权强国建设纲要(2021—2035年)》的实施意见（關於·𠀀）"
            conn.execute("INSERT INTO plan VALUES (1, %s)", (title,))
            row = conn.execute("SELECT title, length(title) FROM plan WHERE id = 1").fetchone()
            assert row == (title, len(title))


def test_server_is_stopped_and_removed_even_if_the_body_raises() -> None:
    _require_server()
    if os.environ.get("TRACKER_TEST_PG_URL"):
        pytest.skip("an external server (TRACKER_TEST_PG_URL) is not ours to stop")
    seen: dict[str, str] = {}
    with pytest.raises(ZeroDivisionError), running_postgres() as url:
        u = make_url(url)
        seen["port"] = str(u.port)
        with psycopg.connect(**_conninfo(url)) as conn:  # type: ignore[arg-type]
            row = conn.execute("SHOW data_directory").fetchone()
            assert row is not None
            seen["data_directory"] = row[0]
        1 / 0  # noqa: B018
    assert not Path(seen["data_directory"]).exists()
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(host="127.0.0.1", port=seen["port"], user="postgres", dbname="postgres", connect_timeout=3)


def test_startup_failure_raises_with_the_server_log(monkeypatch: pytest.MonkeyPatch) -> None:
    _require_server()
    monkeypatch.delenv("TRACKER_TEST_PG_URL", raising=False)
    monkeypatch.setattr(pgserver, "_FAST_SETTINGS", "-c no_such_setting=1")
    before = set(Path(tempfile.gettempdir()).glob("tracker-pg-*"))
    expected = "(?s)PostgreSQL did not start.*server log tail.*no_such_setting"
    with pytest.raises(RuntimeError, match=expected), running_postgres():
        pytest.fail("the body must not run")
    assert set(Path(tempfile.gettempdir()).glob("tracker-pg-*")) == before


def test_external_url_is_yielded_without_starting_anything(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKER_TEST_PG_URL", "postgresql+psycopg://someone@db.example:5433/x")
    with running_postgres() as url:
        assert url == "postgresql+psycopg://someone@db.example:5433/x"


def test_find_pg_bin_honours_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TRACKER_PG_BIN", str(tmp_path))
    assert find_pg_bin() == tmp_path
    monkeypatch.delenv("TRACKER_TEST_PG_URL", raising=False)
    with pytest.raises(RuntimeError, match="initdb not found"), running_postgres():
        pass
