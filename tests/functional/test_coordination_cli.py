"""The coordinating office's commands, run as a user runs them."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.conftest import SEEDS, run_cli


@pytest.fixture
def env(cli_env: dict[str, str]) -> dict[str, str]:
    run_cli(cli_env, "import")
    return cli_env


def _late(env: dict[str, str], *args: str) -> set[str]:
    data = json.loads(run_cli(env, "overdue", "--as-of", "2021-01-01", "--format", "json", *args).stdout)
    return {i["task"] for g in data["groups"] for i in g["overdue"]}


def test_overdue_json_then_done_on_an_earlier_date(env: dict[str, str]) -> None:
    text = (SEEDS / "yunnan-2020-ip-protection-opinions.txt").read_text(encoding="utf-8")
    appendix = text[text.index("附件"):]
    due_2020 = {
        f"yunnan-2020-2021:{line.split('.', 1)[0]}"
        for line in appendix.splitlines() if "(2020年12月底前完成" in line
    }
    assert _late(env) == due_2020
    data = json.loads(run_cli(env, "overdue", "--as-of", "2021-01-01", "--format", "json").stdout)
    assert data["totals"]["overdue"] == len(due_2020) and data["as_of"] == "2021-01-01"
    customs = next(g for g in data["groups"] if g["name"] == "昆明海关")
    assert "yunnan-2020-2021:2" in {i["task"] for i in customs["overdue"]}
    assert customs["overdue"][0]["days_late"] == 1
    run_cli(env, "set", "yunnan-2020-2021:2", "--status", "done", "--on", "2020-12-20", "--actor", "王科长")
    run_cli(env, "set", "yunnan-2020-2021:21", "--status", "已完成", "--on", "2020-12-20")
    assert _late(env) == due_2020 - {"yunnan-2020-2021:2", "yunnan-2020-2021:21"}
    # a report as of before the completion still shows it open
    before = json.loads(run_cli(env, "overdue", "--as-of", "2020-12-19", "--format", "json", "--plan", "yunnan-2020-2021").stdout)
    assert before["totals"]["overdue"] == 0
    history = json.loads(run_cli(env, "history", "yunnan-2020-2021:2", "--format", "json").stdout)
    assert {(h["field"], h["new_value"], h["actor"]) for h in history} >= {("status", "done", "王科长")}
    assert history[0]["effective_at"].startswith("2020-12-20")


def test_owner_commands_and_filters(env: dict[str, str]) -> None:
    run_cli(env, "assign", "yunnan-2020-2021:4", "省卫生健康委", "--role", "support", "--new-unit")
    run_cli(env, "confirm", "yunnan-2020-2021:4")
    run_cli(env, "unassign", "yunnan-2020-2021:4", "省药监局", "--note", "非本单位职责")
    task = json.loads(run_cli(env, "show", "yunnan-2020-2021:4", "--format", "json").stdout)
    names = {o["name"]: o for o in task["owners"]}
    assert "省药监局" not in names and names["省卫生健康委"]["provenance"] == "assigned"
    assert all(o["provenance"] != "inferred" for o in task["owners"])
    by_owner = json.loads(run_cli(env, "overdue", "--as-of", "2021-07-01", "--owner", "省卫生健康委", "--format", "json").stdout)
    assert {i["task"] for g in by_owner["groups"] for i in g["overdue"]} == {"yunnan-2020-2021:4"}


def test_due_trigger_note_and_errors(env: dict[str, str]) -> None:
    bad = run_cli(env, "due", "yunnan-2020-2021:4", "2021-02-30", "--reason", "x", check=False)
    assert bad.returncode == 2 and "YYYY-MM-DD" in bad.stderr and "Traceback" not in bad.stderr
    no_reason = run_cli(env, "due", "yunnan-2020-2021:4", "2021-09-30", check=False)
    assert no_reason.returncode == 2 and "reason" in no_reason.stderr
    run_cli(env, "due", "yunnan-2020-2021:4", "2021-09-30", "--reason", "联席会议同意延期")
    run_cli(env, "trigger", "yunnan-2020-2021:1", "2021-06-01", "--days", "30")
    run_cli(env, "note", "yunnan-2020-2021:1", "已启动修订调研")
    rows = json.loads(run_cli(env, "tasks", "--plan", "yunnan-2020-2021", "--format", "json").stdout)
    by = {r["number"]: r for r in rows}
    assert by["4"]["due"] == "2021-09-30" and by["1"]["due"] == "2021-07-01"
    stale = run_cli(env, "set", "yunnan-2020-2021:4", "--status", "doing", "--expect-version", "1", check=False)
    assert stale.returncode == 6 and "changed meanwhile" in stale.stderr and len(stale.stderr.strip().splitlines()) == 1
    assert run_cli(env, "set", "yunnan-2020-2021:4", "--progress", "150", check=False).returncode == 2


def test_overdue_formats_and_scorecard(env: dict[str, str]) -> None:
    table = run_cli(env, "overdue", "--as-of", "2021-01-01").stdout
    assert "昆明海关" in table and "逾期" in table
    rows = list(csv.reader(io.StringIO(run_cli(env, "overdue", "--as-of", "2021-01-01", "--format", "csv").stdout)))
    assert rows[0][0] == "分组" and any(r[4] == "yunnan-2020-2021:2" for r in rows[1:])
    run_cli(env, "set", "yunnan-2020-2021:2", "--status", "done", "--on", "2020-12-20")
    run_cli(env, "set", "yunnan-2020-2021:5", "--status", "done", "--on", "2021-01-20")
    card = json.loads(run_cli(env, "scorecard", "--as-of", "2021-02-01", "--format", "json").stdout)
    customs = next(u for u in card["units"] if u["unit"] == "昆明海关")
    assert customs["on_time"] >= 1
    assert sum(u["late"] for u in card["units"]) >= 1
    by_name = run_cli(env, "scorecard", "--as-of", "2021-02-01", "--sort", "unit", "--format", "csv").stdout
    names = [r[0] for r in list(csv.reader(io.StringIO(by_name)))[1:]]
    assert names == sorted(names)
