"""Typed settings, read once from the environment (prefix ``TRACKER_``).

`tracker locate` prints the resolved values, so nobody has to guess where the database is.
A value that cannot be used (a time zone that does not exist, a timeout that is no number)
is refused here with one line naming the variable (exit 2), before any command acts on it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from tracker.errors import UsageError

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
            timezone=timezone_name(env.get("TRACKER_TZ")),
            lang=_detect_lang(env),
        )


def _detect_lang(env: os._Environ[str] | dict[str, str]) -> str:
    explicit = env.get("TRACKER_LANG")
    if explicit:
        return "en" if explicit.lower().startswith("en") else "zh"
    return "zh"


DEFAULT_TZ = "Asia/Shanghai"
DEFAULT_BUSY_TIMEOUT_MS = 5000
MAX_BUSY_TIMEOUT_MS = 3_600_000  # an hour: SQLite takes an int, and nobody waits longer for a lock


def timezone_name(value: str | None) -> str:
    """A time zone the system knows (TRACKER_TZ), default Asia/Shanghai.

    >>> timezone_name(None), timezone_name("Europe/Berlin")
    ('Asia/Shanghai', 'Europe/Berlin')
    >>> timezone_name("Mars/Olympus")
    Traceback (most recent call last):
    tracker.errors.UsageError: TRACKER_TZ 不是已知的时区：“Mars/Olympus”（例如 Asia/Shanghai）/ TRACKER_TZ is not a known time zone: 'Mars/Olympus' (e.g. Asia/Shanghai)
    """
    if not value:
        return DEFAULT_TZ
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # ValueError: a path such as ../x
        raise UsageError(
            f"TRACKER_TZ 不是已知的时区：“{value}”（例如 {DEFAULT_TZ}）/ TRACKER_TZ is not a known time zone: {value!r} (e.g. {DEFAULT_TZ})"
        ) from None
    return value


def busy_timeout_ms() -> int:
    """How long a SQLite write waits for another process's lock (TRACKER_BUSY_TIMEOUT_MS).

    Read when a connection is made, not at import: a bad value is then one clear line from
    the command that needs it, not a traceback from importing a module.

    >>> os.environ["TRACKER_BUSY_TIMEOUT_MS"] = "abc"
    >>> busy_timeout_ms()
    Traceback (most recent call last):
    tracker.errors.UsageError: TRACKER_BUSY_TIMEOUT_MS 须为 0–3600000 之间的毫秒数 / TRACKER_BUSY_TIMEOUT_MS must be a number of milliseconds, 0–3600000: 'abc'
    >>> del os.environ["TRACKER_BUSY_TIMEOUT_MS"]; busy_timeout_ms()
    5000
    """
    raw = os.environ.get("TRACKER_BUSY_TIMEOUT_MS", "").strip()
    if not raw:
        return DEFAULT_BUSY_TIMEOUT_MS
    if raw.isascii() and raw.isdigit() and int(raw) <= MAX_BUSY_TIMEOUT_MS:
        return int(raw)
    raise UsageError(
        f"TRACKER_BUSY_TIMEOUT_MS 须为 0–{MAX_BUSY_TIMEOUT_MS} 之间的毫秒数 / TRACKER_BUSY_TIMEOUT_MS must be a number of "
        f"milliseconds, 0–{MAX_BUSY_TIMEOUT_MS}: {raw!r}"
    )
