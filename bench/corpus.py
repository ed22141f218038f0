"""A corpus of synthetic plan documents at scale, written in the grammar of the real ones.

The benchmarks need 100,000 and 1,000,000 tasks; the five seeds hold a few hundred. This
generator writes documents that read like the seeds to the extractor, because they are made
of the seeds' own material: the sentences and headlines of their items, their chapter
headings, their units, and the deadline phrases and owner clauses the genre uses, with years
moved into each plan's period. Four shapes, in the proportions offices receive them:

* a **schedule** (推进计划, 35%): chapters 一、…, items ``1.…`` numbered through, each ending
  in ``(2021年6月底前完成)`` / ``(持续推进)`` …; no owners printed (the lexicon infers them);
* a **county work plan** (工作方案, 25%): measures ``（一）…`` under chapters, most ending in
  ``（责任单位：…）`` or ``〔牵头单位：…；配合单位：…〕``, a 工作步骤 chapter with phase windows,
  and a coordinating office (领导小组办公室设在…);
* **opinions** (实施意见, 30%): a scene-setting 总体要求 with 到20XX年 targets, then measures
  ``1.…`` with in-sentence deadlines and ``（X牵头，Y配合）`` clauses;
* a plan with a **task table** appendix (任务分工表, 10%): tab-separated rows of
  序号 / 任务 / 牵头单位 / 配合单位 / 完成时限.

One document in ten is saved in GB18030 and one in thirty in traditional characters (OpenCC
s2t), as offices receive them. Items per plan vary from 50 to 150 (100 on average), so
``--plans 1000`` gives about 100,000 tasks. Output depends only on ``--seed`` and the seeds.

Every plan gets a region of its own (a made-up two-character county or city name, unique in
pinyin, since the slug is made from it), so no two documents are the same plan. The corpus
folder also gets ``owner-lexicon.toml``: the seeds' lexicon, allowed to infer owners in
every region (a provincial office's lexicon covers its own counties).

Usage: .venv/bin/python bench/corpus.py --plans 1000 [--seed 7] [--out DIR]
       (default DIR: bench/.cache/corpus-<plans>-<seed>; reused when complete)
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
CACHE = Path(__file__).resolve().parent / ".cache"
# The simplified-script seeds whose text is clean enough to reuse (Qinghai's copy is damaged).
MATERIAL = (
    "yunnan-2020-ip-protection-opinions.txt",
    "yunnan-2021-ip-power-opinions.txt",
    "yunyang-2022-ip-county-plan.txt",
    "sichuan-2021-ip-14th-five-year-plan.txt",
)
CN_DIGITS = "一二三四五六七八九十"
# Characters for made-up place names: common in real ones, none of 省市县区 (they end a region).
PLACE_CHARS = (
    "安平宁江河山阳城丰泰兴德化昌华和清石林桥新永长东西南北中临川乐源庆福金宝云龙凤武"
    "文德嘉春秋明光荣盛通达水湖泉溪峰岭岩松柏桂兰梅竹沙田汉海洋津渡口关门庄坪坝湾塘"
)
DOC_KINDS = ("schedule", "county", "opinions", "table")
DOC_WEIGHTS = (35, 25, 30, 10)


def cn_number(n: int) -> str:
    """一 … 九十九, 一百零五, 一百一十: how plans number their chapters and measures.

    >>> [cn_number(n) for n in (7, 10, 17, 40, 105, 110, 123)]
    ['七', '十', '十七', '四十', '一百零五', '一百一十', '一百二十三']
    """
    hundreds, rest = divmod(n, 100)
    tens, ones = divmod(rest, 10)
    if hundreds:
        head = CN_DIGITS[hundreds - 1] + "百"
        if not rest:
            return head
        if not tens:
            return head + "零" + CN_DIGITS[ones - 1]
        return head + CN_DIGITS[tens - 1] + "十" + (CN_DIGITS[ones - 1] if ones else "")
    if n < 10:
        return CN_DIGITS[n - 1]
    return ("" if tens == 1 else CN_DIGITS[tens - 1]) + "十" + (CN_DIGITS[ones - 1] if ones else "")


# --------------------------------------------------------------------------- material


@dataclass
class Material:
    """What the seeds are made of, cut into reusable pieces."""

    headlines: list[str] = field(default_factory=list)  # first clause of an item
    sentences: list[str] = field(default_factory=list)  # other sentences of items and paragraphs
    headings: list[str] = field(default_factory=list)  # chapter headings without their number
    targets: list[str] = field(default_factory=list)  # 到2025年，… target sentences
    units: list[str] = field(default_factory=list)  # provincial units (the lexicon's)
    local_units: list[str] = field(default_factory=list)  # county units, without the 县 prefix


_ITEM = re.compile(r"^(?:\d{1,3}[.、．]|[（(][一二三四五六七八九十]+[）)])\s*(.+)$")
_HEADING = re.compile(r"^[一二三四五六七八九十]+、\s*([^。；;，,\t]{4,30})$")
# Scene-setting chapters (背景, 总体要求 …) hold no tasks: not reused as chapters of work.
_CONTEXT = re.compile(r"背景|要求|思想|原则|目标|基础|形势|环境|现状|意义|思路|保障")
_TRAILING_BRACKET = re.compile(r"[（(〔][^（）()〔〕]*[）)〕]\s*[。]?\s*$")
_YEAR = re.compile(r"\d{4}")


def mine(seeds: Path = SEEDS) -> Material:
    """Cut the seeds into headlines, sentences, headings, targets and unit names."""
    m = Material()
    for name in MATERIAL:
        for raw in (seeds / name).read_text(encoding="utf-8").split("\n"):
            line = raw.strip().replace(",", "，").replace(";", "；").replace("(", "（").replace(")", "）")
            if not line:
                continue
            heading = _HEADING.match(line)
            if heading and not _CONTEXT.search(heading.group(1)):
                m.headings.append(heading.group(1))
                continue
            item = _ITEM.match(line)
            body = item.group(1) if item else (line if len(line) >= 60 else "")
            while _TRAILING_BRACKET.search(body):
                body = _TRAILING_BRACKET.sub("", body)
            parts = [s.strip() for s in body.split("。") if s.strip()]
            for k, s in enumerate(parts):
                if "\t" in s or re.search(r"[A-Za-z]", s) or not 6 <= len(s) <= 120:
                    continue
                if s.startswith("到") and _YEAR.search(s):
                    m.targets.append(s)
                elif _YEAR.search(s) or "责任单位" in s:
                    continue
                elif k == 0 and item and len(s) <= 40:
                    m.headlines.append(s)
                else:
                    m.sentences.append(s)
    lexicon = (seeds / "owner-lexicon.toml").read_text(encoding="utf-8")
    m.units = re.findall(r'^\[units\."([^"]+)"\]', lexicon, re.MULTILINE)
    county = (seeds / "yunyang-2022-ip-county-plan.txt").read_text(encoding="utf-8")
    found: set[str] = set()
    for clause in re.findall(r"责任单位：([^）〕]+)[）〕]", county):
        for unit in re.split(r"[、，]", clause):
            if unit.startswith("县") and 3 <= len(unit) <= 10:
                found.add(unit[1:])
    m.local_units = sorted(found | {"公安局", "司法局", "财政局", "商务委", "法院", "检察院", "市场监管局", "文化旅游委"})
    for pool in (m.headlines, m.sentences, m.headings, m.targets):
        pool[:] = sorted(set(pool))
    return m


# --------------------------------------------------------------------------- phrases


def deadline(rng: random.Random, start: int, end: int) -> str:
    """A deadline phrase of the genre, its years inside the plan period."""
    y = rng.randint(start, end)
    month = rng.choice((3, 6, 6, 9, 12, 12, 12))
    r = rng.random()
    if r < 0.30:
        return f"{y}年{month}月底前完成"
    if r < 0.45:
        return "持续推进"
    if r < 0.57:
        return f"{y}年{month}月底前完成并持续推进"
    if r < 0.65:
        return f"{y}年底前"
    if r < 0.71:
        return f"{y}年{'上' if rng.random() < 0.5 else '下'}半年"
    if r < 0.76:
        return f"{y}年第{rng.choice('一二三四')}季度"
    if r < 0.81:
        y2 = min(end, y + rng.randint(0, 2))
        return f"{y}年{rng.randint(1, 6)}月—{y2}年{rng.randint(7, 12)}月"
    if r < 0.85:
        return "长期坚持"
    if r < 0.88:
        return "每季度报送进展情况"
    if r < 0.90:
        return "上位法出台后及时启动修订工作"
    if r < 0.95:
        return f"{y}年{month}月{rng.choice((10, 15, 20, 30 if month != 2 else 28))}日前"
    return f"{y}年{month}月底前出台，{min(end, y + 1)}年底前全面推开"


def unit_list(rng: random.Random, units: list[str], prefix: str, k: int) -> list[str]:
    picked = rng.sample(units, min(k, len(units)))
    return [u if u.startswith("省") else prefix + u for u in picked]


def owner_clause(rng: random.Random, units: list[str], prefix: str) -> str:
    """`（责任单位：…）`, `〔牵头单位：…；配合单位：…〕` or `（X牵头，Y、Z配合）`."""
    names = unit_list(rng, units, prefix, rng.randint(1, 5))
    r = rng.random()
    if r < 0.55 or len(names) == 1:
        if rng.random() < 0.15:
            names.append("各乡镇（街道）" if prefix == "县" else "各区县")
        return f"（责任单位：{'、'.join(names)}）"
    if r < 0.8:
        return f"〔牵头单位：{names[0]}；配合单位：{'、'.join(names[1:])}〕"
    return f"（{names[0]}牵头，{'、'.join(names[1:])}配合）"


def body(rng: random.Random, m: Material, lo: int, hi: int) -> str:
    """A headline and a few sentences: one item's text, without its clauses."""
    parts = [rng.choice(m.headlines)] + [rng.choice(m.sentences) for _ in range(rng.randint(lo, hi))]
    return "。".join(parts) + "。"


# --------------------------------------------------------------------------- documents


@dataclass(frozen=True)
class PlanSpec:
    index: int
    kind: str
    region: str  # 青石县
    start: int
    end: int
    items: int
    encoding: str  # utf-8 | gb18030
    traditional: bool


def document(spec: PlanSpec, m: Material, rng: random.Random) -> str:
    writer = {"schedule": _schedule, "county": _county, "opinions": _opinions, "table": _table}[spec.kind]
    return writer(spec, m, rng)


def _header(spec: PlanSpec, title: str, rng: random.Random, *, notice: bool) -> list[str]:
    issuer = f"{spec.region}人民政府" if rng.random() < 0.7 else f"中共{spec.region}委办公室 {spec.region}人民政府办公室"
    issued = f"{spec.start - (rng.random() < 0.5)}年{rng.randint(1, 12)}月{rng.randint(1, 28)}日"
    lines = [issuer]
    if notice:
        short = spec.region[:1] + ("府发" if rng.random() < 0.5 else "府办发")
        lines += [f"{short}〔{spec.start}〕{rng.randint(1, 60)}号", f"关于印发{title}的通知",
                  f"各乡镇人民政府、街道办事处，{spec.region[-1]}政府有关部门，有关单位：",
                  f"《{title}》已经{spec.region[-1]}政府同意，现印发给你们，请认真贯彻执行。", issuer]
    lines += [issued, "", title]
    return lines


def _chapters(n_items: int, rng: random.Random, m: Material) -> list[tuple[str, int]]:
    """Chapter headings and how many items each holds (5 to 9 chapters)."""
    k = rng.randint(5, 9)
    cuts = sorted(rng.sample(range(1, n_items), k - 1))
    sizes = [b - a for a, b in zip([0, *cuts], [*cuts, n_items])]
    return [(rng.choice(m.headings), size) for size in sizes]


def _schedule(spec: PlanSpec, m: Material, rng: random.Random) -> str:
    title = f"{spec.region}{spec.start}—{spec.end}年{rng.choice(('强化知识产权保护', '知识产权强县建设', '知识产权运用促进'))}重点工作推进计划"
    lines = _header(spec, title, rng, notice=False)
    lines.append(f"为{rng.choice(m.sentences)}，制定本计划。")
    n = 0
    for c, (heading, size) in enumerate(_chapters(spec.items, rng, m), start=1):
        lines += ["", f"{cn_number(c)}、{heading}"]
        for _ in range(size):
            n += 1
            lines.append(f"{n}.{body(rng, m, 0, 1)}({deadline(rng, spec.start, spec.end)})")
    return "\n".join(lines) + "\n"


def _county(spec: PlanSpec, m: Material, rng: random.Random) -> str:
    title = f"{spec.region}知识产权强县建设工作方案（{spec.start}—{spec.end}年）"
    lines = _header(spec, title, rng, notice=True)
    prefix = spec.region[-1]
    lines += ["", f"{cn_number(1)}、总体要求",
              f"（一）指导思想。{rng.choice(m.sentences)}。{rng.choice(m.sentences)}。",
              f"（二）工作目标。{_target(rng, m, spec.end)}。"]
    n, c = 2, 1
    phases = spec.items >= 20
    work = spec.items - 2 - (3 if phases else 0) - 2
    for heading, size in _chapters(max(work, 5), rng, m):
        c += 1
        lines.append(f"{cn_number(c)}、{heading}")
        for _ in range(size):
            n += 1
            clause = owner_clause(rng, m.local_units, prefix) if rng.random() < 0.85 else ""
            when = f"（{deadline(rng, spec.start, spec.end)}）" if rng.random() < 0.3 else ""
            lines.append(f"（{cn_number(n)}）{body(rng, m, 1, 3)}{clause}{when}")
    if phases:
        c += 1
        y1, y2 = spec.start, spec.end
        lines += [f"{cn_number(c)}、工作步骤",
                  f"（{cn_number(n + 1)}）启动阶段（{y1}年{rng.randint(1, 3)}月{rng.randint(10, 28)}日前）。{rng.choice(m.sentences)}。",
                  f"（{cn_number(n + 2)}）建设阶段（{y1}年{rng.randint(4, 6)}月—{y2}年3月）。{rng.choice(m.sentences)}。",
                  f"（{cn_number(n + 3)}）验收阶段（{y2}年4月—7月）。{rng.choice(m.sentences)}。"]
        n += 3
    c += 1
    office = f"{prefix}{rng.choice(('市场监管局', '科技局', '经济信息委'))}"
    lines += [f"{cn_number(c)}、保障措施",
              f"（{cn_number(n + 1)}）加强组织领导。成立工作领导小组，领导小组下设办公室在{office}，负责日常工作。{rng.choice(m.sentences)}。",
              f"（{cn_number(n + 2)}）强化督促检查。领导小组办公室要会同{prefix}政府办公室，定期督查。{rng.choice(m.sentences)}。"]
    return "\n".join(lines) + "\n"


def _target(rng: random.Random, m: Material, year: int) -> str:
    return _YEAR.sub(str(year), rng.choice(m.targets), count=1)


def _opinions(spec: PlanSpec, m: Material, rng: random.Random) -> str:
    title = f"{spec.region}关于{rng.choice(('强化知识产权保护', '加快建设知识产权强市', '推进知识产权高质量发展'))}的实施意见（{spec.start}—{spec.end}年）"
    lines = _header(spec, title, rng, notice=False)
    prefix = spec.region[-1]
    lines += [f"为{rng.choice(m.sentences)}，结合实际，提出如下实施意见。", "一、总体要求",
              f"{rng.choice(m.sentences)}。{rng.choice(m.sentences)}。", f"{_target(rng, m, spec.end)}。",
              "二、重点任务"]
    n = 0
    for s, (heading, size) in enumerate(_chapters(spec.items, rng, m), start=1):
        lines.append(f"（{cn_number(s)}）{heading}")
        for _ in range(size):
            n += 1
            text = body(rng, m, 1, 2)
            r = rng.random()
            if r < 0.35:
                y = rng.randint(spec.start, spec.end)
                text = text[:-1] + f"，{y}年{rng.choice((6, 12))}月底前完成。"
            clause = owner_clause(rng, m.local_units, prefix) if rng.random() < 0.6 else ""
            lines.append(f"{n}.{text}{clause}")
    lines += ["三、组织保障", f"{rng.choice(m.sentences)}。"]
    return "\n".join(lines) + "\n"


def _table(spec: PlanSpec, m: Material, rng: random.Random) -> str:
    title = f"{spec.region}知识产权保护工作方案（{spec.start}—{spec.end}年）"
    lines = _header(spec, title, rng, notice=False)
    prefix = spec.region[-1]
    lines += [f"{cn_number(1)}、总体要求", f"{rng.choice(m.sentences)}。{_target(rng, m, spec.end)}。",
              f"{cn_number(2)}、主要任务"]
    for k in range(1, 6):
        lines.append(f"（{cn_number(k)}）{body(rng, m, 1, 2)}")
    lines += ["", "附件", f"{spec.region}知识产权保护重点任务分工表", "序号\t重点任务\t牵头单位\t配合单位\t完成时限"]
    for k in range(1, spec.items - 4):
        lead, *support = unit_list(rng, m.local_units, prefix, rng.randint(1, 4))
        lines.append(f"{k}\t{body(rng, m, 0, 1)}\t{lead}\t{'、'.join(support)}\t{deadline(rng, spec.start, spec.end)}")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- corpus


def regions(rng: random.Random, count: int) -> list[str]:
    """``count`` made-up place names (青石县, 永安市), unique in pinyin: the slug is made
    from the pinyin, and two plans must never share a slug."""
    from pypinyin import lazy_pinyin

    seen: set[str] = set()
    out: list[str] = []
    while len(out) < count:
        name = "".join(rng.sample(PLACE_CHARS, 2 if rng.random() < 0.8 else 3))
        slug = "".join(lazy_pinyin(name))
        if slug in seen:
            continue
        seen.add(slug)
        out.append(name + ("县" if rng.random() < 0.6 else "市"))
    return out


def specs(plans: int, seed: int) -> list[PlanSpec]:
    rng = random.Random(seed)
    names = regions(rng, plans)
    out = []
    for i in range(plans):
        start = rng.randint(2016, 2026)
        out.append(PlanSpec(
            index=i, kind=rng.choices(DOC_KINDS, DOC_WEIGHTS)[0], region=names[i], start=start,
            end=start + rng.randint(1, 4), items=rng.randint(50, 150),
            encoding="gb18030" if rng.random() < 0.1 else "utf-8", traditional=rng.random() < 1 / 30,
        ))
    return out


def write_corpus(plans: int, seed: int, out: Path) -> Path:
    """Write the corpus into ``out`` (skipped when a complete one is there); returns ``out``."""
    manifest = out / "corpus.json"
    if manifest.is_file() and json.loads(manifest.read_text()).get("plans") == plans:
        return out
    out.mkdir(parents=True, exist_ok=True)
    material = mine()
    convert = None
    for spec in specs(plans, seed):
        rng = random.Random(f"{seed}/{spec.index}")
        text = document(spec, material, rng)
        if spec.traditional:
            if convert is None:
                import opencc

                convert = opencc.OpenCC("s2t").convert
            text = convert(text)
        (out / f"{spec.index:05d}-{spec.kind}.txt").write_bytes(text.encode(spec.encoding))
    lexicon = (SEEDS / "owner-lexicon.toml").read_text(encoding="utf-8")
    (out / "owner-lexicon.toml").write_text(
        re.sub(r"^regions = .*$", "regions = []  # the corpus: every region", lexicon, count=1, flags=re.MULTILINE),
        encoding="utf-8",
    )
    manifest.write_text(json.dumps({"plans": plans, "seed": seed}))
    return out


def default_dir(plans: int, seed: int) -> Path:
    return CACHE / f"corpus-{plans}-{seed}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--plans", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    out = write_corpus(args.plans, args.seed, args.out or default_dir(args.plans, args.seed))
    files = sorted(out.glob("*.txt"))
    size = sum(f.stat().st_size for f in files)
    print(f"{len(files)} documents, {size / 1e6:.1f} MB in {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
