#!/usr/bin/env python3
"""Smoke test of the real TUI in a real terminal (tmux), typed as a person would.

Starts ``tracker start`` — the README's main command — on a fresh data folder in a detached
tmux session on a private socket, so it imports seeds/ and opens the TUI; then moves the
cursor, filters by typing, changes a status through the dialog, quits, and checks both the
screen (tmux capture-pane) and the database (the task and its History row).

Usage: scripts/tui_smoke.py [--keep]     exit 0 when everything was seen; else 1 with the
last screen. Needs tmux (exit 77, "skipped", when it is missing). CI runs it through
tests/tui/test_smoke.py.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SKIPPED = 77
TASK = "yunnan-2020-2021:33"  # 打击刑事犯罪“昆仑”行动
NOTE = "冒烟测试"


class Smoke:
    def __init__(self, home: Path) -> None:
        self.home = home
        self.socket = f"plan-tracker-smoke-{os.getpid()}"
        self.session = "smoke"
        self.last = ""

    def tmux(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["tmux", "-u", "-L", self.socket, *args], capture_output=True, text=True, check=check)

    def start(self, command: list[str], env: dict[str, str]) -> None:
        env_args = [a for k, v in env.items() for a in ("-e", f"{k}={v}")]
        self.tmux("-f", "/dev/null", "new-session", "-d", "-s", self.session, "-x", "120", "-y", "40", *env_args,
                  " ".join(_quote(c) for c in command))

    def screen(self) -> str:
        result = self.tmux("capture-pane", "-p", "-t", self.session, check=False)
        if result.returncode == 0:
            self.last = result.stdout
        return self.last

    def keys(self, *keys: str, literal: bool = False) -> None:
        """Type like a person: one key (or one literal string) at a time, with a short pause."""
        self.tmux("send-keys", "-t", self.session, *(["-l"] if literal else []), *keys)
        time.sleep(0.15)

    def wait(self, what: str, test: Callable[[str], bool], timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if test(self.screen()):
                print(f"ok: {what}")
                return
            time.sleep(0.2)
        raise AssertionError(f"not seen within {timeout:.0f} s: {what}")

    def alive(self) -> bool:
        return self.tmux("has-session", "-t", self.session, check=False).returncode == 0

    def stop(self) -> None:
        self.tmux("kill-server", check=False)  # our private server only (-L socket)


def _quote(arg: str) -> str:
    return "'" + arg.replace("'", "'\\''") + "'"


def run(keep: bool = False) -> int:
    if shutil.which("tmux") is None:
        print("SKIPPED: tmux is not installed", file=sys.stderr)
        return SKIPPED
    tmp = Path(tempfile.mkdtemp(prefix="tui-smoke-"))
    home = tmp / "home"
    env = {
        "TRACKER_HOME": str(home), "TRACKER_SEEDS": str(ROOT / "seeds"), "TRACKER_EXPORTS": str(tmp / "exports"),
        "TRACKER_ACTOR": "smoke", "TRACKER_LANG": "zh", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
        "TERM": "xterm-256color", "PATH": os.environ.get("PATH", ""), "HOME": str(tmp),
        "PYTHONPATH": str(ROOT),
    }
    tracker = ROOT / ".venv" / "bin" / "tracker"
    command = [str(tracker) if tracker.exists() else sys.executable, *([] if tracker.exists() else ["-m", "tracker"]), "start"]
    smoke = Smoke(home)
    try:
        smoke.start(command, env)
        # First run: the seeds are imported, then the TUI opens on the table.
        smoke.wait("the TUI opened on the seeded database", lambda s: "截至" in s and "共 247 项" in s, timeout=120)
        smoke.keys("j")
        smoke.keys("j")
        smoke.keys("k")
        smoke.wait("the cursor moved (detail of the second task)", lambda s: "qinghai-2021-2035:2" in s)
        smoke.keys("/")
        smoke.keys("昆仑", literal=True)
        smoke.wait("typing filtered the table", lambda s: "共 1 项" in s and "昆仑" in s)
        smoke.keys("Enter")
        smoke.wait("the detail shows the task", lambda s: TASK in s)
        smoke.keys("s")
        smoke.wait("the status dialog opened", lambda s: "修改状态" in s and "已取消" in s)
        smoke.keys("2")
        smoke.keys(NOTE, literal=True)
        smoke.wait("the note was typed into the dialog", lambda s: NOTE in s)
        smoke.keys("Enter")
        smoke.wait("the row and the detail show the new status",
                   lambda s: "修改状态" not in s and "状态: 推进中" in s and s.count("推进中") >= 2)
        smoke.keys("q")
        deadline = time.monotonic() + 20
        while smoke.alive() and time.monotonic() < deadline:
            time.sleep(0.2)
        if smoke.alive():
            raise AssertionError("q did not quit the TUI")
        print("ok: q quit the TUI")
        _check_database(home)
        print("ok: the database has the new status and its History row")
        return 0
    except AssertionError as exc:
        print(f"FAILED: {exc}\n--- last screen ---\n{smoke.last}", file=sys.stderr)
        return 1
    finally:
        smoke.stop()
        if not keep:
            shutil.rmtree(tmp, ignore_errors=True)


def _check_database(home: Path) -> None:
    sys.path.insert(0, str(ROOT))
    from tracker.services.tasks import get_task
    from tracker.store.db import make_engine

    engine = make_engine(f"sqlite:///{home / 'tracker.db'}")
    try:
        detail = get_task(engine, TASK)
    finally:
        engine.dispose()
    assert detail.task.status == "doing", detail.task.status
    h = detail.history[0]
    assert (h.field, h.old_value, h.new_value, h.actor, h.note) == ("status", "todo", "doing", "smoke", NOTE), h


if __name__ == "__main__":
    sys.exit(run(keep="--keep" in sys.argv))
