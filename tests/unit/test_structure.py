"""The outline grammar on small documents written for each rule, then on the seeds."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tracker.extract.structure import is_prose, parse_lines

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def parse(text: str):  # type: ignore[no-untyped-def]
    return parse_lines(text.strip("\n").split("\n"))


def test_headings_and_items_nest_by_style_stack() -> None:
    doc = parse("""
某某县知识产权工作方案（2023—2024年）
一、总体要求
（一）指导思想。坚持创新引领。
二、重点任务
（二）加强保护。开展专项行动。（责任单位：县市场监管局）
1.细化措施。制定办法。
2.加强培训。举办培训班。
三、保障措施
（三）加强领导。成立领导小组。
""")
    [plan] = doc.plans
    assert plan.title == "某某县知识产权工作方案（2023—2024年）"
    assert plan.period == (2023, 2024)
    numbers = [(i.number, i.section) for i in plan.items]
    # 1. and 2. carry nothing of their own under an item that states its owner: they are its
    # sub-items, part of its text (issue 11: sub-items nested under an item are part of it).
    assert numbers == [
        ("（一）", ["一、总体要求"]),
        ("（二）", ["二、重点任务"]),
        ("（三）", ["三、保障措施"]),
    ]
    assert "1.细化措施" in plan.items[1].text and "2.加强培训" in plan.items[1].text
    assert plan.items[1].line_end == plan.items[1].line_start + 2


def test_run_in_heading_over_items_that_carry_the_owners() -> None:
    doc = parse("""
某市人才工作实施意见
一、实施行动计划
（一）产业人才行动计划。围绕主导产业，实施如下重点项目：
1.紧缺人才项目。引进人才。（牵头单位：市发展改革委，配合单位：市委组织部）
2.企业家项目。培养企业家。（牵头单位：市委组织部）
（二）科技人才行动计划。实施如下项目：
3.学者项目。设立岗位。（牵头单位：市委组织部）
""")
    items = doc.plans[0].items
    assert [(i.number, i.section) for i in items] == [
        ("1", ["一、实施行动计划", "（一）产业人才行动计划"]),
        ("2", ["一、实施行动计划", "（一）产业人才行动计划"]),
        ("3", ["一、实施行动计划", "（二）科技人才行动计划"]),
    ]


def test_principles_under_their_heading_are_not_items_but_a_principles_item_is_one() -> None:
    doc = parse("""
某省综合保税区发展意见
二、基本原则
（一）坚持深化改革，简政放权。进一步健全综合监管体系。
（二）坚持对标国际，开放引领。对标国际先进水平。
三、总体要求
（一）指导思想。
以新思想为指导，推动高质量发展。
（二）工作原则。
1.问题导向。针对突出问题。
2.开放融合。坚持创新驱动。
四、主要任务
1.拓展市场。推广试点。（税务总局、财政部负责）
""")
    items = doc.plans[0].items
    assert [i.number for i in items] == ["（一）", "（二）", "1"]
    assert items[0].section == ["三、总体要求"]
    assert "以新思想为指导" in items[0].text
    assert "1.问题导向" in items[1].text and "2.开放融合" in items[1].text


def test_heading_with_its_text_on_the_next_line_is_one_item_where_the_style_numbers_items() -> None:
    doc = parse("""
某区重点工作方案
一、重点任务
1.加强组织领导
各街道要成立工作专班。（责任单位：区发改局）
2.强化督查考核
区政府督查室每季度开展督查。
3.优化营商环境。推进改革。
""")
    items = doc.plans[0].items
    assert [(i.number, i.text.split("\n")[0]) for i in items] == [
        ("1", "加强组织领导"), ("2", "强化督查考核"), ("3", "优化营商环境。推进改革。"),
    ]
    assert "成立工作专班" in items[0].text


def test_prose_after_an_item_closed_by_its_annotation_and_closing_paragraphs_belong_to_no_item() -> None:
    doc = parse("""
国务院关于某项工作的意见
一、对深化改革成效显著的地区给予支持。（发展改革委负责）
这一段是对本部分的总体说明，不属于上一项。
二、对优化营商环境成效明显的地区给予奖励。
各有关部门要于2018年12月31日前报送实施办法。
国务院
2018年12月6日
""")
    items = doc.plans[0].items
    assert [i.number for i in items] == ["一", "二"]
    assert "总体说明" not in items[0].text
    assert "报送实施办法" not in items[1].text


def test_numbering_that_restarts_in_each_section_keeps_sections_apart() -> None:
    doc = parse("""
某市推进计划
一、第一部分
1、任务甲。内容。
2、任务乙。内容。
二、第二部分
1、任务丙。内容。
""")
    items = doc.plans[0].items
    assert [(i.value, i.section[-1]) for i in items] == [(1, "一、第一部分"), (2, "一、第一部分"), (1, "二、第二部分")]


def test_heading_that_lost_its_number_is_restored_between_siblings() -> None:
    doc = parse("""
某县工作方案（2022—2025年）
三、第三章
（一）甲。内容内容内容。
强化创造，激发活力
（二）乙。内容内容内容。
五、第五章
（三）丙。内容内容内容。
""")
    plan = doc.plans[0]
    assert plan.items[1].section == ["四、强化创造，激发活力"]
    assert plan.repairs and "四、" in plan.repairs[0]


def test_appendix_is_a_plan_of_its_own_and_footer_is_dropped() -> None:
    doc = parse("""
某省人民政府办公厅
关于加强某项工作的实施意见
一、重点工作
1.措施一。内容内容内容。
附件
某省2021-2022年重点工作推进计划
一、第一类
1.任务一。(2021年6月底前完成)
2.任务二。(持续推进)
(2021年5月1日,某某日报)
主办单位:某省人民政府办公厅
网站地图  |  关于我们
""")
    main, appendix = doc.plans
    assert main.title == "关于加强某项工作的实施意见"
    assert [i.number for i in main.items] == ["1"]
    assert appendix.is_appendix and appendix.title == "某省2021-2022年重点工作推进计划"
    assert appendix.period == (2021, 2022)
    assert [i.text for i in appendix.items] == ["任务一。(2021年6月底前完成)", "任务二。(持续推进)"]
    assert appendix.items[-1].line_end == appendix.items[-1].line_start


def test_prose_continuation_joins_the_open_item_with_its_lines() -> None:
    doc = parse("""
某县工作方案
一、保障
（一）加强领导。成立领导小组。
领导小组组长由县长担任，办公室设在县市场监管局。
（二）加强督查。定期检查。
""")
    first = doc.plans[0].items[0]
    assert first.text.endswith("办公室设在县市场监管局。")
    assert (first.line_start, first.line_end) == (3, 4)
    assert doc.coordinating_office == {"领导小组办公室": "县市场监管局"}


def test_full_width_and_half_width_numbering_are_the_same_grammar() -> None:
    doc = parse("""
某计划
一、甲类
(一)乙类
１．任务一。内容。
(二)丙类
2.任务二。内容。
""")
    items = doc.plans[0].items
    assert [(i.value, i.section) for i in items] == [(1, ["一、甲类", "(一)乙类"]), (2, ["一、甲类", "(二)丙类"])]


@pytest.mark.parametrize(
    "text,expected",
    [("加强组织领导。成立领导小组。", True), ("(2020年10月19日,云南日报)", False), ("主办单位:云南省人民政府办公厅。", False)],
)
def test_is_prose(text: str, expected: bool) -> None:
    assert is_prose(text) is expected


def _seed(name: str):  # type: ignore[no-untyped-def]
    return parse_lines((SEEDS / name).read_text(encoding="utf-8").split("\n"))


def test_yunnan_schedule_has_94_items_in_8_sections() -> None:
    doc = _seed("yunnan-2020-ip-protection-opinions.txt")
    opinions, schedule = doc.plans
    assert len(opinions.items) == 21
    assert [i.value for i in schedule.items] == list(range(1, 95))
    sections = sorted({i.section[0] for i in schedule.items}, key=lambda s: "一二三四五六七八".index(s[0]))
    assert [s[0] for s in sections] == list("一二三四五六七八")
    by_number = {i.value: i for i in schedule.items}
    assert by_number[50].section == ["四、优化知识产权快保护关键环节"]
    assert by_number[94].line_start == 284
    assert "网站" not in by_number[94].text


def test_yunyang_has_22_paragraphs_and_restores_chapter_four() -> None:
    doc = _seed("yunyang-2022-ip-county-plan.txt")
    [plan] = doc.plans
    assert [i.value for i in plan.items] == list(range(1, 23))
    by_number = {i.value: i for i in plan.items}
    assert by_number[8].section == ["四、强化知识产权高质量创造，激发创新活力"]
    assert by_number[20].line_end == 45  # the members paragraph continues （二十）
    assert plan.issued_on is not None and plan.issued_on.isoformat() == "2022-10-27"
    assert plan.issuer == "云阳县人民政府"


def test_item_number_before_a_title_that_opens_with_digits() -> None:
    doc = parse("""
某市人才集聚工程实施意见
一、重点项目
10.学者项目。设立岗位。
11.121人才梯队项目。重点培养人才。
12.博士后项目。培养博士后。
""")
    assert [(i.value, i.text[:6]) for i in doc.plans[0].items] == [(10, "学者项目。设"), (11, "121人才梯"), (12, "博士后项目。")]


def test_table_with_heading_rows_and_a_named_task_column() -> None:
    doc = parse("""
某省改革举措推广清单
序号
改革举措
主 要 内 容
指导部门
推广范围
一、知识产权保护方面（共2项）
1
案件“三合一”审判
整合分散的审判资源。
省法院、省检察院
全省
2
专利保险机制
开发专利保险产品。
省知识产权局
全省
二、管理体制创新方面（共1项）
5
地方立法容错机制
通过制定地方性法规。
省司法厅
全省
""")
    items = doc.plans[0].items
    assert [(i.value, i.section) for i in items] == [
        (1, ["一、知识产权保护方面（共2项）"]), (2, ["一、知识产权保护方面（共2项）"]), (5, ["二、管理体制创新方面（共1项）"]),
    ]
    assert items[0].text.startswith("案件“三合一”审判。整合分散的审判资源。")
    assert "责任单位：省法院、省检察院" in items[0].text


def test_transmittal_notice_numbers_summaries_not_tasks() -> None:
    doc = parse("""
某省人民政府办公厅关于推广第二批
改革举措的通知
一、推广的改革举措
（一）保护方面2项：案件审判；专利保险。
二、认真抓好组织实施
各地要加强组织领导。
附件
改革举措推广清单
序号
改革举措
指导部门
1
案件审判
省法院
2
专利保险
省知识产权局
""")
    main, appendix = doc.plans
    assert main.title == "某省人民政府办公厅关于推广第二批改革举措的通知"
    assert main.items == []
    assert [i.value for i in appendix.items] == [1, 2]


def test_fields_on_lines_of_their_own_after_a_heading_and_its_text() -> None:
    doc = parse("""
某县工作方案
一、重点任务
1.加强组织领导
各乡镇要成立工作专班，明确专人负责。
（2023年6月底前完成）
(责任单位：县教育局、县财政局)
2.强化督查考核。每季度开展督查。
""")
    first = doc.plans[0].items[0]
    assert first.text.endswith("(责任单位：县教育局、县财政局)")
    assert "（2023年6月底前完成）" in first.text
    assert first.line_end == first.line_start + 3


def test_a_notice_s_list_of_attachments_is_no_plan_and_no_task() -> None:
    doc = parse("""
某县人民政府办公室关于召开征求意见会的通知
一、会议时间另行通知。请各单位提出修改意见（2020年11月5日前）。
附件：1.参会单位名单
2.《健康行动实施方案》
某县人民政府办公室
2020年10月21日
附件1
参会单位名单
县委宣传部、县发改委
附件2
健康行动实施方案
一、主要任务
1.开展健康知识普及行动。（责任单位：县卫健委）
""")
    titles = [(p.title, [i.number for i in p.items]) for p in doc.plans if p.items]
    assert titles == [("某县人民政府办公室关于召开征求意见会的通知", ["一"]), ("健康行动实施方案", ["1"])]


def test_tables_in_the_shapes_text_copies_keep() -> None:
    spaced = parse("""
某部门量化指标任务分工
序号 工 作 任 务 牵头负责部门
1 居民消费价格涨幅3%左右 发展改革委
2 安排财政赤字2.18万亿元,赤字率提高到3% 财政部
""")
    items = spaced.plans[0].items
    assert [(i.value, i.text) for i in items] == [
        (1, "居民消费价格涨幅3%左右。（牵头单位：发展改革委）"),
        (2, "安排财政赤字2.18万亿元,赤字率提高到3%。（牵头单位：财政部）"),
    ]
    barred = parse("""
某县重点工作任务分解表
序号 |
目标与任务 |
分 管 县领导 |
牵头责任单位 |
80 |
新增托位数400个以上。 |
张三 |
县教育局 |
81 |
支持职业学校发展。 |
李四 |
县人社局 |
""")
    rows = barred.plans[0].items
    assert [(i.value, i.text.split("。")[0]) for i in rows] == [(80, "新增托位数400个以上"), (81, "支持职业学校发展")]
    assert "牵头单位：县教育局" in rows[0].text and "分管县领导：张三" in rows[0].text


def test_a_target_table_with_an_owner_column_lists_tasks() -> None:
    doc = parse("""
某区经济社会发展预期目标任务分解表
序号
2022年预期目标
责任单位
1
地区生产总值增长5.5%左右
区发展改革委
2
工业增加值增长7%左右
区经济信息委
""")
    assert [(i.value, "区发展改革委" in i.text) for i in doc.plans[0].items] == [(1, True), (2, False)]


def test_owners_printed_after_the_last_sub_item_are_the_parent_s() -> None:
    doc = parse("""
某市应急体系建设规划责任分解
（一）一案三制建设
1.完善应急预案体系
（1）加强应急预案管理。
（2）加强应急预案演练。
（责任单位：市直各有关单位、各开发区管委会）
2.健全应急管理体制
（1）理顺管理体制。（责任单位：市应急局）
（2）加强队伍建设。（责任单位：市人社局）
""")
    items = doc.plans[0].items
    assert [i.number for i in items] == ["1", "（1）", "（2）"]
    assert "（2）加强应急预案演练" in items[0].text and items[0].text.endswith("各开发区管委会）")


def test_numbered_context_items_stay_when_the_plan_has_no_prose_paragraphs() -> None:
    doc = parse("""
某市工程建设项目审批制度改革实施方案
一、总体要求
（一）指导思想。以新思想为指导。
（二）主要目标。到2019年6月底，基本实现全流程审批。
""")
    assert [i.number for i in doc.plans[0].items] == ["（一）", "（二）"]


def test_numbering_with_a_small_full_stop() -> None:
    doc = parse("""
某省重点工作及责任分解
一、确保完成全年主要预期目标
1﹒全省生产总值增长7%以上。
2﹒固定资产投资增长10%以上。
""")
    assert [(i.number, i.value) for i in doc.plans[0].items] == [("1", 1), ("2", 2)]


def test_page_metadata_dates_the_document() -> None:
    doc = parse_lines(["关于民生实事项目的通知", "一、工作任务", "（一）抓好任务分解。各单位要在2月29日前完成。"],
                      date_hint=date(2024, 2, 4))
    assert doc.plans[0].issued_on == date(2024, 2, 4)


def test_a_notice_s_numbered_requirements_are_items_beside_its_table() -> None:
    doc = parse("""
国务院办公厅关于印发2016年《政府工作报告》量化指标任务分工的通知
一、各有关部门要高度重视量化指标任务，抓紧研究制定工作方案。
二、国办将加强跟踪督办，定期梳理汇总落实情况。
国务院办公厅
2016年4月6日
2016年《政府工作报告》量化指标任务分工
序号 工 作 任 务 牵头负责部门
1 居民消费价格涨幅3%左右 发展改革委
""")
    plan = doc.plans[0]
    assert plan.title == "2016年《政府工作报告》量化指标任务分工"
    assert [(i.number, i.section) for i in plan.items] == [("一", []), ("二", []), ("1", [])]


def test_paragraphs_a_page_ran_together_into_one_line() -> None:
    line = ("某市就业创业工作的意见 为做好就业工作，现提出以下意见： 一、深入实施就业优先战略 "
            "1.坚持就业优先发展战略。把稳定和扩大就业作为经济社会发展的优先目标，" + "加强统筹协调，" * 40 +
            "形成工作合力。（市发展改革委牵头，市财政局参加） 2.发挥小微企业作用。支持小微企业吸纳就业。")
    items = parse_lines(["某市人民政府关于做好就业创业工作的意见", line]).plans[0].items
    assert [(i.number, i.section) for i in items] == [("1", ["一、深入实施就业优先战略"]), ("2", ["一、深入实施就业优先战略"])]


def test_a_notice_made_of_headings_over_one_paragraph_each_numbers_its_items() -> None:
    doc = parse("""
关于做好2018年政府工作报告主要目标任务的通知
一、落实责任，确保质量
各责任单位要严格遵循原则，把目标任务细化分解，确保按时完成。
二、密切配合，各负其责
牵头责任单位要切实担负起第一责任人的责任，积极组织实施。
""")
    items = doc.plans[0].items
    assert [(i.number, i.text.split("\n")[0]) for i in items] == [("一", "落实责任，确保质量"), ("二", "密切配合，各负其责")]


def test_a_ledger_s_rows_on_lines_with_bars_keep_their_second_lines_and_drop_progress() -> None:
    doc = parse("""
2023年度民生实事工作任务一季度进展情况
序号 | 工作任务 | 责任单位 | 一季度目标 | 进展情况 |
1 | 新改扩建公办中小学校1所 | 教体局 | 室内安装 | 完成80% |
新增学位810个 | |||||
2 | 完成结对帮扶学校2所 | 教体局 | 互派人员到位 | 已完成 |
""")
    items = doc.plans[0].items
    assert [i.value for i in items] == [1, 2]
    assert "完成80%" not in items[0].text and "责任单位：教体局" in items[0].text


def test_a_title_sentence_with_nothing_under_it_among_run_in_headings_is_no_item() -> None:
    doc = parse("""
某市关于做好就业创业工作的实施意见
三、政策措施
（一）弘扬就业创业精神。
（二）激活就业创业主体。
7.鼓励其他人员投身创业。鼓励失业人员自主创业。（市人社局牵头，市财政局配合）
（三）拓展就业创业空间。
1.发展吸纳就业能力强的产业。加快发展服务业。（市发改委牵头）
""")
    assert [i.number for i in doc.plans[0].items] == ["7", "1"]


def test_page_chrome_above_the_title_and_items_glued_to_years() -> None:
    doc = parse("""
日期: 2020-09-28浏览量:127来源:政府办
某县政务公开工作要点
一、主要任务
1.落实标准指引，2020年11月底前编制目录。
2.2021年底前建立全县统一的公开事项目录。
二、进度安排
1.2020年9月底前制定工作方案
2.2020年11月底前编制完成基层目录
三、工作要求
1. 加强组织领导
2. 抓好队伍建设
""")
    plan = doc.plans[0]
    assert plan.title == "某县政务公开工作要点"
    assert [(i.number, i.section[-1][:2]) for i in plan.items] == [
        ("1", "一、"), ("2", "一、"), ("1", "二、"), ("2", "二、"), ("1", "三、"), ("2", "三、"),
    ]


def test_a_table_scored_by_one_department_and_owned_by_another() -> None:
    doc = parse("""
某县乡村振兴任务清单
考核项目
序号
考核内容
单位
年度目标
责任部门
评分部门
农业高质高效
1
农林牧渔业增加值增幅
%
≥2%
县海洋与渔业局
县农业农村局
市农业农村局
农业绿色发展
2
粮食安全责任制
—
完成
县经济和信息化局
市商务局
""")
    items = doc.plans[0].items
    assert "责任单位：县海洋与渔业局、县农业农村局" in items[0].text
    assert "评分部门：市农业农村局" in items[0].text
    assert "责任单位：县经济和信息化局" in items[1].text
    # a grouping column's merged cell, printed once before its rows, is their section
    assert [i.section for i in items] == [["农业高质高效"], ["农业绿色发展"]]


def test_a_list_of_headings_over_headline_paragraphs_without_chapters_numbers_its_items() -> None:
    doc = parse("""
关于实施人才发展新政策的意见
一、实施更具吸引力的人才引进培养政策
（一）大力引育海洋创新人才
加大海洋创新人才引进力度。依托高校大力引进一批人才。
制定实施高层次人才特殊支持计划。分层次给予培养经费支持。
（二）加快集聚海洋产业人才
实施海洋产业人才集聚工程。支持企业引进急需人才。
""")
    assert [i.number for i in doc.plans[0].items] == ["（一）", "（二）"]


def test_a_table_whose_rows_are_numbered_after_their_group_cell() -> None:
    doc = parse("""
某局政务公开重点任务清单
工作任务
|
具体要求
|
责任科室
|
时限要求
|
强化规范性文件公开
|
1
|
对行政规范性文件进行全面清理
|
办公室
|
年底前
|
深化政策解读
|
2
|
积极做好政策解读工作
|
法规科
|
持续推进
|
""")
    items = doc.plans[0].items
    assert [(i.value, i.section) for i in items] == [(1, ["强化规范性文件公开"]), (2, ["深化政策解读"])]
    assert "责任单位：办公室" in items[0].text and "（持续推进）" in items[1].text
