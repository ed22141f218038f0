"""Issue 17, "coordinator data attached to the wrong task": regression tests, both backends.

A re-import aligns the whole document with the stored plan; a doubtful pair is never made
(withdrawn + added, and reported); every change an import makes to a task bumps its version
and is in its History; a withdrawn task refuses edits unless forced.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tests.conftest import run_cli
from tracker.errors import ConflictError, WithdrawnTaskError
from tracker.services.tasks import TaskFilter, get_task, list_tasks, resolve_task
from tracker.store.changes import Change, add_note, assign, set_due, set_status
from tracker.store.db import read_session
from tracker.store.importer import import_paths
from tracker.store.models import History, Task

CN = "一二三四五六七八九十"
MARKS = ["地理标志", "奥林匹克标志", "特殊标志", "集体商标", "证明商标", "驰名商标"]
ALICE = Change("王科长")


def template_plan(items: list[tuple[str, str]]) -> str:
    """A work plan of template-like items: `开展X专用权专项检查（deadline；责任单位：…）`."""
    lines = ["云南省市场监督管理局", "", "云南省2021年知识产权专项检查工作方案", "一、专项检查"]
    for k, (mark, due) in enumerate(items):
        lines.append(f"（{CN[k]}）开展{mark}专用权专项检查。（{due}；责任单位：省市场监管局）")
    return "\n".join(lines) + "\n"


def _task(engine: Engine, task_id: int) -> Task:
    with read_session(engine) as s:
        return s.execute(sa.select(Task).where(Task.id == task_id)).scalar_one()  # type: ignore[arg-type]


def test_reimport_does_not_move_a_deleted_template_items_status_onto_its_neighbour(engine: Engine, tmp_path: Path) -> None:
    """Deleting (三) and moving the deadline of (四) must not hand (三)'s record to (四)."""
    doc = tmp_path / "专项检查.txt"
    items = [(m, "2021年6月底前完成") for m in MARKS]
    doc.write_text(template_plan(items), encoding="utf-8")
    [plan] = import_paths(engine, [doc]).plans
    third, fourth = resolve_task(engine, f"{plan.slug}:3"), resolve_task(engine, f"{plan.slug}:4")
    set_status(engine, third, Change("王科长", note="已部署"), status="doing", progress=40)
    add_note(engine, third, Change("王科长", note="三月已检查两家企业"))

    edited = [*items[:2], (MARKS[3], "2021年9月底前完成"), *items[4:]]  # (三) gone, (四) → (三) due later
    doc.write_text(template_plan(edited), encoding="utf-8")
    [again] = import_paths(engine, [doc]).plans
    assert (again.withdrawn, again.changed, again.added) == (["（三）"], ["（三）"], [])
    gone, moved = _task(engine, third), _task(engine, fourth)
    assert gone.withdrawn and (gone.status, gone.progress) == ("doing", 40)  # its record stays with it
    assert not moved.withdrawn and moved.number == "（三）" and "集体商标" in moved.text
    assert (moved.status, moved.progress, moved.due) == ("todo", 0, date(2021, 9, 30))
    with read_session(engine) as s:
        notes = s.execute(sa.select(History.task_id).where(History.field == "note")).scalars().all()  # type: ignore[call-overload]
    assert notes == [third]


def test_a_doubtful_match_is_withdrawn_and_added_and_reported(engine: Engine, tmp_path: Path, cli_env: dict[str, str], db_url: str) -> None:
    """(三) and (四) deleted, one item between them that reads like either: no guess."""
    doc = tmp_path / "专项检查.txt"
    items = [(m, "2021年6月底前完成") for m in MARKS]
    doc.write_text(template_plan(items), encoding="utf-8")
    env = {**cli_env, "TRACKER_DB": db_url}
    run_cli(env, "import", str(doc))
    edited = [*items[:2], ("集体特殊标志", "2021年6月底前完成"), *items[4:]]
    doc.write_text(template_plan(edited), encoding="utf-8")
    preview = run_cli(env, "import", str(doc), "--dry-run")
    assert "possible match not made" in preview.stdout and "（三） → （三）" in preview.stdout
    assert "  + （三） 新增 / added: 开展集体特殊标志专用权专项检查" in preview.stdout
    engine.dispose()
    [plan] = import_paths(engine, [doc]).plans
    assert plan.withdrawn == ["（三）", "（四）"] and plan.added == ["（三）"]
    assert [(d["old_number"], d["number"]) for d in plan.doubtful] == [("（三）", "（三）")]
    assert 0.6 <= plan.doubtful[0]["similarity"] < 1


def test_reimport_that_changes_a_task_bumps_its_version_and_records_it(engine: Engine, tmp_path: Path) -> None:
    doc = tmp_path / "专项检查.txt"
    items = [(m, "2021年6月底前完成") for m in MARKS]
    doc.write_text(template_plan(items), encoding="utf-8")
    [plan] = import_paths(engine, [doc]).plans
    tid = resolve_task(engine, f"{plan.slug}:2")
    seen = list_tasks(engine, TaskFilter(plan=plan.slug))[1].version
    untouched = {t.id: t.version for t in list_tasks(engine, TaskFilter(plan=plan.slug)) if t.id != tid}

    doc.write_text(template_plan([*items[:1], (MARKS[1], "2021年12月底前完成"), *items[2:]]), encoding="utf-8")
    import_paths(engine, [doc])
    after = get_task(engine, str(tid))
    assert after.task.version == seen + 1 and after.task.due == date(2021, 12, 31)
    fields = {(h.field, h.old_value, h.new_value) for h in after.history if h.actor == "import"}
    assert ("due", "2021-06-30", "2021-12-31") in fields and any(f == "text" for f, _, _ in fields)
    assert {t.id: t.version for t in list_tasks(engine, TaskFilter(plan=plan.slug)) if t.id != tid} == untouched
    with pytest.raises(ConflictError) as refused:  # what the coordinator saw is out of date
        set_status(engine, tid, Change("王科长", expected_version=seen), status="done")
    assert "import" in refused.value.message and "2021-12-31" in refused.value.message
    # Reports as of before the import see the old deadline, after it the new one (History replays).
    import_paths(engine, [doc])
    assert get_task(engine, str(tid)).task.version == seen + 1  # the same document again changes nothing


def test_edits_of_a_withdrawn_task_are_refused_unless_forced(engine: Engine, tmp_path: Path, cli_env: dict[str, str], db_url: str) -> None:
    doc = tmp_path / "专项检查.txt"
    items = [(m, "2021年6月底前完成") for m in MARKS]
    doc.write_text(template_plan(items), encoding="utf-8")
    [plan] = import_paths(engine, [doc]).plans
    tid = resolve_task(engine, f"{plan.slug}:6")
    doc.write_text(template_plan(items[:5]), encoding="utf-8")
    import_paths(engine, [doc])
    assert _task(engine, tid).withdrawn
    for edit in (
        lambda c: set_status(engine, tid, c, status="done"),
        lambda c: set_due(engine, tid, date(2021, 12, 31), Change(c.actor, note="延期", force=c.force)),
        lambda c: assign(engine, tid, "省市场监管局", c, role="support"),
    ):
        with pytest.raises(WithdrawnTaskError, match="withdrawn"):
            edit(ALICE)
    assert _task(engine, tid).status == "todo"
    add_note(engine, tid, Change("王科长", note="原文已删除，不再督办"))  # a note changes no state: allowed
    env = {**cli_env, "TRACKER_DB": db_url}
    refused = run_cli(env, "set", str(tid), "--status", "done", check=False)
    assert refused.returncode == 6 and refused.stderr.count("\n") == 1 and "--force" in refused.stderr
    run_cli(env, "set", str(tid), "--status", "cancelled", "--force")
    assert _task(engine, tid).status == "cancelled"
