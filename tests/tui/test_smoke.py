"""CI runs the tmux smoke test (scripts/tui_smoke.py) and the CLI entry points of the TUI."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_cli


def test_smoke_in_a_real_terminal() -> None:
    """`tracker start` in tmux: first-run import, navigate, filter, change a status, quit."""
    if shutil.which("tmux") is None:
        message = "!!! tmux not found: the TUI smoke test in a real terminal is SKIPPED !!!"
        if os.environ.get("TRACKER_REQUIRE_TMUX"):
            pytest.fail(message.replace("SKIPPED", "REQUIRED (TRACKER_REQUIRE_TMUX is set)"))
        pytest.skip(message)
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "tui_smoke.py")], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_core_never_imports_textual() -> None:
    code = "import sys, tracker.cli.main, tracker.services.tasks, tracker.services.tasklist, tracker.services.timeline, tracker.store.units; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_tui_command_refuses_a_bad_date(cli_env: dict[str, str]) -> None:
    proc = run_cli(cli_env, "tui", "--as-of", "2021-02-30", check=False)
    assert proc.returncode == 2 and "2021-02-30" in proc.stderr


def test_start_without_a_terminal_prints_the_task_list(cli_env: dict[str, str], tmp_path: Path) -> None:
    proc = run_cli(cli_env, "start")
    assert proc.returncode == 0 and "yunnan-2020-2021" in proc.stdout and "\x1b[?1049h" not in proc.stdout
