"""Units belong to a jurisdiction (issue 12): Yunnan's 省公安厅 is not Sichuan's.

Reports, feeds and unit lists keep them apart; `tracker assign` resolves a name within the
task's region, normalised as the importer normalises it, and refuses an unknown one with
the closest names unless --new-unit. SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from tests.conftest import run_cli
from tracker.errors import NotFoundError
from tracker.feeds.export import export_ics
from tracker.services.tasklist import BrowseQuery, first_rows, overview
from tracker.services.tasks import TaskFilter, list_tasks, resolve_task
from tracker.store.changes import Change, assign
from tracker.store.importer import import_paths
from tracker.store.units import list_units

PROVINCES = {"yunnan": ("云南省人民政府", "云南省"), "sichuan": ("四川省人民政府", "四川省")}


def provincial_plan(issuer: str, province: str) -> str:
    return "\n".join([
        issuer, "2021年1月5日", "", f"{province}2021年打击侵权假冒工作方案", "一、重点任务",
        "（一）开展打击侵犯知识产权犯罪专项行动。（2021年3月底前完成；责任单位：省公安厅）",
        "（二）加强知识产权司法保护。（2021年4月底前完成；责任单位：省公安厅、省法院）",
        "（三）完善知识产权纠纷调解机制。（2021年12月底前完成；责任单位：省司法厅（省法制办））",
    ]) + "\n"


@pytest.fixture
def two_provinces(engine: Engine, tmp_path: Path) -> Engine:
    for key, (issuer, province) in PROVINCES.items():
        (tmp_path / f"{key}.txt").write_text(provincial_plan(issuer, province), encoding="utf-8")
    report = import_paths(engine, [tmp_path / "yunnan.txt", tmp_path / "sichuan.txt"])
    assert [p.slug for p in report.plans] == ["yunnan-2021-plan", "sichuan-2021-plan"]
    return engine


def test_two_provinces_public_security_departments_stay_apart_in_overdue(
    two_provinces: Engine, cli_env: dict[str, str], db_url: str
) -> None:
    env = {**cli_env, "TRACKER_DB": db_url}
    out = json.loads(run_cli(env, "overdue", "--as-of", "2021-06-01", "--by", "owner", "--format", "json").stdout)
    police = {g["name"]: g for g in out["groups"] if g["name"].startswith("省公安厅")}
    assert set(police) == {"省公安厅", "省公安厅（四川省）"}
    assert (police["省公安厅"]["region"], police["省公安厅（四川省）"]["region"]) == ("云南省", "四川省")
    for name, slug in (("省公安厅", "yunnan-2021-plan"), ("省公安厅（四川省）", "sichuan-2021-plan")):
        group = police[name]
        assert group["counts"]["total"] == 2 and {t["plan"] for t in group["overdue"]} == {slug}
    score = json.loads(run_cli(env, "scorecard", "--as-of", "2021-06-01", "--format", "json").stdout)
    assert sorted((u["unit"], u["region"], u["owned"]) for u in score["units"] if "公安" in u["unit"]) == [
        ("省公安厅", "云南省", 2), ("省公安厅（四川省）", "四川省", 2)]
    table = run_cli(env, "overdue", "--as-of", "2021-06-01").stdout
    assert "省公安厅（四川省）" in table
    # The name a report shows finds that unit's tasks again.
    one = json.loads(run_cli(env, "overdue", "--as-of", "2021-06-01", "--owner", "省公安厅（四川省）", "--format", "json").stdout)
    assert {t["plan"] for g in one["groups"] for t in g["overdue"]} == {"sichuan-2021-plan"}
    tasks = json.loads(run_cli(env, "tasks", "--owner", "省公安厅（四川省）", "--format", "json").stdout)
    assert {t["plan"] for t in tasks} == {"sichuan-2021-plan"} and len(tasks) == 2


def test_unit_lists_sidebar_and_feeds_keep_them_apart(two_provinces: Engine, tmp_path: Path) -> None:
    units = list_units(two_provinces, "省公安厅")
    assert sorted((u.label, u.region, u.tasks) for u in units) == [("省公安厅", "云南省", 2), ("省公安厅（四川省）", "四川省", 2)]
    assert [u.region for u in list_units(two_provinces, "公安", region="四川省")] == ["四川省"]
    side = {u.name: u.tasks for u in overview(two_provinces, BrowseQuery(as_of=date(2021, 6, 1))).units}
    assert (side["省公安厅"], side["省公安厅（四川省）"]) == (2, 2)
    rows = first_rows(two_provinces, BrowseQuery(as_of=date(2021, 6, 1), unit="省公安厅（四川省）"), 50)  # the sidebar's filter
    assert {r.plan for r in rows} == {"sichuan-2021-plan"} and len(rows) == 2
    assert {r.plan for r in first_rows(two_provinces, BrowseQuery(as_of=date(2021, 6, 1), unit="省公安厅"), 50)} == {
        "yunnan-2021-plan"}
    report = export_ics(two_provinces, tmp_path / "feeds", as_of=date(2021, 6, 1))
    unit_feeds = {f.target: f.tasks for f in report.files if f.scope == "unit" and "公安" in f.target}
    assert unit_feeds == {"省公安厅": 2, "省公安厅（四川省）": 2}


def test_assign_resolves_within_the_region_and_refuses_a_typo(two_provinces: Engine) -> None:
    tid = resolve_task(two_provinces, "sichuan-2021-plan:3")
    with pytest.raises(NotFoundError) as typo:
        assign(two_provinces, tid, "省公按厅", Change("王科长"))
    assert "省公安厅" in typo.value.message and "--new-unit" in typo.value.message
    # Brackets and blanks as the importer writes them; the unit is Sichuan's, not Yunnan's.
    assign(two_provinces, tid, " 省司法厅(省法制办) ", Change("王科长"), role="support")
    assign(two_provinces, tid, "省公安厅", Change("王科长"), role="support")
    [task] = [t for t in list_tasks(two_provinces, TaskFilter(plan="sichuan-2021-plan")) if t.id == tid]
    assert [o.name for o in task.owners] == ["省司法厅（省法制办）", "省公安厅"]
    police = {u.region: u.tasks for u in list_units(two_provinces, "省公安厅")}
    assert police == {"云南省": 2, "四川省": 3}
    assign(two_provinces, tid, "省公安厅刑侦总队", Change("王科长"), role="support", create=True)
    assert [u.region for u in list_units(two_provinces, "刑侦总队")] == ["四川省"]


def test_cli_assign_typo_is_refused_with_suggestions_and_new_unit_creates(
    two_provinces: Engine, cli_env: dict[str, str], db_url: str
) -> None:
    env = {**cli_env, "TRACKER_DB": db_url}
    typo = run_cli(env, "assign", "yunnan-2021-plan:1", "省公按厅", "--role", "lead", check=False)
    assert typo.returncode == 3 and typo.stderr.count("\n") == 1
    assert "省公安厅" in typo.stderr and "--new-unit" in typo.stderr
    lead_before = list_tasks(two_provinces, TaskFilter(plan="yunnan-2021-plan"))[0].owners[0].name
    assert lead_before == "省公安厅"  # the real lead was not demoted by the typo
    run_cli(env, "assign", "yunnan-2021-plan:1", "省网信办", "--role", "support", "--new-unit")
    owners = [(o.name, o.role) for o in list_tasks(two_provinces, TaskFilter(plan="yunnan-2021-plan"))[0].owners]
    assert owners == [("省公安厅", "lead"), ("省网信办", "support")]
    assert [u.region for u in list_units(two_provinces, "省网信办")] == ["云南省"]
