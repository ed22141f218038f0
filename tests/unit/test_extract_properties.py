"""Properties of the extractor that must hold for any input (Hypothesis).

* it never raises, whatever the text;
* it never loses a numbered item of a well-formed list, whatever the numbering style,
  deadline or owner clause the items carry;
* every task's source lines lie inside the document;
* parsing is deterministic.
"""

from __future__ import annotations

from dataclasses import asdict

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.extract.pipeline import extract_document
from tracker.extract.structure import _int_to_cn

# Characters the grammar reacts to, mixed with anything at all.
GENRE = list(
    "一二三四五六七八九十（）()〔〕、.．。；;：:，,0123456789０１２年月日底前完成持续推进责任单位牵头配合负责"
    "省市县局厅委专栏第章附件目录①②\t \n—－-至到关于实施意见方案规划"
)
genre_text = st.text(alphabet=st.sampled_from(GENRE), max_size=300)
any_text = st.text(max_size=300)

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check_lines(text: str) -> None:
    total = len(text.strip("\n").split("\n")) if text.strip("\n") else len(text.split("\n"))
    for plan in extract_document(text, source_name="p.txt"):
        for task in plan.tasks:
            assert 1 <= task.line_start <= task.line_end <= max(total, len(text.split("\n"))), task


@FAST
@given(st.one_of(genre_text, any_text))
def test_never_raises_and_source_lines_lie_inside_the_document(text: str) -> None:
    _check_lines(text)


@FAST
@given(st.one_of(genre_text, any_text))
def test_parsing_is_deterministic(text: str) -> None:
    first = [asdict(p) for p in extract_document(text, source_name="p.txt")]
    second = [asdict(p) for p in extract_document(text, source_name="p.txt")]
    assert first == second


STYLES = {
    "arabic-dot": lambda n: f"{n}.",
    "arabic-comma": lambda n: f"{n}、",
    "fullwidth": lambda n: "".join(chr(ord(c) + 0xFEE0) for c in str(n)) + "．",
    "paren-cn": lambda n: f"（{_int_to_cn(n)}）",
    "paren-arabic": lambda n: f"({n})",
}
CLAUSES = st.sampled_from([
    "",
    "（2021年12月底前完成）",
    "(持续推进)",
    "（责任单位：省公安厅、省法院）",
    "〔牵头单位：省司法厅；配合单位：省财政厅〕",
    "（省公安厅牵头，2021年底前）",
    "该项工作于2021年4月底前完成。",
])
TITLES = st.text(alphabet=st.sampled_from(list("加强完善建立推进开展知识产权保护制度机制体系行动培训宣传")), min_size=2, max_size=12)


@FAST
@given(
    style=st.sampled_from(sorted(STYLES)),
    items=st.lists(st.tuples(TITLES, CLAUSES), min_size=1, max_size=25),
    sections=st.integers(min_value=1, max_value=3),
)
def test_no_numbered_item_of_a_well_formed_list_is_lost(
    style: str, items: list[tuple[str, str]], sections: int
) -> None:
    lines = ["某省知识产权重点工作方案（2021—2022年）"]
    expected: list[tuple[int, str]] = []
    per_section = -(-len(items) // sections)
    for k, (title, clause) in enumerate(items):
        index = k % per_section + 1  # numbering restarts in each section
        if index == 1:
            lines.append(f"{_int_to_cn(k // per_section + 1)}、第{k // per_section + 1}部分重点任务")
        lines.append(f"{STYLES[style](index)}{title}。落实各项措施。{clause}")
        expected.append((index, title))
    text = "\n".join(lines)
    [plan] = extract_document(text, source_name="p.txt")
    got = [(int(t.key.rsplit(".", 1)[-1]) if t.key[-1].isdigit() else -1, t.title) for t in plan.tasks]
    assert got == expected
    assert len({t.key for t in plan.tasks}) == len(plan.tasks)
    _check_lines(text)


@FAST
@given(st.lists(st.lists(TITLES, min_size=1, max_size=4), min_size=1, max_size=4))
def test_paragraph_mode_keeps_every_paragraph(sections: list[list[str]]) -> None:
    lines = ["某省“十四五”知识产权规划", "第一章 规划背景", "一、发展基础", "全省专利数量稳步增长，成效显著。", "第二章 重点任务"]
    expected = []
    for s, paragraphs in enumerate(sections, start=1):
        lines.append(f"{_int_to_cn(s)}、任务{s}")
        for p, title in enumerate(paragraphs, start=1):
            lines.append(f"{title}。推进相关工作，落实各项措施。")
            expected.append((f"2.{s}.{p}", title))
    [plan] = extract_document("\n".join(lines), source_name="p.txt")
    assert [(t.number, t.title) for t in plan.tasks] == expected
