"""Indicators (指标) end to end: imported with the seeds, listed, read, on SQLite and PostgreSQL,
and through the `tracker` command as a user runs it."""

from __future__ import annotations

import json
import math
import subprocess
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tests.conftest import SEEDS, run_cli
from tracker.errors import NotFoundError, UsageError
from tracker.extract.indicators import extract_indicators
from tracker.services.tasks import list_plans
from tracker.store.db import read_session, write_session
from tracker.store.importer import import_paths, load_source
from tracker.store.indicators import (
    CONTRACT_KEYS,
    list_indicators,
    record_reading,
    resolve_indicator,
    store_indicators,
)
from tracker.store.models import indicator_t, reading_t

SICHUAN = "sichuan-2021-ip-14th-five-year-plan.txt"
QINGHAI = "qinghai-2021-ip-power-opinions.txt"


def _slug(engine: Engine, source_file: str) -> str:
    """A seed's (first) plan, found by its file: slugs are still being settled."""
    return next(p.slug for p in list_plans(engine) if p.source_file == source_file)


def test_seeds_give_indicators_per_plan(seeded: Engine) -> None:
    counts: dict[str, int] = {}
    for view in list_indicators(seeded):
        counts[view.source_file] = counts.get(view.source_file, 0) + 1
    assert counts == {
        SICHUAN: 17, QINGHAI: 4, "yunnan-2021-ip-power-opinions.txt": 5, "yunyang-2022-ip-county-plan.txt": 2,
    }
    sichuan = {v.name: v for v in list_indicators(seeded, _slug(seeded, SICHUAN))}
    first = sichuan["每万人口高价值发明专利拥有量"]
    assert (first.unit, first.baseline, first.target, first.kind) == ("件", 2.94, 5.67, "expected")
    assert first.to_json()["target"] == 5.67 and sichuan["知识产权质押融资登记金额"].to_json()["target"] == 120


def test_json_contract(seeded: Engine) -> None:
    view = next(v for v in list_indicators(seeded) if v.name == "每万人发明专利拥有量")
    assert view.to_json() == {
        "id": view.id, "plan": view.plan, "name": "每万人发明专利拥有量", "unit": "%", "baseline": None,
        "baseline_year": None, "target": 50, "target_year": 2025, "comparator": "increase_pct", "kind": None,
        "latest": None, "latest_on": None,
    }
    assert tuple(sorted(view.to_json())) == tuple(sorted(CONTRACT_KEYS))


def test_reimport_is_idempotent_and_keeps_readings(seeded: Engine) -> None:
    slug = _slug(seeded, SICHUAN)
    ref = f"{slug}:质押融资"
    record_reading(seeded, ref, 90, date(2023, 12, 31), "年报", "tester")
    before = [v.to_json() for v in list_indicators(seeded)]
    report = import_paths(seeded, [SEEDS / SICHUAN])
    assert report.indicators == {slug: 17}
    assert [v.to_json() for v in list_indicators(seeded)] == before
    with read_session(seeded) as s:
        assert s.execute(sa.select(sa.func.count()).select_from(reading_t)).scalar_one() == 1


def test_store_refreshes_what_the_document_says(seeded: Engine) -> None:
    slug = _slug(seeded, SICHUAN)
    indicator_id = resolve_indicator(seeded, f"{slug}:质押融资")
    items = extract_indicators(load_source(SEEDS / SICHUAN).text)
    for item in items:
        if item.key == "知识产权质押融资登记金额":
            item.target = 150
    with write_session(seeded) as s:
        plan_id = s.execute(sa.select(indicator_t.c.plan_id).where(indicator_t.c.id == indicator_id)).scalar_one()
        assert store_indicators(s, plan_id, items) == 17
    view = next(v for v in list_indicators(seeded, slug) if v.id == indicator_id)
    assert view.target == 150


def test_progress_from_baseline_to_target(seeded: Engine) -> None:
    slug = _slug(seeded, SICHUAN)
    view = record_reading(seeded, f"{slug}:质押融资", 90, date(2023, 12, 31), None, "tester")
    assert (view.latest, view.latest_on, view.progress_pct) == (90, date(2023, 12, 31), 50.0)
    earlier = record_reading(seeded, f"{slug}:质押融资", 70, date(2022, 12, 31), None, "tester")
    assert earlier.latest == 90  # the latest by date, not by entry
    added = record_reading(seeded, f"{slug}:地理标志", 25, date(2023, 6, 30), None, "tester")
    assert (added.comparator, added.progress_pct) == ("add", 25.0)
    yunyang = record_reading(seeded, "yunyang-2022-2025:发明专利拥有量", 12, date(2023, 6, 30), None, "tester")
    assert yunyang.progress_pct is None  # 提高50% of an unknown baseline


def test_references_and_bad_readings(seeded: Engine) -> None:
    slug = _slug(seeded, SICHUAN)
    with pytest.raises(NotFoundError):
        resolve_indicator(seeded, "999999")
    with pytest.raises(NotFoundError):
        resolve_indicator(seeded, f"{slug}:没有这个指标")
    with pytest.raises(NotFoundError):
        resolve_indicator(seeded, "nowhere:质押")
    with pytest.raises(UsageError):
        resolve_indicator(seeded, f"{slug}:覆盖率")  # two indicators match
    with pytest.raises(UsageError):
        resolve_indicator(seeded, "质押")
    # Traditional names are found from simplified words.
    qinghai = _slug(seeded, QINGHAI)
    assert resolve_indicator(seeded, f"{qinghai}:版权作品") == resolve_indicator(seeded, f"{qinghai}:版權作品")
    ref = f"{slug}:质押融资"
    with pytest.raises(UsageError):
        record_reading(seeded, ref, math.nan, date(2023, 1, 1), None, "tester")
    with pytest.raises(UsageError):
        record_reading(seeded, ref, 1, date(2023, 1, 2), None, "tester", today=date(2023, 1, 1))
    with pytest.raises(UsageError):
        record_reading(seeded, ref, 1, date(2023, 1, 1), None, " ")


# ----------------------------------------------------------------------------- the command
def _one_line_error(proc: subprocess.CompletedProcess[str], code: int) -> str:
    assert proc.returncode == code, (proc.returncode, proc.stderr)
    assert "Traceback" not in proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, proc.stderr
    return lines[0]


def test_cli_indicators_and_record(cli_env: dict[str, str]) -> None:
    run_cli(cli_env, "import")
    rows = json.loads(run_cli(cli_env, "indicators", "--format", "json").stdout)
    assert len(rows) == 28
    assert all(list(r) == sorted(CONTRACT_KEYS) for r in rows)  # exact keys, sorted
    sichuan = next(r for r in rows if r["name"] == "知识产权质押融资登记金额" and r["baseline"] is not None)
    assert (sichuan["baseline"], sichuan["target"], sichuan["unit"], sichuan["kind"]) == (60, 120, "亿元", "expected")
    slug = sichuan["plan"]

    env = dict(cli_env, TRACKER_ACTOR="王科长")
    out = run_cli(env, "record", f"{slug}:质押融资", "90", "--on", "2023-12-31", "--note", "年报", "--format", "json").stdout
    recorded = json.loads(out)
    assert (recorded["latest"], recorded["latest_on"], recorded["id"]) == (90, "2023-12-31", sichuan["id"])
    listed = json.loads(run_cli(cli_env, "indicators", "--plan", slug, "--format", "json").stdout)
    assert next(r for r in listed if r["id"] == sichuan["id"])["latest"] == 90

    table = run_cli(cli_env, "indicators", "--plan", slug).stdout
    assert "60 (2020) → 90 (2023-12-31) → 120 (2025)" in table and "50.0%" in table
    csv_out = run_cli(cli_env, "indicators", "--plan", slug, "--format", "csv").stdout
    assert csv_out.splitlines()[0].startswith("编号,规划,指标,单位") and len(csv_out.splitlines()) == 18

    tomorrow = (date.today() + timedelta(days=2)).isoformat()
    assert "finite number" in _one_line_error(run_cli(env, "record", str(sichuan["id"]), "abc", check=False), 2)
    assert "YYYY-MM-DD" in _one_line_error(run_cli(env, "record", str(sichuan["id"]), "5", "--on", "2023-13-45", check=False), 2)
    assert "future" in _one_line_error(run_cli(env, "record", str(sichuan["id"]), "5", "--on", tomorrow, check=False), 2)
    assert "no indicator" in _one_line_error(run_cli(env, "record", "999999", "5", check=False), 3)
    assert "no indicator" in _one_line_error(run_cli(env, "record", f"{slug}:不存在", "5", check=False), 3)
    assert "no plan" in _one_line_error(run_cli(env, "indicators", "--plan", "nowhere", check=False), 3)
    assert "indicators" in run_cli(cli_env, "--help").stdout
    for command in ("indicators", "record"):
        assert "Example:" in run_cli(cli_env, command, "--help").stdout
