"""Fixtures for the TUI tests: a seeded SQLite database (imported once per session, copied
per test) and the app built by the same factory as the CLI's, as of a fixed date.

The TUI tests run on SQLite only: the storage rules are tested on both databases in
tests/functional; here the subject is the interface.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from tests.conftest import SEEDS
from tracker.settings import Settings

AS_OF = date(2021, 1, 1)


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tracker.extract.owners import Lexicon, default_lexicon_path
    from tracker.store.db import ensure_schema, make_engine
    from tracker.store.importer import import_paths

    path = tmp_path_factory.mktemp("template") / "tracker.db"
    engine = make_engine(f"sqlite:///{path}")
    ensure_schema(engine)
    report = import_paths(engine, [SEEDS], lexicon=Lexicon.load(default_lexicon_path()))
    assert not report.errors, report.errors
    with engine.connect() as conn:  # fold the WAL into the file so a plain copy is complete
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture
def tui_db(seeded_template: Path, tmp_path: Path) -> Iterator[Engine]:
    """A private copy of the seeded database (named tracker.db: the header shows the name)."""
    from tracker.store.db import make_engine

    target = tmp_path / "db" / "tracker.db"
    target.parent.mkdir()
    shutil.copy(seeded_template, target)
    engine = make_engine(f"sqlite:///{target}")
    yield engine
    engine.dispose()


@pytest.fixture
def tui_settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path / "home", db_url="unused", seeds_dir=SEEDS, exports_dir=tmp_path / "exports",
        timezone="Asia/Shanghai", lang="zh",
    )


@pytest.fixture
def make(tui_db: Engine, tui_settings: Settings) -> Callable[..., object]:
    """``make(lang="zh", as_of=AS_OF)`` → the app on the seeded copy, acting as "tester"."""
    from tui.app import make_app

    def build(lang: str = "zh", as_of: date = AS_OF, actor: str = "tester") -> object:
        return make_app(tui_db, tui_settings, lang=lang, as_of=as_of, actor=actor)

    return build
