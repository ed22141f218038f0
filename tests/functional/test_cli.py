"""The `tracker` command as a user runs it: separate processes, real files, real output."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from rich.cells import cell_len

from tests.conftest import SEEDS, run_cli

CONTRACT_KEYS = {
    "id", "plan", "source_file", "number", "section", "title", "text", "kind", "due", "start",
    "due_text", "due_source", "ongoing", "condition", "status", "progress", "owners", "needs_review", "version",
}


@pytest.fixture
def imported(cli_env: dict[str, str]) -> dict[str, str]:
    proc = run_cli(cli_env, "import")
    assert "yunnan-2020-2021" in proc.stdout
    return cli_env


def test_import_then_tasks_json_is_the_contract(imported: dict[str, str]) -> None:
    data = json.loads(run_cli(imported, "tasks", "--format", "json").stdout)
    by_plan: dict[str, list[dict[str, object]]] = {}
    for row in data:
        assert set(row) == CONTRACT_KEYS
        by_plan.setdefault(str(row["plan"]), []).append(row)
    yunnan = by_plan["yunnan-2020-2021"]
    assert [r["number"] for r in yunnan] == [str(n) for n in range(1, 95)]
    assert len(by_plan["yunyang-2022-2025"]) == 22
    item2 = yunnan[1]
    assert item2["due"] == "2020-12-31" and item2["due_text"] == "2020年12月底前完成"
    assert item2["due_source"] == "stated"
    yunyang = {r["number"]: r for r in by_plan["yunyang-2022-2025"]}
    assert yunyang["（三）"]["due_source"] == "inherited" and yunyang["（三）"]["due_text"] is None
    assert item2["source_file"] == "yunnan-2020-ip-protection-opinions.txt"
    assert item2["owners"] == [{"name": "昆明海关", "role": "lead", "provenance": "inferred"}]
    phase = next(r for r in by_plan["yunyang-2022-2025"] if r["number"] == "（十八）")
    assert (phase["kind"], phase["start"], phase["due"]) == ("phase", "2022-11-01", "2025-03-31")


def test_filters(imported: dict[str, str]) -> None:
    rows = json.loads(run_cli(imported, "tasks", "--plan", "yunnan-2020-2021", "--due-before", "2021-01-01", "--format", "json").stdout)
    assert rows and all(r["due"] < "2021-01-01" for r in rows)
    text = (SEEDS / "yunnan-2020-ip-protection-opinions.txt").read_text(encoding="utf-8")
    assert len(rows) == text[text.index("附件"):].count("(2020年12月底前完成")
    owner_rows = json.loads(run_cli(imported, "tasks", "--owner", "县法院", "--format", "json").stdout)
    assert [r["number"] for r in owner_rows] == ["（五）"]
    by_label = run_cli(imported, "tasks", "--status", "未开始", "--plan", "yunyang-2022-2025", "--format", "csv").stdout
    by_code = run_cli(imported, "tasks", "--status", "todo", "--plan", "yunyang-2022-2025", "--format", "csv").stdout
    assert by_label == by_code
    rows_csv = list(csv.reader(io.StringIO(by_label)))
    assert len(rows_csv) == 23 and rows_csv[0][:2] == ["规划", "序号"]  # header + 22
    assert rows_csv[-1][1] == "（二十二）"
    overdue = json.loads(run_cli(imported, "tasks", "--overdue", "--as-of", "2021-01-01", "--plan", "yunnan-2020-2021", "--format", "json").stdout)
    assert {r["due"] for r in overdue} == {"2020-12-31"}


def test_table_columns_stay_aligned_with_chinese_text(imported: dict[str, str]) -> None:
    out = run_cli(imported, "tasks", "--plan", "yunyang-2022-2025").stdout
    lines = [ln for ln in out.splitlines() if ln.strip()]
    widths = {cell_len(ln.rstrip()) for ln in lines if "│" in ln or "┃" in ln}
    assert len(widths) == 1, widths
    assert any("县法院" in ln for ln in lines)


def test_show_prints_source_lines_owners_and_history(imported: dict[str, str]) -> None:
    out = run_cli(imported, "show", "yunyang-2022-2025:（十七）").stdout
    assert "40 │ （十七）启动阶段（2022年10月30日前）" in out
    assert out == run_cli(imported, "show", "yunyang-2022-2025:17").stdout
    data = json.loads(run_cli(imported, "show", "yunyang-2022-2025:5", "--format", "json").stdout)
    assert data["source_lines"][0]["line"] == 23
    assert data["owners"][0] == {"name": "县法院", "role": "lead", "provenance": "stated"}


def _one_line_error(proc, code: int) -> str:  # type: ignore[no-untyped-def]
    assert proc.returncode == code, (proc.returncode, proc.stderr)
    assert "Traceback" not in proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, proc.stderr
    return str(lines[0])


def test_errors_are_one_line_with_an_exit_code(imported: dict[str, str], tmp_path: Path) -> None:
    assert "YYYY-MM-DD" in _one_line_error(run_cli(imported, "tasks", "--due-before", "2021-13-45", check=False), 2)
    assert "未知状态" in _one_line_error(run_cli(imported, "tasks", "--status", "finished", check=False), 2)
    assert "no task" in _one_line_error(run_cli(imported, "show", "yunnan-2020-2021:999", check=False), 3)
    assert "no plan" in _one_line_error(run_cli(imported, "show", "nowhere:1", check=False), 3)
    assert "no such file" in _one_line_error(run_cli(imported, "import", str(tmp_path / "missing.txt"), check=False), 4)
    missing_dir = dict(imported, TRACKER_DB=str(tmp_path / "no" / "such" / "dir" / "x.db"))
    assert "does not exist" in _one_line_error(run_cli(missing_dir, "tasks", check=False), 5)
    unreachable = dict(imported, TRACKER_DB="postgresql+psycopg://nobody@127.0.0.1:1/none")
    assert "cannot connect" in _one_line_error(run_cli(unreachable, "tasks", check=False), 5)


def test_unsupported_file_is_reported_and_others_still_import(cli_env: dict[str, str], tmp_path: Path) -> None:
    bad = tmp_path / "plan.pdf"
    bad.write_bytes(b"%PDF-1.4")
    good = tmp_path / "yunyang.txt"
    good.write_text((SEEDS / "yunyang-2022-ip-county-plan.txt").read_text(encoding="utf-8"), encoding="utf-8")
    proc = run_cli(cli_env, "import", str(bad), str(good), check=False)
    assert proc.returncode == 4
    assert ".pdf" in proc.stderr and "Traceback" not in proc.stderr
    assert "yunyang-2022-2025" in proc.stdout


def test_usage_errors_are_reported_without_traceback(cli_env: dict[str, str]) -> None:
    proc = run_cli(cli_env, "tasks", "--no-such-option", check=False)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and "--no-such-option" in proc.stderr
    proc = run_cli(cli_env, "tasks", "--format", "xml", check=False)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


def test_help_and_db_upgrade(cli_env: dict[str, str]) -> None:
    assert "import" in run_cli(cli_env, "--help").stdout
    from tracker.store.db import head_revision

    assert run_cli(cli_env, "db", "upgrade", "0001").stdout.strip().endswith("0001")
    assert run_cli(cli_env, "db", "current").stdout.strip() == "0001"
    assert run_cli(cli_env, "db", "upgrade").stdout.strip().endswith(head_revision())
    assert run_cli(cli_env, "db", "current").stdout.strip() == head_revision()
