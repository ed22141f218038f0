"""Golden check for performance work: extraction and reports on seeds/ must not change.

``dump DIR`` imports seeds/ into a fresh SQLite database and writes what the contracts
print (import report, tasks, overdue and scorecard as JSON, at a few as-of dates) into DIR;
``check DIR`` does it again into a temporary folder and compares byte for byte. Run
``dump`` before an optimisation and ``check`` after it.

Usage: .venv/bin/python bench/golden.py dump|check DIR
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TRACKER = [sys.executable, "-m", "tracker"]
AS_OF = ("2020-06-30", "2021-01-01", "2021-07-01", "2022-12-31", "2026-01-01")
COMMANDS: list[tuple[str, list[str]]] = [
    ("import.json", ["import", str(ROOT / "seeds"), "--format", "json"]),
    ("tasks.json", ["tasks", "--format", "json"]),
    ("plans.json", ["plans", "--format", "json"]),
    ("indicators.json", ["indicators", "--format", "json"]),
    *[(f"overdue-{d}.json", ["overdue", "--as-of", d, "--format", "json"]) for d in AS_OF],
    *[(f"overdue-plan-{d}.json", ["overdue", "--as-of", d, "--by", "plan", "--format", "json"]) for d in AS_OF[:2]],
    *[(f"overdue-section-{d}.json", ["overdue", "--as-of", d, "--by", "section", "--format", "json"]) for d in AS_OF[1:3]],
    ("overdue-2021-01-01.csv", ["overdue", "--as-of", "2021-01-01", "--format", "csv"]),
    ("overdue-2021-01-01.txt", ["overdue", "--as-of", "2021-01-01"]),
    ("overdue-owner-2021-01-01.json", ["overdue", "--as-of", "2021-01-01", "--owner", "省公安厅", "--format", "json"]),
    ("scorecard-2021-12-31.json", ["scorecard", "--as-of", "2021-12-31", "--format", "json"]),
    ("reimport.json", ["import", str(ROOT / "seeds"), "--format", "json"]),
    # Coordinator changes, some back-dated, so the reports below replay History.
    *[(f"change-{k}.out", ["--lang", "zh", *args, "--actor", "golden"]) for k, args in enumerate([
        ["set", "yunnan-2020-2021:21", "--status", "done", "--on", "2020-12-20"],
        ["set", "yunnan-2020-2021:5", "--status", "doing", "--progress", "40", "--on", "2020-11-02"],
        ["set", "yunnan-2020-2021:5", "--status", "done", "--on", "2021-03-15"],
        ["set", "yunnan-2020-2021:19", "--status", "done", "--on", "2021-02-01"],
        ["set", "yunnan-2020-2021:19", "--status", "doing", "--on", "2020-12-01"],
        ["set", "yunnan-2020-2021:22", "--status", "cancelled", "--on", "2020-10-01"],
        ["due", "yunnan-2020-2021:4", "2021-09-30", "--reason", "延期"],
        ["due", "yunnan-2020-2021:26", "2020-11-30", "--reason", "提前"],
        ["trigger", "yunnan-2020-2021:1", "2021-06-01"],
        ["note", "yunnan-2020-2021:10", "已督办", "--on", "2020-12-15"],
        ["note", "yunnan-2020-2021:12", "已督办", "--on", "2021-05-20"],
        ["set", "yunnan-2020-2021:17", "--status", "done", "--on", "2021-11-30"],
        ["assign", "yunnan-2020-2021:33", "省司法厅", "--role", "support"],
        ["unassign", "yunnan-2020-2021:59", "省商务厅"],
        ["set", "yunyang-2022-2025:5", "--status", "blocked", "--on", "2023-01-10"],
    ])],
    *[(f"after-overdue-{d}.json", ["overdue", "--as-of", d, "--format", "json"]) for d in AS_OF],
    ("after-overdue-2021-07-01.txt", ["overdue", "--as-of", "2021-07-01"]),
    ("after-overdue-plan-2021-07-01.json", ["overdue", "--as-of", "2021-07-01", "--by", "plan", "--format", "json"]),
    ("after-overdue-section-2021-07-01.csv", ["overdue", "--as-of", "2021-07-01", "--by", "section", "--format", "csv"]),
    ("after-scorecard-2021-12-31.json", ["scorecard", "--as-of", "2021-12-31", "--format", "json"]),
    ("after-tasks.json", ["tasks", "--format", "json"]),
]
# Import reports carry nothing time-dependent, but be safe with timestamps anyway.
_VOLATILE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[.\d]*\+?[\d:]*")


def dump(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "TRACKER_DB": f"sqlite:///{tmp}/golden.db", "TRACKER_HOME": tmp,
               "TRACKER_LANG": "zh", "COLUMNS": "200"}
        for name, args in COMMANDS:
            proc = subprocess.run([*TRACKER, *args], cwd=ROOT, env=env, capture_output=True, text=True)
            text = _VOLATILE.sub("<ts>", proc.stdout) + f"\n--- exit {proc.returncode}\n"
            if proc.returncode:
                text += _VOLATILE.sub("<ts>", proc.stderr)
            (out / name).write_text(text, encoding="utf-8")


def check(golden: Path) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        now = Path(tmp) / "now"
        dump(now)
        bad = [name for name, _ in COMMANDS if (golden / name).read_text() != (now / name).read_text()]
        for name in bad:
            print(f"DIFFERS: {name}")
            subprocess.run(["diff", "-u", str(golden / name), str(now / name)], check=False)
    print("golden: all identical" if not bad else f"golden: {len(bad)} file(s) differ")
    return 1 if bad else 0


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("dump", "check"):
        sys.exit(__doc__)
    if sys.argv[1] == "dump":
        dump(Path(sys.argv[2]))
    else:
        sys.exit(check(Path(sys.argv[2])))
