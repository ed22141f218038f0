"""The three plans beyond the core two: Yunnan 2021 opinions, Qinghai (scraped, traditional)
and Sichuan (a 十四五 plan without numbered tasks), imported into a real database."""

from __future__ import annotations

import re
from datetime import date

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tests.conftest import SEEDS
from tracker.extract.owners import Lexicon, default_lexicon_path
from tracker.services.tasks import TaskFilter, TaskView, list_plans, list_tasks
from tracker.store.db import read_session
from tracker.store.importer import extract_file
from tracker.store.models import plan_t, task_t

PINYIN_BRACKET = re.compile(r"[(（][a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ][a-zü]*[)）]")
REQUIRED_SLUGS = {
    "yunnan-2020-2021", "yunnan-2020-opinions", "yunyang-2022-2025",
    "yunnan-2021-2035", "qinghai-2021-2035", "sichuan-2021-2025",
}


def _tasks(engine: Engine, slug: str) -> dict[str, TaskView]:
    return {t.number: t for t in list_tasks(engine, TaskFilter(plan=slug))}


def test_all_five_seed_documents_give_the_required_plans(seeded: Engine) -> None:
    plans = {p.slug: p for p in list_plans(seeded)}
    assert set(plans) == REQUIRED_SLUGS
    assert {s: plans[s].tasks for s in ("yunnan-2021-2035", "qinghai-2021-2035", "sichuan-2021-2025")} == {
        "yunnan-2021-2035": 20, "qinghai-2021-2035": 17, "sichuan-2021-2025": 73}


def test_every_plan_records_issuer_issue_date_and_period_where_printed(seeded: Engine) -> None:
    with read_session(seeded) as s:
        rows = {r.slug: r for r in s.execute(sa.select(plan_t)).all()}
    expected = {
        # (issuer, issued_on, period) — Yunnan 2021 prints no date, Qinghai no issuer.
        "yunnan-2021-2035": ("中共云南省委 云南省人民政府", None, (2021, 2035)),
        "qinghai-2021-2035": (None, date(2021, 12, 31), (2021, 2035)),
        "sichuan-2021-2025": ("四川省人民政府", date(2021, 12, 30), (2021, 2025)),
    }
    for slug, (issuer, issued, (first, last)) in expected.items():
        row = rows[slug]
        assert (row.issuer, row.issued_on) == (issuer, issued), slug
        assert (row.period_start, row.period_end) == (date(first, 1, 1), date(last, 12, 31)), slug


def test_yunnan_2021_measures_inherit_2025_and_the_last_is_owned_as_stated(seeded: Engine) -> None:
    tasks = list_tasks(seeded, TaskFilter(plan="yunnan-2021-2035"))
    assert [t.key for t in tasks] == [str(n) for n in range(1, 21)]
    assert all((t.due, t.due_source) == (date(2025, 12, 31), "plan") for t in tasks)
    assert tasks[0].section == "二、着力完善支撑高质量发展的知识产权制度体系"
    twenty = tasks[-1]
    assert (twenty.owners[0].name, twenty.owners[0].role, twenty.owners[0].provenance) == (
        "省市场监管局（省知识产权局）", "lead", "stated")


def test_qinghai_is_repaired_kept_traditional_and_searchable_simplified(seeded: Engine) -> None:
    with read_session(seeded) as s:
        plan = s.execute(sa.select(plan_t).where(plan_t.c.slug == "qinghai-2021-2035")).one()
        rows = s.execute(sa.select(task_t).where(task_t.c.plan_id == plan.id).order_by(task_t.c.seq)).all()
    assert plan.title == "關于貫徹落實《知識產權強國建設綱要(2021—2035年)》的實施意見"
    assert plan.language == "zh-Hant"
    for row in rows:
        for text in (row.text, row.title, row.section, row.search_text):
            assert not PINYIN_BRACKET.search(text), text
    assert not PINYIN_BRACKET.search(plan.title)
    assert rows[0].title == "構建結構嚴密、系統完備的制度體系"
    assert "构建结构严密" in rows[0].search_text
    assert "(2021—2035年)" in plan.title


def test_qinghai_tasks_sit_under_their_sections_and_only_the_stated_owner_is_kept(seeded: Engine) -> None:
    tasks = _tasks(seeded, "qinghai-2021-2035")
    assert list(tasks) == [str(n) for n in range(1, 15)] + ["(一)", "(二)", "(三)"]
    assert tasks["1"].section.startswith("二、重點任務 / (一)建設有利")
    assert tasks["14"].section.startswith("二、重點任務 / (六)")
    assert tasks["(三)"].section == "三、組織保障"
    assert [(o.name, o.role, o.provenance) for o in tasks["(三)"].owners] == [("省市場監管局", "lead", "stated")]
    # The Yunnan lexicon does not reach Qinghai: no inferred owners anywhere.
    assert all(not t.owners for n, t in tasks.items() if n != "(三)")
    assert all((t.due, t.due_source) == (date(2025, 12, 31), "plan") for t in tasks.values())
    assert tasks["9"].needs_review  # its source line lost text (向?I化)


def test_sichuan_paragraph_tasks_boxes_and_repairs(seeded: Engine) -> None:
    tasks = list_tasks(seeded, TaskFilter(plan="sichuan-2021-2025"))
    by_title = {t.title: t for t in tasks}
    judicial = by_title["完善知识产权司法保护体制机制"]
    assert judicial.number == "4.2.1"
    assert judicial.section == "第四章 强化知识产权高标准保护 / 二、加强知识产权司法保护"
    spring = by_title["春雷行动"]
    assert (spring.number, spring.section.split(" / ")[-1]) == ("专栏3.1", "专栏3 知识产权执法保护专项行动")
    boxes = {t.number.split(".")[0] for t in tasks if t.number.startswith("专栏")}
    assert boxes == {f"专栏{n}" for n in range(2, 13)}  # 专栏1 is the indicator table
    # No task from the contents, the background chapter or the general requirements.
    assert not any(t.section.startswith(("第一章", "第二章")) for t in tasks)
    assert all((t.due, t.due_source) == (date(2025, 12, 31), "plan") for t in tasks)
    texts = "\n".join(t.text for t in tasks)
    assert "国家重大政策、平台、项目落地" in texts  # a paragraph cut by a page break, rejoined
    assert "“天府知识产权峰会”“创新者之夜”" in texts
    assert " in " not in texts and "推动区块链技术等知识产权保护领域应用" in texts
    assert "①" not in texts and "预期性" not in texts


def test_seed_extraction_is_deterministic() -> None:
    lexicon = Lexicon.load(default_lexicon_path())
    for path in sorted(SEEDS.glob("*.txt")):
        first = extract_file(path, lexicon)[1]
        second = extract_file(path, lexicon)[1]
        assert first == second, path.name
