"""Typed settings, read once from the environment (prefix ``TRACKER_``).

`tracker locate` prints the resolved values, so nobody has to guess where the database is.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def _data_home() -> Path:
    xdg = os.environ.get("XDG_DATA_HOME")
    return Path(xdg) if xdg else Path.home() / ".local" / "share"


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    """Where the embedded SQLite database lives (TRACKER_HOME, else $XDG_DATA_HOME/plan-tracker)."""

    db_url: str
    """SQLAlchemy URL (TRACKER_DB); default the SQLite file ``tracker.db`` in data_dir."""

    seeds_dir: Path
    """Documents imported on first run (TRACKER_SEEDS, default ``seeds/`` of the checkout)."""

    exports_dir: Path
    """Where feeds and reports are written (TRACKER_EXPORTS, default ``exports/``)."""

    timezone: str
    """Time zone that decides what "today" is (TRACKER_TZ, default Asia/Shanghai)."""

    lang: str
    """Language of labels and reports: zh (default) or en (TRACKER_LANG)."""

    @classmethod
    def load(cls) -> Settings:
        env = os.environ
        data_dir = Path(env["TRACKER_HOME"]) if env.get("TRACKER_HOME") else _data_home() / "plan-tracker"
        db_url = env.get("TRACKER_DB") or ""
        if db_url and "://" not in db_url:  # a plain path means a SQLite file
            db_url = f"sqlite:///{Path(db_url).expanduser().resolve()}"
        if not db_url:
            db_url = f"sqlite:///{data_dir / 'tracker.db'}"
        return cls(
            data_dir=data_dir,
            db_url=db_url,
            seeds_dir=Path(env.get("TRACKER_SEEDS") or REPO_ROOT / "seeds"),
            exports_dir=Path(env.get("TRACKER_EXPORTS") or REPO_ROOT / "exports"),
            timezone=env.get("TRACKER_TZ") or "Asia/Shanghai",
            lang=_detect_lang(env),
        )


def _detect_lang(env: os._Environ[str] | dict[str, str]) -> str:
    explicit = env.get("TRACKER_LANG")
    if explicit:
        return "en" if explicit.lower().startswith("en") else "zh"
    return "zh"
