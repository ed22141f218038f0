"""Re-importing an edited version of a plan, on SQLite and on PostgreSQL.

The edit office staff actually make: an item reworded, one inserted (shifting every later
number), one deleted. Tasks are matched by number and text; coordinators' status, progress,
owners and notes survive; a task gone from the document is withdrawn, never deleted, and
comes back if the document does.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tests.conftest import SEEDS, run_cli
from tracker.extract.numerals import cn_to_int
from tracker.extract.structure import _int_to_cn
from tracker.services.tasks import TaskFilter, list_tasks
from tracker.store.alignment import Item, align
from tracker.store.db import read_session, write_session
from tracker.store.importer import import_paths
from tracker.store.models import History, Task, TaskOwner, Unit

SEED = SEEDS / "yunnan-2021-ip-power-opinions.txt"
SLUG = "yunnan-2021-2035"
NUMBERED = re.compile(r"^（([一二三四五六七八九十]+)）")
INSERTED = "（三）加强知识产权数据统计。建立知识产权统计监测制度，定期发布统计数据。"


def edited_text() -> str:
    """The seed with （五） reworded, a new （三） inserted and the old （十） deleted,
    every later measure renumbered, as an office would re-issue it."""
    out: list[str] = []
    number = 0
    for line in SEED.read_text(encoding="utf-8").split("\n"):
        m = NUMBERED.match(line)
        if not m:
            out.append(line)
            continue
        old = cn_to_int(m.group(1))
        if old == 10:
            continue  # deleted
        if old == 5:
            line = line.replace("构建统一领导的协同保护格局", "构建统一领导、协同高效的保护格局", 1)
        number += 1
        out.append(f"（{_int_to_cn(number)}）{line[m.end():]}")
        if old == 2:
            number += 1
            out.append(INSERTED)
    return "\n".join(out)


def _task(engine: Engine, key: str, *, withdrawn: bool = False) -> Task:
    with read_session(engine) as s:
        return s.execute(
            sa.select(Task).where(Task.key == key, Task.withdrawn.is_(withdrawn))  # type: ignore[attr-defined]
        ).scalar_one()


def _coordinate(engine: Engine, key: str) -> int:
    """A coordinator's work on one task: status, progress, a reassigned owner and a note."""
    task_id = _task(engine, key).id
    assert task_id is not None
    with write_session(engine) as s:
        s.execute(sa.update(Task).where(Task.id == task_id).values(status="doing", progress=40))  # type: ignore[arg-type]
        s.execute(sa.delete(TaskOwner).where(TaskOwner.task_id == task_id))  # type: ignore[arg-type]
        unit = Unit(name="省科技厅（协调）")
        s.add(unit)
        s.flush()
        assert unit.id is not None
        s.add(TaskOwner(task_id=task_id, unit_id=unit.id, role="lead", provenance="assigned", position=0))
        s.add(History(task_id=task_id, actor="王科长", field="note", new_value="已召开推进会"))
    return task_id


def test_edited_plan_matches_tasks_keeps_coordinator_work_and_withdraws(engine: Engine, tmp_path: Path) -> None:
    doc = tmp_path / SEED.name
    doc.write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    import_paths(engine, [doc])
    seventh = _coordinate(engine, "7")
    tenth = _task(engine, "10").id
    ids_before = {t.key: t.id for t in list_tasks(engine, TaskFilter(plan=SLUG))}

    doc.write_text(edited_text(), encoding="utf-8")
    preview = import_paths(engine, [doc], dry_run=True)
    [plan] = preview.plans
    assert (plan.added, plan.changed, plan.withdrawn) == (["（三）"], ["（六）"], ["（十）"])
    assert {t.key: t.id for t in list_tasks(engine, TaskFilter(plan=SLUG))} == ids_before  # nothing written

    [plan] = import_paths(engine, [doc]).plans
    assert (plan.added, plan.changed, plan.withdrawn) == (["（三）"], ["（六）"], ["（十）"])
    assert plan.unchanged == 19 - 1  # 20 measures, one deleted, one reworded

    live = list_tasks(engine, TaskFilter(plan=SLUG))
    assert [t.key for t in live] == [str(n) for n in range(1, 21)]
    by_key = {t.key: t for t in live}
    # Numbers shifted: the old （七） is now （八）, with everything its coordinator did.
    moved = by_key["8"]
    assert moved.id == seventh and moved.number == "（八）"
    assert (moved.status, moved.progress) == ("doing", 40)
    assert [(o.name, o.provenance) for o in moved.owners] == [("省科技厅（协调）", "assigned")]
    assert by_key["6"].id == ids_before["5"] and "协同高效" in by_key["6"].text
    assert by_key["3"].id not in ids_before.values()
    with read_session(engine) as s:
        history = s.execute(sa.select(History.field, History.actor).where(History.task_id == seventh)).all()  # type: ignore[call-overload]
        assert ("note", "王科长") in history and ("number", "import") in history
        gone = s.execute(sa.select(Task).where(Task.id == tenth)).scalar_one()  # type: ignore[arg-type]
        assert gone.withdrawn and gone.number == "（十）"
        fields = s.execute(sa.select(History.field).where(History.task_id == tenth)).scalars().all()  # type: ignore[call-overload]
        assert fields == ["withdrawn"]
    assert by_key["10"].id == ids_before["9"]

    # The office goes back to the original: the withdrawn task returns, the inserted one leaves.
    doc.write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    [plan] = import_paths(engine, [doc]).plans
    assert (plan.restored, plan.withdrawn, plan.added) == (["（十）"], ["（三）"], [])
    restored = _task(engine, "10")
    assert restored.id == tenth and not restored.withdrawn
    assert _task(engine, "7").id == seventh
    assert len(list_tasks(engine, TaskFilter(plan=SLUG))) == 20


def test_reimporting_the_same_document_changes_nothing(engine: Engine, tmp_path: Path) -> None:
    doc = tmp_path / SEED.name
    doc.write_text(edited_text(), encoding="utf-8")
    import_paths(engine, [doc])
    [plan] = import_paths(engine, [doc]).plans
    assert (plan.added, plan.changed, plan.withdrawn, plan.restored, plan.unchanged) == ([], [], [], [], 20)
    with read_session(engine) as s:
        assert s.execute(sa.select(sa.func.count()).select_from(History)).scalar_one() == 0


def test_alignment_pairs_unchanged_then_same_text_then_clearly_similar_text() -> None:
    def items(*texts: str) -> list[Item]:
        return [Item(str(k), t, "") for k, t in enumerate(texts, 1)]

    old = items("加强保护工作", "开展宣传培训活动", "完善地方性法规制度建设")
    # 2 is reworded in place; 3 becomes 4 and is reworded; a new 3 is unlike anything.
    new = items("加强保护工作", "开展宣传和培训活动", "设立专项资金", "完善地方性法规和制度建设")
    assert align(new, old).pairs == {0: 0, 1: 1, 3: 2}
    assert align([], old).pairs == {} and align(new, []).pairs == {}
    # An item moved to the end of the document keeps its task when its text is unchanged.
    moved = items("开展宣传培训活动", "完善地方性法规制度建设", "加强保护工作")
    assert align(moved, old).pairs == {0: 1, 1: 2, 2: 0}


def test_cli_dry_run_shows_the_report_without_writing(cli_env: dict[str, str], tmp_path: Path) -> None:
    doc = tmp_path / SEED.name
    doc.write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    run_cli(cli_env, "import", str(doc))
    doc.write_text(edited_text(), encoding="utf-8")
    report = json.loads(run_cli(cli_env, "import", str(doc), "--dry-run", "--format", "json").stdout)
    [plan] = report["plans"]
    assert report["dry_run"] is True
    assert (plan["added"], plan["changed"], plan["withdrawn"]) == (["（三）"], ["（六）"], ["（十）"])
    table = run_cli(cli_env, "import", str(doc), "--dry-run")
    assert "withdrawn" in table.stdout + table.stderr and "（十）" in table.stdout + table.stderr
    tasks = json.loads(run_cli(cli_env, "tasks", "--plan", SLUG, "--format", "json").stdout)
    assert "加强知识产权数据统计" not in {t["title"] for t in tasks}
