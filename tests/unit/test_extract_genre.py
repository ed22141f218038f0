"""The genre's grammar, rule by rule, on small synthetic documents.

Each test is one rule of how implementation plans are written (owner clauses, numbering,
tables, five-year plans without numbered tasks, page breaks, traditional script), checked
through :func:`extract_document`, the path every file takes.
"""

from __future__ import annotations

from datetime import date

import pytest

from tracker.extract.owners import Lexicon, _LexUnit
from tracker.extract.pipeline import ExtractedPlan, ExtractedTask, extract_document
from tracker.extract.structure import is_cut, parse_lines


def extract(text: str, **kwargs: object) -> list[ExtractedPlan]:
    return extract_document(text.strip("\n"), source_name="test.txt", **kwargs)  # type: ignore[arg-type]


def tasks_of(text: str, **kwargs: object) -> dict[str, ExtractedTask]:
    [plan] = extract(text, **kwargs)
    return {t.number: t for t in plan.tasks}


def owners(task: ExtractedTask) -> list[tuple[str, str, str]]:
    return [(o.name, o.role, o.provenance) for o in task.owners]


HEAD = "某省知识产权重点工作方案（2021—2022年）\n一、重点任务\n"


# --------------------------------------------------------------------------- owner clauses


@pytest.mark.parametrize(
    "item",
    ["1.加强保护。（责任单位：省公安厅、省法院）", "1.加强保护。〔责任单位：省公安厅、省法院〕"],
)
def test_responsibility_bracket_in_either_bracket_style(item: str) -> None:
    task = tasks_of(HEAD + item)["1"]
    assert owners(task) == [("省公安厅", "lead", "stated"), ("省法院", "support", "stated")]
    assert task.title == "加强保护"


def test_lead_and_support_labels_are_kept_apart() -> None:
    task = tasks_of(HEAD + "1.开展专项行动。（牵头单位：省公安厅；配合单位：省检察院、省法院）")["1"]
    assert owners(task) == [
        ("省公安厅", "lead", "stated"), ("省检察院", "support", "stated"), ("省法院", "support", "stated")]


def test_units_then_fuze_first_listed_leads_when_the_document_says_so() -> None:
    doc = HEAD.replace("一、", "（注：列第一位者为牵头单位）\n一、") + "1.加强商标保护。（省市场监管局、省公安厅负责）"
    task = tasks_of(doc)["1"]
    assert owners(task) == [("省市场监管局", "lead", "stated"), ("省公安厅", "support", "stated")]


def test_lists_in_no_order_make_every_listed_unit_a_lead() -> None:
    doc = HEAD.replace("一、", "（责任单位排名不分先后）\n一、") + "1.加强商标保护。（省市场监管局、省公安厅负责）"
    task = tasks_of(doc)["1"]
    assert [o.role for o in task.owners] == ["lead", "lead"]


def test_duty_division_is_a_group_owner() -> None:
    task = tasks_of(HEAD + "1.落实责任。各有关部门按职责分工负责。")["1"]
    assert owners(task) == [("各有关部门", "lead", "stated")]
    assert task.owners[0].is_group


def test_convene_with_names_lead_and_support() -> None:
    task = tasks_of(HEAD + "1.加强协作。省公安厅会同省检察院负责。")["1"]
    assert owners(task) == [("省公安厅", "lead", "stated"), ("省检察院", "support", "stated")]


@pytest.mark.parametrize(
    ("item", "due_text", "due", "names"),
    [
        ("1.完善制度。（2021年6月底前完成；责任单位：省司法厅）", "2021年6月底前完成", date(2021, 6, 30), ["省司法厅"]),
        ("1.加强执法。（省公安厅牵头，2021年底前）", "2021年底前", date(2021, 12, 31), ["省公安厅"]),
        ("1.加强执法。（责任单位：省公安厅；完成时限：2022年3月底前）", "2022年3月底前", date(2022, 3, 31), ["省公安厅"]),
    ],
)
def test_deadline_and_owners_in_one_bracket_in_either_order(
    item: str, due_text: str, due: date, names: list[str]
) -> None:
    task = tasks_of(HEAD + item)["1"]
    assert task.deadline is not None and task.deadline.raw == due_text
    assert (task.due, task.due_source) == (due, "stated")
    assert [o.name for o in task.owners] == names


def test_owners_on_their_own_line_after_the_item() -> None:
    tasks = tasks_of(HEAD + "1.完善机制。建立联络制度。\n责任单位：省发展改革委、省财政厅\n2.开展培训。举办培训班。")
    assert owners(tasks["1"]) == [("省发展改革委", "lead", "stated"), ("省财政厅", "support", "stated")]
    assert (tasks["1"].line_start, tasks["1"].line_end) == (3, 4)
    assert tasks["2"].owners == []


def test_other_fields_in_the_bracket_are_not_owners() -> None:
    task = tasks_of(HEAD + "1.开展试点。（适用范围：全省各州市；责任单位：省商务厅）")["1"]
    assert owners(task) == [("省商务厅", "lead", "stated")]


# --------------------------------------------------------------------------- deadlines


def test_deadline_stated_inside_the_sentence_counts() -> None:
    task = tasks_of(HEAD + "1.推进工作。该项工作于2021年4月底前完成。")["1"]
    assert (task.due, task.due_source) == (date(2021, 4, 30), "stated")


def test_staged_deadlines_are_milestones_and_the_last_is_due() -> None:
    task = tasks_of(HEAD + "1.分步实施。2021年6月底前出台办法，2022年底前全面推开。")["1"]
    assert task.deadline is not None
    assert task.deadline.milestones == (date(2021, 6, 30), date(2022, 12, 31))
    assert task.due == date(2022, 12, 31)
    assert task.deadline.raw == "2021年6月底前出台办法，2022年底前"


def test_target_year_in_a_sentence_is_not_a_deadline_but_the_plan_horizon() -> None:
    doc = "某省规划\n到2025年，知识产权强省建设取得进展。\n一、重点任务\n1.培育品牌。到2025年，新增地理标志100个。"
    task = tasks_of(doc)["1"]
    assert (task.due, task.due_source) == (date(2025, 12, 31), "plan")


@pytest.mark.parametrize("sep", ["—", "－", "-", "至"])
def test_window_separators_and_full_width_digits(sep: str) -> None:
    task = tasks_of(HEAD + f"1.开展行动。（２０２１年３月{sep}６月）")["1"]
    assert (task.start, task.due) == (date(2021, 3, 1), date(2021, 6, 30))


def test_stray_spaces_inside_numbers() -> None:
    task = tasks_of(HEAD + "1.开展行动。（2021 年 12 月底前完成）")["1"]
    assert task.due == date(2021, 12, 31)


# --------------------------------------------------------------------------- numbering


@pytest.mark.parametrize("mark", ["1.", "1、", "１．", "(1)"])
def test_arabic_numbering_forms_are_items(mark: str) -> None:
    [plan] = extract(HEAD + f"{mark}加强保护。开展行动。")
    assert [t.key for t in plan.tasks] == ["1"]


def test_chinese_numbered_lines_are_items_when_they_carry_a_sentence() -> None:
    [plan] = extract("某县工作方案（2021—2022年）\n一、加强组织领导。成立领导小组。\n二、加强督查。定期开展检查。")
    assert [(t.number, t.title) for t in plan.tasks] == [("一", "加强组织领导"), ("二", "加强督查")]


def test_numbering_restarting_in_each_section_keeps_keys_unique() -> None:
    [plan] = extract(HEAD + "1.甲。内容。\n2.乙。内容。\n二、保障措施\n1.丙。内容。")
    assert [t.key for t in plan.tasks] == ["1", "2", "2.1"]
    assert plan.tasks[2].section == "二、保障措施"


def test_task_table_one_cell_per_line() -> None:
    doc = HEAD + "\n".join([
        "序号", "重点任务", "牵头单位", "配合单位", "完成时限",
        "1", "加强商标保护", "省市场监管局", "省公安厅、省法院", "2021年底前",
        "2", "开展专项行动", "省公安厅", "2022年6月底前",  # its 配合单位 cell is empty
        "二、保障措施", "（一）加强领导。成立领导小组。",
    ])
    tasks = tasks_of(doc)
    one, two = tasks["1"], tasks["2"]
    assert one.title == "加强商标保护" and one.due == date(2021, 12, 31)
    assert owners(one) == [
        ("省市场监管局", "lead", "stated"), ("省公安厅", "support", "stated"), ("省法院", "support", "stated")]
    assert (one.line_start, one.line_end) == (8, 12)
    assert owners(two) == [("省公安厅", "lead", "stated")] and two.due == date(2022, 6, 30)
    assert tasks["（一）"].section == "二、保障措施"


def test_task_table_with_tab_separated_rows() -> None:
    doc = HEAD + "序号\t工作任务\t责任单位\t完成时间\n1\t加强商标保护\t省市场监管局、省公安厅\t2021年底前\n2\t开展专项行动\t省公安厅\t持续推进"
    tasks = tasks_of(doc)
    assert owners(tasks["1"])[0] == ("省市场监管局", "lead", "stated")
    assert tasks["1"].due == date(2021, 12, 31)
    assert tasks["2"].ongoing


# --------------------------------------------------------------------------- five-year plans

FIVE_YEAR_PLAN = """
某市“十四五”知识产权发展规划

目 录
第一章 发展基础\t1
第二章 重点任务\t3
一、加强保护……………………3

第一章 规划背景
一、发展现状
“十三五”期间，全市专利授权量达到1.2万件①，取得显著成效。
二、面临形势
当前知识产权工作面临新形势新任务新要求。
第二章 重点任务
一、加强保护
完善司法保护体制机制。推动设立知识产权法庭，健全技术调查官制度，加强审判

队伍建设。
提升行政保护效能。开展专项执法行动。
专栏1 专项行动
春雷行动。针对重点领域开展专项整治。
剑网行动。开展网络版权专项整治。
指标\t单位\t2025年
专利拥有量\t件\t100
二、强化运用
加快专利转化运用。推进专利开放许可。
①专利授权量指发明、实用新型和外观设计授权总量。
"""


def test_paragraph_mode_makes_each_paragraph_under_a_section_a_task() -> None:
    [plan] = extract(FIVE_YEAR_PLAN)
    assert plan.slug.endswith("-2021-2025")
    assert [(t.number, t.title) for t in plan.tasks] == [
        ("2.1.1", "完善司法保护体制机制"),
        ("2.1.2", "提升行政保护效能"),
        ("专栏1.1", "春雷行动"),
        ("专栏1.2", "剑网行动"),
        ("2.2.1", "加快专利转化运用"),
    ]
    box = plan.tasks[2]
    assert box.section == "第二章 重点任务 / 一、加强保护 / 专栏1 专项行动"
    assert all(t.due == date(2025, 12, 31) for t in plan.tasks)


def test_paragraph_mode_skips_contents_background_footnotes_and_table_rows() -> None:
    [plan] = extract(FIVE_YEAR_PLAN)
    texts = "\n".join(t.text for t in plan.tasks)
    for absent in ("发展基础", "“十三五”期间", "面临新形势", "授权总量", "专利拥有量"):
        assert absent not in texts


def test_a_paragraph_cut_by_a_page_break_is_joined() -> None:
    [plan] = extract(FIVE_YEAR_PLAN)
    first = plan.tasks[0]
    assert first.text.endswith("加强审判队伍建设。")
    assert (first.line_start, first.line_end) == (15, 17)
    assert any("1 处" in r for r in plan.repairs)


@pytest.mark.parametrize(
    ("text", "cut"),
    [("开展打击侵犯知识产权违法犯", True), ("加强保护。", False), ("(持续推进)", False), ("目标值 5.67", False)],
)
def test_is_cut(text: str, cut: bool) -> None:
    assert is_cut(text) is cut


def test_numbered_plans_are_not_read_in_paragraph_mode() -> None:
    [plan] = extract(HEAD + "1.加强保护。开展行动。\n这是对上一项的补充说明，不是新任务。")
    assert [t.number for t in plan.tasks] == ["1"]
    assert "补充说明" in plan.tasks[0].text


def test_footnote_marker_used_earlier_is_not_an_item() -> None:
    doc = parse_lines(["某计划", "一、重点", "1.加强保护①。开展行动。", "①保护指行政保护和司法保护。"])
    assert [i.number for i in doc.plans[0].items] == ["1"]
    assert "司法保护" not in doc.plans[0].items[0].text


# --------------------------------------------------------------------------- script, region, title


TRADITIONAL = """
青海省知識產權工作方案（2022—2023年）
一、重點任務
1.開展打擊侵權假冒“昆侖”行動。（責任單位：省公安廳、省市場監管局）
2.加強海關保護。
3.完善制度。（2022年6月底前完成）
三、組織保障
（一）加強考核。省市場監管局負責統籌推進。
"""


def test_traditional_clauses_are_matched_simplified_and_stored_as_printed() -> None:
    tasks = tasks_of(TRADITIONAL)
    assert owners(tasks["1"]) == [("省公安廳", "lead", "stated"), ("省市場監管局", "support", "stated")]
    assert owners(tasks["（一）"]) == [("省市場監管局", "lead", "stated")]
    assert tasks["3"].due == date(2022, 6, 30)
    assert tasks["（一）"].section == "三、組織保障"


def lexicon() -> Lexicon:
    return Lexicon(units=[_LexUnit("省公安厅", (), ("昆仑",), ("海关",), ())], regions=("yunnan",))


def test_lexicon_infers_only_for_plans_of_its_region() -> None:
    yunnan = TRADITIONAL.replace("青海省", "云南省")
    assert owners(tasks_of(yunnan, lexicon=lexicon())["2"]) == [("省公安厅", "lead", "inferred")]
    assert tasks_of(TRADITIONAL, lexicon=lexicon())["2"].owners == []


def test_title_recovered_from_page_debris_names_the_plan() -> None:
    text = "\n(2021年12月31日)\n一、重點任務\n1.加強保護。開展行動。"
    [plan] = extract(text, title_hint=(1, "關于貫徹落實《綱要(2021—2035年)》的實施意見"))
    assert plan.title == "關于貫徹落實《綱要(2021—2035年)》的實施意見"
    assert (plan.period_start, plan.period_end) == (date(2021, 1, 1), date(2035, 12, 31))
    assert plan.issued_on == date(2021, 12, 31)


# --------------------------------------------------------------------------- issue 11


def test_duties_listed_by_unit_give_each_unit_its_item() -> None:
    tasks = tasks_of(HEAD + """1.区公安分局。负责打击侵权假冒违法犯罪。
2.派出所。配合开展辖区排查。
3.区市场监管局。负责日常监管。""")
    assert [owners(tasks[n]) for n in ("1", "2", "3")] == [
        [("区公安分局", "lead", "stated")], [("派出所", "lead", "stated")], [("区市场监管局", "lead", "stated")],
    ]


def test_a_section_headed_by_a_unit_owns_its_duties() -> None:
    tasks = tasks_of("""某区职责分工方案（2023—2024年）
一、职责分工
（一）区绿化市容局
1.负责全区绿化规划。
2.组织开展市容整治。
（二）区住建委
3.负责老旧小区改造。""")
    assert owners(tasks["2"]) == [("区绿化市容局", "lead", "stated")]
    assert owners(tasks["3"]) == [("区住建委", "lead", "stated")]


def test_an_item_title_that_merely_ends_like_a_unit_owns_nothing() -> None:
    tasks = tasks_of(HEAD + "1.构建全方位宣传格局。运用媒体宣传。\n2.加强保护。开展行动。（责任单位：省公安厅）")
    assert tasks["1"].owners == []


def test_four_levels_of_numbering() -> None:
    [plan] = extract("""某市实施方案（2023—2025年）
一、主要任务
（一）加强创新
1.培育企业
（1）实施高新技术企业培育行动。（责任单位：市科技局）
（2）实施专精特新企业培育行动。（责任单位：市经信局）
2.建设平台
（1）建设创新中心。（责任单位：市发改委）""")
    assert [(t.number, t.section) for t in plan.tasks] == [
        ("（1）", "一、主要任务 / （一）加强创新 / 1.培育企业"),
        ("（2）", "一、主要任务 / （一）加强创新 / 1.培育企业"),
        ("（1）", "一、主要任务 / （一）加强创新 / 2.建设平台"),
    ]
    assert len({t.key for t in plan.tasks}) == 3


def test_what_the_extractor_was_unsure_of_is_listed_with_its_line() -> None:
    tasks = tasks_of(HEAD + """1.加强保护。（责任单位：各成员单位根据职能自行确定分工并落实）
2.开展行动。（春耕前完成）
3.完善制度。（本方案印发之日起3个月内）""")
    notes = {n: [(r.line, r.text.split(" / ")[0]) for r in t.review_reasons] for n, t in tasks.items()}
    assert notes["1"] == [(3, "责任单位未能拆分")]
    assert notes["2"] == [(4, "无法识别的期限")]
    assert notes["3"] == [(5, "相对期限，需定具体日期")]
    assert tasks["3"].due is None and tasks["3"].due_source is None  # nothing inherited over it


def test_owners_stated_by_a_heading_are_its_items_owners() -> None:
    tasks = tasks_of("""某县关于推动经济高质量发展的若干政策（2023—2024年）
一、扩大有效投资政策（由县发改局牵头实施）
1.加大财政支持力度。统筹安排资金支持重大项目。
2.强化要素保障。（责任单位：县自然资源局）""")
    assert owners(tasks["1"]) == [("县发改局", "lead", "stated")]
    assert owners(tasks["2"]) == [("县自然资源局", "lead", "stated")]


# --------------------------------------------------------------------------- run-on pages


def test_items_a_page_printed_on_one_line_are_cut_where_the_numbering_continues() -> None:
    tasks = tasks_of(HEAD + "（一）地区生产总值增长11%左右。（省发改委负责）（二）公共财政收入增长13%左右。"
                     "（省财政厅主办，省国税局、地税局协办）")
    assert list(tasks) == ["（一）", "（二）"]
    assert owners(tasks["（一）"]) == [("省发改委", "lead", "stated")]
    assert owners(tasks["（二）"]) == [
        ("省财政厅", "lead", "stated"), ("省国税局", "support", "stated"), ("地税局", "support", "stated"),
    ]


def test_a_list_of_the_items_own_on_its_line_is_no_run_on() -> None:
    tasks = tasks_of(HEAD + "1.完善工作机制：1.建立月度调度制度；2.健全工作台账。（责任单位：省发改委）\n"
                     "2.加强督查。（责任单位：省政府办公厅）")
    assert list(tasks) == ["1", "2"]
    assert "健全工作台账" in tasks["1"].text


def test_a_notice_run_into_one_line_keeps_its_items_after_the_title() -> None:
    body = "。".join(["各级各部门要切实提高政府执行力，把各项奋斗目标落到实处"] * 5)
    text = (f"某市人民政府办公室关于印发工作目标分解落实意见的通知 （某政办发〔2010〕10号） 各区人民政府："
            f"现就有关事项通知如下： 一、{body}。 二、{body}。 三、{body}。")
    tasks = tasks_of(text)
    assert list(tasks) == ["一", "二", "三"]


def test_a_table_whose_header_ends_the_notice_line_and_rows_under_group_headings() -> None:
    [plan] = extract("""某市人民政府办公室关于分解落实2018年政府工作任务的通知
请认真组织实施. 附件:某市2018年政府工作任务分解表 某市2018年政府工作任务分解表 序号 名称 工作任务 牵头责任单位

一、经济社会发展主要预期目标分解(3项)

1 地区生产总值增长7%以上,服务业增加值占GDP比重47.1%. 发改委

2 一般公共预算收入增长8%以上. 财政局

二、重点工作任务分解(1项)

1 全社会固定资产投资额550亿元,其中:工业技改投资增长10%. 发改委、经信委
""")
    rows = plan.tasks
    assert [(t.section, t.number) for t in rows] == [
        ("一、经济社会发展主要预期目标分解(3项)", "1"),
        ("一、经济社会发展主要预期目标分解(3项)", "2"),
        ("二、重点工作任务分解(1项)", "1"),
    ]
    assert owners(rows[0]) == [("发改委", "lead", "stated")]
    assert rows[1].title.startswith("一般公共预算收入增长8%以上")
    assert [o.name for o in rows[2].owners] == ["发改委", "经信委"]


# --------------------------------------------------------------------------- owners and years


def test_a_labelled_list_may_name_local_bodies_of_a_kind_of_their_own() -> None:
    tasks = tasks_of(HEAD + "1.地区生产总值增长10%左右。（牵头单位：市发改局；责任单位：市统计局，各乡、镇人民政府，"
                     "人民大垸、荒湖管理区，监利经济开发区）")
    names = [o.name for o in tasks["1"].owners]
    assert names[0] == "市发改局" and "人民大垸" in names and "荒湖管理区" in names


def test_a_label_over_a_sentence_still_names_nobody() -> None:
    tasks = tasks_of(HEAD + "1.加强保护。（责任单位：加强督导检查）")
    assert tasks["1"].owners == []


def test_a_heading_that_names_a_units_share_owns_the_items_under_it() -> None:
    tasks = tasks_of("""某县2025年政府工作报告任务分解
一、县示范区管委会牵头工作(2项)
1.推进园区扩容提质，新建标准化厂房10万平方米。
2.引进重点项目5个以上。""")
    assert owners(tasks["1"]) == [("县示范区管委会", "lead", "stated")]
    assert owners(tasks["2"]) == [("县示范区管委会", "lead", "stated")]


def test_an_undated_notice_dates_its_year_less_deadlines_by_the_documents_it_cites() -> None:
    tasks = tasks_of("""8月18日，市委市政府印发了《关于加快互联网经济发展的意见》（常发〔2015〕24号）。具体要求如下：
1、请各牵头单位制定专项行动计划，并报送至我办。
2、请各有关单位明确联络员各一名，8月28日前反馈至邮箱。""")
    assert tasks["2"].due == date(2015, 8, 28)
