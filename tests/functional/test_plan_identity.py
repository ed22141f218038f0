"""A plan is a document (issue 12): identity, revisions, and nothing lost on import.

On SQLite and PostgreSQL: documents of one region and period are as many plans as there
are documents, whatever order they come in; a revision keeps what coordinators did; the
same text twice (another file name, .txt then .docx) is one plan.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

import docx
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tests.conftest import ROOT, run_cli
from tracker.extract.owners import Lexicon, default_lexicon_path
from tracker.services.tasks import TaskFilter, list_plans, list_tasks, resolve_task
from tracker.store.changes import Change, add_note, assign, set_status
from tracker.store.db import read_session
from tracker.store.importer import extract_file, import_paths
from tracker.store.models import History, plan_t

ALICE = Change("王科长")


def plan_text(title: str, items: list[str], *, issuer: str = "云南省人民政府", number: str | None = None) -> str:
    """A small provincial work plan: issuer, 文号, title, one chapter of numbered items."""
    head = [issuer, *([number] if number else []), "", title, "为加快建设知识产权强省，制定本方案。", "一、重点任务"]
    return "\n".join(head + [f"（{'一二三四五六七八九十'[k]}）{t}" for k, t in enumerate(items)]) + "\n"


ITEMS_A = [
    "完善知识产权地方性法规。（2021年12月底前完成；责任单位：省司法厅）",
    "开展知识产权执法专项行动。（2022年6月底前完成；责任单位：省公安厅）",
    "建设知识产权保护中心。（2022年12月底前完成；责任单位：省市场监管局）",
    "加强知识产权宣传培训。（持续推进；责任单位：省委宣传部）",
]
ITEMS_B = [
    "推动高校专利转化运用。（2021年9月底前完成；责任单位：省教育厅）",
    "设立专利转化专项资金。（2022年3月底前完成；责任单位：省财政厅）",
    "培育专利密集型产业。（2023年12月底前完成；责任单位：省工业和信息化厅）",
]
TITLE_A = "云南省2021—2025年知识产权保护工作方案"
TITLE_B = "云南省2021—2025年专利转化专项计划"


def _live(engine: Engine, slug: str) -> list[str]:
    return [t.number for t in list_tasks(engine, TaskFilter(plan=slug))]


@pytest.mark.parametrize("order", ["ab", "ba"])
def test_two_documents_of_one_region_and_period_both_survive(engine: Engine, tmp_path: Path, order: str) -> None:
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text(plan_text(TITLE_A, ITEMS_A, number="云政发〔2021〕5号"), encoding="utf-8")
    b.write_text(plan_text(TITLE_B, ITEMS_B), encoding="utf-8")
    first, second = (a, b) if order == "ab" else (b, a)
    r1 = import_paths(engine, [first]).plans[0]
    r2 = import_paths(engine, [second]).plans[0]
    assert (r1.identity, r2.identity) == ("new", "new") and not r1.withdrawn and not r2.withdrawn
    assert r1.slug == "yunnan-2021-2025"  # the first keeps the short handle, the second is told apart
    assert r2.slug.startswith("yunnan-2021-2025-") and r2.slug != r1.slug
    plans = {p.title: p for p in list_plans(engine)}
    assert {t: p.tasks for t, p in plans.items()} == {TITLE_A: 4, TITLE_B: 3}
    assert plans[TITLE_A].doc_number == "云政发〔2021〕5号" and plans[TITLE_A].region == "云南省"
    # Both again, in the other order: each is its own re-import; slugs stay, nothing withdrawn.
    for doc in (second, first):
        [again] = import_paths(engine, [doc]).plans
        assert (again.identity, again.withdrawn, again.added, again.changed) == ("revision", [], [], [])
    assert {p.title: p.slug for p in list_plans(engine)} == {p.title: p.slug for p in plans.values()}


def test_same_title_with_another_document_number_is_another_plan(engine: Engine, tmp_path: Path) -> None:
    """An annual plan re-issued under the same title is a new document: its 文号 says so."""
    (tmp_path / "2021.txt").write_text(plan_text(TITLE_A, ITEMS_A, number="云政发〔2021〕5号"), encoding="utf-8")
    (tmp_path / "2022.txt").write_text(plan_text(TITLE_A, ITEMS_A[:2] + ITEMS_B, number="云政发〔2022〕9号"), encoding="utf-8")
    report = import_paths(engine, [tmp_path])
    assert [p.identity for p in report.plans] == ["new", "new"]
    second = report.plans[1]
    assert second.slug == "yunnan-2021-2025-yzf2022-9"  # told apart by its 文号
    assert second.resembles is not None and second.resembles.slug == "yunnan-2021-2025"
    assert 0.2 <= second.resembles.share < 1
    assert sum(p.tasks for p in list_plans(engine)) == 4 + 5


def test_revision_keeps_coordinators_work_and_withdraws_only_removed_tasks(engine: Engine, tmp_path: Path) -> None:
    v1 = tmp_path / "方案.txt"
    v1.write_text(plan_text(TITLE_A, ITEMS_A, number="云政发〔2021〕5号"), encoding="utf-8")
    [first] = import_paths(engine, [v1]).plans
    slug = first.slug
    second = resolve_task(engine, f"{slug}:2")
    set_status(engine, second, ALICE, status="doing", progress=40)
    assign(engine, second, "省司法厅", ALICE, role="support")
    add_note(engine, second, Change("王科长", note="已召开推进会"))
    fourth = resolve_task(engine, f"{slug}:4")
    set_status(engine, fourth, ALICE, status="done")

    # The office re-issues it under a new file name: (三) deleted, (一)'s deadline moved, one added.
    items = [ITEMS_A[0].replace("2021年12月底前", "2022年3月底前"), ITEMS_A[1], ITEMS_A[3], ITEMS_B[0]]
    v2 = tmp_path / "方案（修订）.txt"
    v2.write_text(plan_text(TITLE_A, items, number="云政发〔2021〕5号"), encoding="utf-8")
    preview = import_paths(engine, [v2], dry_run=True).plans[0]
    assert (preview.identity, preview.matched_by, preview.slug) == ("revision", "doc_number", slug)
    kinds = {(c["change"], c["number"]) for c in preview.changes}
    assert kinds == {("changed", "（一）"), ("withdrawn", "（三）"), ("added", "（四）")}
    moved = next(c for c in preview.changes if c["change"] == "changed")
    assert (moved["old_due"], moved["new_due"]) == ("2021-12-31", "2022-03-31")
    assert "2021年12月底前" in moved["old_text"] and "2022年3月底前" in moved["new_text"]
    assert _live(engine, slug) == ["（一）", "（二）", "（三）", "（四）"]  # a dry run writes nothing

    [plan] = import_paths(engine, [v2]).plans
    assert (plan.withdrawn, plan.added, plan.changed) == (["（三）"], ["（四）"], ["（一）"])
    assert len(list_plans(engine)) == 1
    tasks = {t.id: t for t in list_tasks(engine, TaskFilter(plan=slug))}
    kept = tasks[second]
    assert (kept.number, kept.status, kept.progress) == ("（二）", "doing", 40)
    assert [(o.name, o.role) for o in kept.owners] == [("省公安厅", "lead"), ("省司法厅", "support")]
    assert tasks[fourth].number == "（三）" and tasks[fourth].status == "done"  # renumbered, still done
    with read_session(engine) as s:
        notes = s.execute(sa.select(History.new_value).where(History.task_id == second, History.field == "note")).scalars().all()  # type: ignore[arg-type, call-overload]
    assert notes == ["已召开推进会"]
    withdrawn = list_tasks(engine, TaskFilter(plan=slug, include_withdrawn=True))
    assert [t.number for t in withdrawn if t.id not in tasks] == ["（三）"]


def test_replaces_says_a_retitled_document_is_a_revision(engine: Engine, tmp_path: Path, cli_env: dict[str, str], db_url: str) -> None:
    v1 = tmp_path / "v1.txt"
    v1.write_text(plan_text(TITLE_A, ITEMS_A), encoding="utf-8")
    [first] = import_paths(engine, [v1]).plans
    retitled = tmp_path / "v2.txt"
    retitled.write_text(plan_text("云南省2021—2025年知识产权保护行动方案", ITEMS_A[:3]), encoding="utf-8")
    preview = import_paths(engine, [retitled], dry_run=True).plans[0]
    # Only alike, not the same document: it would be a new plan, and the report says which it resembles.
    assert preview.identity == "new" and preview.resembles is not None and preview.resembles.slug == first.slug
    assert preview.resembles.share == pytest.approx(6 / 7, abs=0.01)
    env = {**cli_env, "TRACKER_DB": db_url}
    run_cli(env, "import", str(v1))
    out = json.loads(run_cli(env, "import", str(retitled), "--replaces", first.slug, "--format", "json").stdout)
    [plan] = out["plans"]
    assert (plan["identity"], plan["matched_by"], plan["slug"], plan["withdrawn"]) == ("revision", "replaces", first.slug, ["（四）"])
    assert json.loads(run_cli(env, "plans", "--format", "json").stdout)[0]["title"] == "云南省2021—2025年知识产权保护行动方案"
    missing = run_cli(env, "import", str(retitled), "--replaces", "no-such-plan", check=False)
    assert missing.returncode == 3 and missing.stderr.count("\n") == 1


def test_same_document_as_txt_and_docx_is_one_plan(engine: Engine, tmp_path: Path) -> None:
    text = plan_text(TITLE_A, ITEMS_A, number="云政发〔2021〕5号")
    txt = tmp_path / "yunnan-plan.txt"
    txt.write_text(text, encoding="utf-8")
    document = docx.Document()
    for line in text.split("\n"):
        if line.strip():
            document.add_paragraph(line)
    word = tmp_path / "云南省知识产权保护工作方案.docx"
    document.save(str(word))
    copy = tmp_path / "copy-of-plan.txt"
    copy.write_text(text.replace("\n", "\r\n"), encoding="gb18030")
    report = import_paths(engine, [txt, word, copy])
    assert [p.identity for p in report.plans] == ["new", "same", "same"]
    assert [p.same_as for p in report.plans[1:]] == [report.plans[0].slug] * 2
    assert report.task_count == 4 and len(list_plans(engine)) == 1
    assert _live(engine, report.plans[0].slug) == ["（一）", "（二）", "（三）", "（四）"]
    with read_session(engine) as s:
        assert s.execute(sa.select(plan_t.c.source_file)).scalars().all() == ["yunnan-plan.txt"]


def _corpus() -> object:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import corpus  # bench/corpus.py: the synthetic corpus generator
    finally:
        sys.path.pop(0)
    return corpus


def test_two_hundred_plans_whose_regions_and_periods_collide_are_two_hundred_plans(engine: Engine, tmp_path: Path) -> None:
    """Issue 12's folder: 200 generated documents of 4 regions and 2 periods (25 per pair)."""
    corpus: object = _corpus()
    material = corpus.mine()  # type: ignore[attr-defined]
    rng = random.Random(12)
    regions, periods = ["青石县", "永安市", "临川县", "福源市"], [(2021, 2025), (2023, 2025)]
    folder = tmp_path / "corpus"
    folder.mkdir()
    for i in range(200):
        start, end = periods[i % 2]
        spec = corpus.PlanSpec(  # type: ignore[attr-defined]
            index=i, kind=rng.choices(corpus.DOC_KINDS, corpus.DOC_WEIGHTS)[0],  # type: ignore[attr-defined]
            region=regions[(i // 2) % 4], start=start, end=end, items=rng.randint(18, 26),
            encoding="utf-8", traditional=False,
        )
        text = corpus.document(spec, material, random.Random(f"12/{i}"))  # type: ignore[attr-defined]
        (folder / f"{i:03d}-{spec.kind}.txt").write_text(text, encoding="utf-8")
    lexicon = Lexicon.load(default_lexicon_path())
    report = import_paths(engine, [folder], lexicon=lexicon)
    assert not report.errors
    assert [p.identity for p in report.plans].count("new") == len(report.plans) >= 200
    plans = list_plans(engine)
    assert len({p.source_file for p in plans}) == 200 and len(plans) == len(report.plans)
    by_file: dict[str, list[str]] = {}
    for p in report.plans:
        by_file.setdefault(p.source_file, []).append(p.slug)
    for path in sorted(folder.glob("*.txt")):
        _, extracted = extract_file(path, lexicon)
        for slug, plan in zip(by_file[path.name], extracted, strict=True):
            stored = list_tasks(engine, TaskFilter(plan=slug))
            assert [(t.number, t.due, [(o.name, o.role) for o in t.owners]) for t in stored] == [
                (t.number, t.due, [(o.name, o.role) for o in sorted(t.owners, key=lambda o: o.role != "lead")])
                for t in plan.tasks
            ], path.name
    # The same folder again: every plan recognised, nothing added, nothing withdrawn.
    again = import_paths(engine, [folder], lexicon=lexicon)
    assert {p.identity for p in again.plans} == {"revision"}
    assert not any(p.withdrawn or p.added for p in again.plans)
