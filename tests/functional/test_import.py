"""Importing the seeds into a real database, on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tests.conftest import SEEDS
from tracker.services.tasks import TaskFilter, get_task, list_plans, list_tasks, resolve_task
from tracker.store.db import read_session, write_session
from tracker.store.importer import import_paths
from tracker.store.models import History, Task, TaskOwner


def _by_number(engine: Engine, slug: str) -> dict[str, object]:
    return {t.key: t for t in list_tasks(engine, TaskFilter(plan=slug))}


def test_seeds_give_the_expected_plans(seeded: Engine) -> None:
    slugs = {p.slug: p for p in list_plans(seeded)}
    assert {"yunnan-2020-2021", "yunnan-2020-opinions", "yunyang-2022-2025"} <= set(slugs)
    assert slugs["yunnan-2020-2021"].tasks == 94
    assert slugs["yunnan-2020-opinions"].tasks == 21
    assert slugs["yunyang-2022-2025"].tasks == 22
    yy = slugs["yunyang-2022-2025"]
    assert (yy.issuer, yy.issued_on, yy.period_start, yy.period_end) == (
        "云阳县人民政府", date(2022, 10, 27), date(2022, 1, 1), date(2025, 12, 31))


def test_yunnan_schedule_deadlines_exactly_as_printed(seeded: Engine) -> None:
    tasks = list_tasks(seeded, TaskFilter(plan="yunnan-2020-2021"))
    assert [t.number for t in tasks] == [str(n) for n in range(1, 95)]
    by = {t.number: t for t in tasks}
    # (上位法出台后及时启动修订工作): a trigger, no date
    assert (by["1"].due, by["1"].condition, by["1"].ongoing) == (None, "上位法出台后及时启动修订工作", False)
    assert (by["2"].due, by["2"].ongoing, by["2"].due_text) == (date(2020, 12, 31), False, "2020年12月底前完成")
    assert (by["4"].due, by["4"].due_source) == (date(2021, 6, 30), "stated")
    assert (by["17"].due, by["17"].ongoing) == (date(2021, 12, 31), True)  # …完成并持续推进
    assert (by["10"].due, by["10"].ongoing, by["10"].due_text) == (None, True, "持续推进")
    assert by["50"].section == "四、优化知识产权快保护关键环节"
    assert by["2"].title == "修订《昆明海关知识产权海关保护操作规程》"
    for t in tasks:  # every one of the 94 phrases is understood
        assert not t.needs_review, (t.number, t.review_reason)
        assert t.due is not None or t.ongoing or t.condition
        assert t.kind == "task"
    # Counts straight from the printed phrases in the document.
    text = (SEEDS / "yunnan-2020-ip-protection-opinions.txt").read_text(encoding="utf-8")
    schedule = text[text.index("附件"):]
    assert sum(t.ongoing for t in tasks) == schedule.count("持续推进)")
    assert sum(t.due is not None for t in tasks) == schedule.count("底前完成")


def test_yunnan_schedule_owners_are_inferred_for_90_percent(seeded: Engine) -> None:
    tasks = list_tasks(seeded, TaskFilter(plan="yunnan-2020-2021"))
    owned = [t for t in tasks if t.owners]
    assert len(owned) >= 85
    assert all(o.provenance == "inferred" for t in owned for o in t.owners)
    by = {t.number: t for t in tasks}
    assert by["2"].owners[0].name == "昆明海关"
    assert by["33"].owners[0].name == "省公安厅"
    assert by["40"].owners[0].name == "省人大常委会"
    assert by["41"].owners[0].name == "省政协"
    assert "省委宣传部（省版权局）" in {o.name for o in by["27"].owners}
    for t in owned:
        assert t.owners[0].role == "lead"
        assert [o.role for o in t.owners].count("lead") == 1


def test_yunyang_owners_phases_and_inherited_dates(seeded: Engine) -> None:
    by = _by_number(seeded, "yunyang-2022-2025")
    assert len(by) == 22
    five = by["5"]
    assert [(o.name, o.role, o.provenance) for o in five.owners] == [  # type: ignore[attr-defined]
        ("县法院", "lead", "stated"), ("县检察院", "support", "stated"),
        ("县公安局", "support", "stated"), ("县司法局", "support", "stated")]
    nine = by["9"]  # 〔责任单位：…，各乡镇（街道）〕 with a group owner kept whole
    names = [o.name for o in nine.owners]  # type: ignore[attr-defined]
    assert names == ["县农业农村委", "县商务委", "县市场监管局", "县乡村振兴局", "各乡镇（街道）"]
    assert [o.is_group for o in nine.owners] == [False, False, False, False, True]  # type: ignore[attr-defined]
    assert by["3"].owners[0].name == "县知识产权保护联席会议25个成员单位"  # type: ignore[attr-defined]
    for n in range(3, 17):
        t = by[str(n)]
        assert t.owners and all(o.provenance == "stated" for o in t.owners)  # type: ignore[attr-defined]
    phases = {n: by[n] for n in ("17", "18", "19")}
    assert all(p.kind == "phase" for p in phases.values())  # type: ignore[attr-defined]
    assert (phases["17"].start, phases["17"].due) == (None, date(2022, 10, 30))  # type: ignore[attr-defined]
    assert (phases["18"].start, phases["18"].due) == (date(2022, 11, 1), date(2025, 3, 31))  # type: ignore[attr-defined]
    assert (phases["19"].start, phases["19"].due) == (date(2025, 4, 1), date(2025, 7, 31))  # type: ignore[attr-defined]
    for n in range(3, 17):  # measures inherit the 建设阶段 end
        assert (by[str(n)].due, by[str(n)].due_source) == (date(2025, 3, 31), "phase")  # type: ignore[attr-defined]
    for n in ("20", "21", "22"):
        assert by[n].owners[0].name == "县市场监管局"  # type: ignore[attr-defined]
        assert by[n].owners[0].role == "lead"  # type: ignore[attr-defined]
    assert by["8"].section == "四、强化知识产权高质量创造，激发创新活力"  # type: ignore[attr-defined]


def test_task_references_by_printed_number_value_or_id(seeded: Engine) -> None:
    a = resolve_task(seeded, "yunyang-2022-2025:17")
    assert resolve_task(seeded, "yunyang-2022-2025:（十七）") == a
    assert resolve_task(seeded, str(a)) == a
    detail = get_task(seeded, "yunnan-2020-2021:21", source_dirs=[SEEDS])
    assert detail.source_lines == [(126, "21.开展海关“龙腾”知识产权保护专项行动,按季度公开发布海关知识产权执法行动信息。(2020年12月底前完成)")]


def test_reimport_is_idempotent_and_keeps_coordinator_state(seeded: Engine) -> None:
    before = {t.id: t for t in list_tasks(seeded)}
    tid = resolve_task(seeded, "yunnan-2020-2021:2")
    with write_session(seeded) as s:  # a coordinator's work
        s.execute(sa.update(Task).where(Task.id == tid).values(status="done", progress=100))
        s.execute(sa.delete(TaskOwner).where(TaskOwner.task_id == tid))
    report = import_paths(seeded, [SEEDS])
    assert all(not p.added for p in report.plans)
    assert all(not p.changed for p in report.plans)
    after = {t.id: t for t in list_tasks(seeded)}
    assert set(after) == set(before)
    assert (after[tid].status, after[tid].progress, after[tid].owners) == ("done", 100, ())
    with read_session(seeded) as s:
        assert s.execute(sa.select(sa.func.count()).select_from(History)).scalar_one() == 0


def test_edited_document_reports_changed_text_and_adds_new_items(engine: Engine, tmp_path: Path) -> None:
    original = (SEEDS / "yunyang-2022-ip-county-plan.txt").read_text(encoding="utf-8")
    doc = tmp_path / "yunyang-2022-ip-county-plan.txt"
    doc.write_text(original, encoding="utf-8")
    import_paths(engine, [doc])
    edited = original.replace("落实侵权惩罚性赔偿制度", "全面落实侵权惩罚性赔偿制度").replace(
        "（二十二）开展督促检查", "（二十三）开展年度评估。每年开展一次评估。\n（二十二）开展督促检查")
    doc.write_text(edited, encoding="utf-8")
    report = import_paths(engine, [doc])
    [plan] = report.plans
    assert plan.changed == ["（五）"]
    assert plan.added == ["（二十三）"]
    tid = resolve_task(engine, "yunyang-2022-2025:5")
    history = get_task(engine, str(tid)).history
    assert len(history) == 1 and history[0].field == "text" and "全面落实" in (history[0].new_value or "")


def test_dry_run_writes_nothing(engine: Engine) -> None:
    report = import_paths(engine, [SEEDS], dry_run=True)
    assert report.task_count > 100
    assert list_plans(engine) == []
