"""The office notice (通报): who is late, written as a document an office circulates.

`tracker overdue --format md|docx [--chart FILE]` turns a :class:`~tracker.asof.lateness.Summary`
into the notice the joint-conference office (联席会议办公室) sends to the responsible units:
a title, the as-of date, a summary paragraph in plain Chinese, a bar chart of overdue tasks
per unit, then one table per unit with late tasks. Everything is read from the summary, so
the notice says exactly what `--format json` says.

Chinese text in a picture needs a font with Chinese glyphs, and fresh machines (CI, a new
office PC with only the Python packages) have none. The PNG chart is therefore drawn with
Pillow and Noto Sans CJK SC from the ``noto-cjk-sans-otc`` package (SIL OFL 1.1), found in
this order: ``TRACKER_CJK_FONT`` (a font file), the packaged font, the system's fonts
(fontconfig). A font is only accepted after checking that it really draws Chinese, because
fontconfig answers every query with *some* font, Chinese or not. The SVG chart names the
fonts and leaves drawing them to the viewer, which has its own.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tracker.asof.lateness import NO_OWNER, Group, Summary, TaskState
from tracker.errors import FileError, TrackerError, UsageError
from tracker.labels import label
from tracker.services.reports import status_label
from tracker.textsafe import printable

if TYPE_CHECKING:
    from PIL.ImageFont import FreeTypeFont

DEFAULT_TITLE = {"zh": "重点工作任务逾期情况通报", "en": "Overdue tasks: progress notice"}
CHART_UNITS = 15  # bars shown; the rest are named in a note under the chart
SVG_FONTS = "'Noto Sans CJK SC', 'Source Han Sans SC', 'Microsoft YaHei', SimHei, sans-serif"
FONT_ENV = "TRACKER_CJK_FONT"
BUNDLED_FONT = ("noto_cjk_sans_otc", "NotoSansCJK-Regular.ttc")
FONT_PROBE = "中文通报逾期单位"  # characters every chart draws; a font must have all of them
NOTDEF_PROBE = "\U0010fffd"  # a private-use code point no font maps: draws the .notdef box

# Word: body in 宋体 (SimSun), headings in 黑体 (SimHei), the faces every Chinese Windows and
# WPS install has; Latin text and digits in Times New Roman, as official documents set them.
BODY_FONT = ("Times New Roman", "宋体")
HEADING_FONT = ("Times New Roman", "黑体")


class ChartFontError(TrackerError):
    """No font that can draw Chinese was found, so a PNG chart cannot be drawn."""

    exit_code = 1


# ---------------------------------------------------------------------------------------
# Words and figures shared by the Markdown, the Word document and the chart
# ---------------------------------------------------------------------------------------


def _zh(lang: str) -> bool:
    return lang != "en"


def date_text(d: date | None, lang: str) -> str:
    """Dates as a Chinese notice writes them (no leading zeros).

    >>> date_text(date(2021, 1, 1), "zh")
    '2021年1月1日'
    >>> date_text(date(2021, 1, 1), "en")
    '2021-01-01'
    """
    if d is None:
        return "—"
    return f"{d.year}年{d.month}月{d.day}日" if _zh(lang) else d.isoformat()


def _subject(by: str, lang: str) -> str:
    """What the groups are: units (the usual case), plans or sections (``--by``)."""
    if _zh(lang):
        return {"plan": "规划", "section": "章节"}.get(by, "单位")
    return {"plan": "plan", "section": "section"}.get(by, "unit")


def _late(g: Group) -> bool:
    return bool(g.overdue or g.review_overdue)


def _roles(items: list[tuple[TaskState, str]]) -> tuple[int, int]:
    lead = sum(1 for _, role in items if role == "lead")
    return lead, len(items) - lead


def _is_unit(g: Group, s: Summary) -> bool:
    """A real unit: not the pseudo-group of tasks nobody owns yet."""
    return s.by != "owner" or g.name != NO_OWNER


def _name(g: Group, lang: str, *, short: bool = False) -> str:
    """A unit's name, marked when it stands for a set of units (各乡镇（街道）); control
    characters escaped (a name stored by an older version could hold them, and neither a
    terminal nor Word's XML may get them raw)."""
    name = printable(g.name)
    if not g.is_group:
        return name
    if _zh(lang):
        return f"{name}（集合）" if short else f"{name}（集合单位）"
    return f"{name} (group)"


def title_text(lang: str, title: str | None = None) -> str:
    return title or DEFAULT_TITLE["zh" if _zh(lang) else "en"]


def as_of_line(s: Summary, lang: str) -> str:
    return f"截至{date_text(s.as_of, lang)}" if _zh(lang) else f"As of {date_text(s.as_of, lang)}"


def _top(groups: list[Group], key: Callable[[Group], int], n: int = 5) -> list[Group]:
    ranked = sorted((g for g in groups if key(g) > 0), key=lambda g: -key(g))  # stable: summary order breaks ties
    return ranked[:n]


def summary_paragraph(s: Summary, lang: str = "zh") -> str:
    """The notice's opening paragraph: how many tasks, how many late, which units most.

    Written as the office would write it, so it can be pasted into a report unchanged.
    """
    units = [g for g in s.groups if _is_unit(g, s)]
    late_units = [g for g in units if _late(g)]
    on_track = len(units) - len(late_units)
    most_overdue = _top(units, lambda g: len(g.overdue))
    most_review = _top(units, lambda g: len(g.review_overdue), 3)
    word = _subject(s.by, lang)
    if not _zh(lang):
        parts = [f"As of {date_text(s.as_of, lang)}, {s.tasks} tasks are tracked"]
        if s.overdue or s.review_overdue:
            parts[0] += (f": {s.overdue} overdue and {s.review_overdue} review-overdue "
                         "(ongoing tasks whose progress report is late).")
        else:
            parts[0] += "; none is overdue."
        if most_overdue:
            parts.append(f"Most overdue tasks: {', '.join(f'{_name(g, lang)} ({len(g.overdue)})' for g in most_overdue)}.")
        if most_review:
            parts.append(f"Most late reports: {', '.join(f'{_name(g, lang)} ({len(g.review_overdue)})' for g in most_review)}.")
        if late_units:
            parts.append(f"{len(late_units)} {word}s have late tasks; the other {on_track} are on track.")
        if s.by == "owner" and late_units:
            parts.append("A task with several owners counts for each of them, lead and support apart.")
        return " ".join(parts)
    parts = [f"截至{date_text(s.as_of, lang)}，共跟踪任务{s.tasks}项，"]
    if s.overdue and s.review_overdue:
        parts[0] += f"其中逾期{s.overdue}项、督办逾期{s.review_overdue}项（持续推进任务未按期报送进展）。"
    elif s.overdue:
        parts[0] += f"其中逾期{s.overdue}项，无督办逾期任务。"
    elif s.review_overdue:
        parts[0] += f"无逾期任务，督办逾期{s.review_overdue}项（持续推进任务未按期报送进展）。"
    else:
        parts[0] += "无逾期任务，各项任务均按期推进。"
    if most_overdue:
        parts.append(f"逾期任务较多的{word}是：{'、'.join(f'{_name(g, lang)}（{len(g.overdue)}项）' for g in most_overdue)}。")
    if most_review:
        parts.append(f"督办逾期较多的{word}是：{'、'.join(f'{_name(g, lang)}（{len(g.review_overdue)}项）' for g in most_review)}。")
    if late_units:
        kinds = "逾期或督办逾期" if s.overdue and s.review_overdue else ("逾期" if s.overdue else "督办逾期")
        rest = f"其余{on_track}个{word}均按期推进。" if on_track else f"所有{word}均有{kinds}任务。"
        parts.append(f"有{kinds}任务的{word}共{len(late_units)}个，{rest}")
    if s.by == "owner" and late_units:
        parts.append("一项任务有多个责任单位的，分别计入各单位，牵头、配合分列。")
    return "".join(parts)


def lights_line(s: Summary, lang: str = "zh") -> str:
    t = s.totals
    if _zh(lang):
        return f"按灯色统计：红灯{t.red}项、黄灯{t.yellow}项、绿灯{t.green}项、灰灯{t.grey}项。"
    return f"By light: red {t.red}, yellow {t.yellow}, green {t.green}, grey {t.grey}."


def roles_line(g: Group, lang: str = "zh") -> str:
    """How a unit's late tasks split between the tasks it leads (牵头) and supports (配合)."""
    lead, support = _roles(g.overdue)
    r_lead, r_support = _roles(g.review_overdue)
    if _zh(lang):
        parts = []
        if g.overdue:
            parts.append(f"牵头{lead}项、配合{support}项逾期")
        if g.review_overdue:
            parts.append(f"督办逾期{len(g.review_overdue)}项（牵头{r_lead}项、配合{r_support}项）")
        return "；".join(parts) + "。"
    parts = []
    if g.overdue:
        parts.append(f"overdue: {lead} as lead, {support} as support")
    if g.review_overdue:
        parts.append(f"review overdue: {r_lead} as lead, {r_support} as support")
    return "; ".join(parts).capitalize() + "."


def unowned_line(lang: str = "zh") -> str:
    if _zh(lang):
        return "以下任务尚未明确责任单位，请尽快明确牵头单位。"
    return "These tasks have no owner yet: a lead unit should be assigned."


def notes(s: Summary, lang: str = "zh") -> list[str]:
    """The definitions a reader needs, printed at the end of the notice."""
    if _zh(lang):
        out = [
            "逾期：任务期限已过，截至统计日仍未完成（未标记为已完成或已取消）。",
            "督办逾期：持续推进任务按督办周期（默认每季度）报送进展，上一周期结束后仍未报送。",
            "红灯为逾期或督办逾期，黄灯为即将到期，绿灯为按期推进，灰灯为已完成、已取消或等待条件触发。",
        ]
        if s.by == "owner":
            out.append("一项任务有多个责任单位的，分别计入各单位；标注“集合单位”的是一类单位（如各乡镇（街道）），由其各成员分别落实。")
        return out
    out = [
        "Overdue: past its due date and not done or cancelled on the as-of date.",
        "Review overdue: an ongoing task whose periodic progress report (quarterly by default) is missing for the last cycle.",
        "Red: overdue or review overdue; yellow: due soon; green: on track; grey: done, cancelled or waiting on a condition.",
    ]
    if s.by == "owner":
        out.append("A task with several owners counts for each; a unit marked (group) stands for a set of units.")
    return out


def _status(t: TaskState, lang: str) -> str:
    text = status_label(t.status, lang)
    return f"{text}（{t.progress}%）" if t.progress and _zh(lang) else (f"{text} ({t.progress}%)" if t.progress else text)


def _task_cell(t: TaskState) -> str:
    return f"{t.title}（{t.ref}）"


def _last_update(t: TaskState, lang: str) -> str:
    if t.last_update is None:
        return "未报送" if _zh(lang) else "none"
    return date_text(t.last_update, lang)


def table_headers(lang: str, *, review: bool, roles: bool) -> list[str]:
    if _zh(lang):
        head = ["序号", "任务", "应报送日期" if review else "期限", "逾期天数", "状态", "最近更新"]
        return head + (["角色"] if roles else [])
    head = ["No.", "Task", "Report due" if review else "Due", "Days late", "Status", "Last update"]
    return head + (["Role"] if roles else [])


def table_rows(items: list[tuple[TaskState, str]], lang: str, *, as_of: date, review: bool, roles: bool) -> list[list[str]]:
    """Rows of a unit's table, in the summary's order (lead first, then the latest first).

    For a review-overdue task the date is the review it missed: ``as_of - days_late``.
    """
    rows = []
    for i, (t, role) in enumerate(items, 1):
        if review:
            due = date_text(as_of - timedelta(days=t.days_late or 0), lang)
        else:
            due = date_text(t.due, lang)
        row = [str(i), _task_cell(t), due, str(t.days_late or 0), _status(t, lang), _last_update(t, lang)]
        if roles:
            row.append(label(f"role.{role}", lang))
        rows.append(row)
    return rows


# ---------------------------------------------------------------------------------------
# Markdown
# ---------------------------------------------------------------------------------------


def md_cell(text: str) -> str:
    r"""A table cell for GitHub-flavoured Markdown: pipes escaped, one line.

    >>> md_cell("A|B\nC")
    'A\\|B C'
    """
    return printable(text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " "))


def _md_table(headers: list[str], rows: list[list[str]]) -> list[str]:
    numeric = {0, 3}
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---:" if i in numeric else "---" for i in range(len(headers))) + "|"]
    lines += ["| " + " | ".join(md_cell(c) for c in row) + " |" for row in rows]
    return lines


def render_markdown(summary: Summary, *, lang: str = "zh", title: str | None = None) -> str:
    """The notice as Markdown, ready to paste into a mail or a wiki (the chart is a file
    of its own: ``--chart``)."""
    s = summary
    zh = _zh(lang)
    word = _subject(s.by, lang)
    roles = s.by == "owner"
    out = [f"# {title_text(lang, title)}", "", as_of_line(s, lang), ""]
    out += [f"## {'一、总体情况' if zh else '1. Overview'}", "", summary_paragraph(s, lang), "", lights_line(s, lang), ""]
    late = [g for g in s.groups if _late(g)]
    out += [f"## {'二、各' + word + '逾期情况' if zh else '2. Late tasks by ' + word}", ""]
    if not late:
        out += ["无逾期任务。" if zh else "No task is late.", ""]
    for g in late:
        own = roles and _is_unit(g, s)  # the unowned tasks have no role to show
        out += [f"### {_name(g, lang)}", ""]
        if roles:
            out += [roles_line(g, lang) if _is_unit(g, s) else unowned_line(lang), ""]
        if g.overdue:
            out += _md_table(table_headers(lang, review=False, roles=own),
                             table_rows(g.overdue, lang, as_of=s.as_of, review=False, roles=own))
            out.append("")
        if g.review_overdue:
            out += ["督办逾期（持续推进任务未按期报送进展）：" if zh else "Review overdue (progress report missing):", ""]
            out += _md_table(table_headers(lang, review=True, roles=own),
                             table_rows(g.review_overdue, lang, as_of=s.as_of, review=True, roles=own))
            out.append("")
    out += [f"## {'三、说明' if zh else '3. Notes'}", ""]
    out += [f"{i}. {n}" for i, n in enumerate(notes(s, lang), 1)]
    return printable("\n".join(out) + "\n", keep_breaks=True)


# ---------------------------------------------------------------------------------------
# Fonts for the PNG chart
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FontChoice:
    """A font file (and face, for a collection such as a .ttc) that draws Chinese."""

    path: Path
    index: int
    source: str  # "env" | "bundled" | "system"

    def load(self, size: int) -> FreeTypeFont:
        from PIL import ImageFont

        return ImageFont.truetype(str(self.path), size, index=self.index)


def _pil() -> None:
    try:
        import PIL  # noqa: F401
    except ImportError as exc:  # pragma: no cover - Pillow is a dependency
        raise ChartFontError("绘制 PNG 图表需要 Pillow，请安装 / the PNG chart needs Pillow: pip install pillow") from exc


def glyph_image(font: FreeTypeFont, text: str) -> Any:
    """``text`` drawn in white on black, in a canvas large enough for it: what the chart
    would show, for checking a font."""
    from PIL import Image, ImageDraw

    size = int(font.size)
    img = Image.new("L", (size * 2 * max(1, len(text)), size * 2), 0)
    ImageDraw.Draw(img).text((size // 2, size // 2), text, font=font, fill=255)
    return img


def draws(font: FreeTypeFont, text: str) -> bool:
    """Whether every character of ``text`` has a real glyph in ``font``: it leaves ink, and
    not the ink of the font's .notdef box (which a font draws for what it lacks)."""
    notdef = glyph_image(font, NOTDEF_PROBE).tobytes()
    for ch in text:
        img = glyph_image(font, ch)
        if img.getbbox() is None or img.tobytes() == notdef:
            return False
    return True


def _faces(path: Path) -> list[tuple[int, str]]:
    """(index, family) of each face of a font file; a .ttc holds several."""
    from PIL import ImageFont

    faces = []
    for i in range(64):
        try:
            family = ImageFont.truetype(str(path), 12, index=i).getname()[0] or ""
        except OSError:
            break
        faces.append((i, family))
    return faces


def _simplified_face(path: Path) -> int:
    """The face of a collection meant for simplified Chinese (Noto's "… SC"), else 0.

    Noto Sans CJK holds JP, KR, SC, TC and HK faces with the same characters but regional
    glyph shapes: a mainland notice uses SC.
    """
    faces = _faces(path)
    for i, family in faces:
        if family.endswith((" SC", " CN", " GB")) or "Hans" in family:
            return i
    return 0


def _bundled_font() -> Path | None:
    """The Noto Sans CJK collection shipped by the ``noto-cjk-sans-otc`` package."""
    import importlib.util
    from importlib.resources import files

    package, name = BUNDLED_FONT
    if importlib.util.find_spec(package) is None:
        return None
    path = Path(str(files(package).joinpath(name)))
    return path if path.is_file() else None


def _system_fonts() -> list[tuple[Path, int]]:
    """Fonts fontconfig says support Chinese, simplified Chinese first (none where no
    fontconfig: Windows and macOS users set TRACKER_CJK_FONT or keep the packaged font)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return []
    out: list[tuple[Path, int]] = []
    for lang in ("zh-cn", "zh"):
        try:
            proc = subprocess.run([fc_list, f":lang={lang}", "-f", "%{file}\t%{index}\n"],
                                  capture_output=True, text=True, timeout=20, check=False)
        except (OSError, subprocess.SubprocessError):
            return out
        for line in sorted(proc.stdout.splitlines()):
            file, _, index = line.partition("\t")
            item = (Path(file), int(index or 0))
            if file and item not in out:
                out.append(item)
    return out


@lru_cache(maxsize=8)
def _checked(path: Path, index: int, source: str) -> FontChoice | None:
    from PIL import ImageFont

    try:
        font = ImageFont.truetype(str(path), 32, index=index)
    except OSError:
        return None
    return FontChoice(path, index, source) if draws(font, FONT_PROBE) else None


def find_cjk_font() -> FontChoice:
    """The font the PNG chart is drawn with: ``TRACKER_CJK_FONT``, then the packaged Noto
    Sans CJK SC, then a system font with Chinese glyphs.

    A font named by ``TRACKER_CJK_FONT`` that is missing or has no Chinese glyphs is an
    error rather than silently replaced: the user asked for that font.
    """
    _pil()
    wanted = os.environ.get(FONT_ENV, "").strip()
    if wanted:
        path = Path(wanted).expanduser()
        if not path.is_file():
            raise ChartFontError(f"{FONT_ENV} 指向的字体文件不存在：{path} / {FONT_ENV}: no such font file {path}")
        choice = _checked(path, _simplified_face(path), "env")
        if choice is None:
            raise ChartFontError(f"{FONT_ENV} 指向的字体不含中文字形：{path} / {FONT_ENV}: font has no Chinese glyphs: {path}")
        return choice
    bundled = _bundled_font()
    if bundled is not None:
        choice = _checked(bundled, _simplified_face(bundled), "bundled")
        if choice is not None:
            return choice
    for path, index in _system_fonts():
        choice = _checked(path, index, "system")
        if choice is not None:
            return choice
    raise ChartFontError(
        "找不到可显示中文的字体，无法绘制 PNG 图表：请安装 noto-cjk-sans-otc、设置 TRACKER_CJK_FONT 为字体文件路径，"
        "或改用 .svg / no font with Chinese glyphs for the PNG chart: install noto-cjk-sans-otc, set TRACKER_CJK_FONT, or use .svg"
    )


# ---------------------------------------------------------------------------------------
# The chart: one layout, drawn as SVG (by hand) or PNG (Pillow)
# ---------------------------------------------------------------------------------------

WIDTH = 720  # CSS px; 156 mm in Word, so 14 px text prints at about 8.5 pt
TITLE_SIZE, TEXT_SIZE, NOTE_SIZE = 20, 14, 12
ROW, BAR = 30, 18
LEAD_COLOUR, SUPPORT_COLOUR, UNOWNED_COLOUR = "#b3261e", "#e8a09a", "#9e9e9e"
INK, MUTED, RULE = "#1a1a1a", "#666666", "#bbbbbb"


def estimate_width(text: str, size: float) -> float:
    """Width of ``text`` in a CJK sans font: Han characters and full-width punctuation are
    one em, the rest a little over half (what the SVG viewer will roughly draw).

    >>> estimate_width("省公安厅", 10)
    40.0
    """
    return sum((size if unicodedata.east_asian_width(ch) in "WF" else size * 0.56 for ch in text), 0.0)


@dataclass(frozen=True)
class ChartBar:
    unit: str
    label: str
    lead: int
    support: int
    y: float
    owned: bool = True  # False for the tasks nobody owns yet: neither lead nor support

    @property
    def total(self) -> int:
        return self.lead + self.support


@dataclass(frozen=True)
class ChartLayout:
    width: int
    height: int
    title: str
    subtitle: str
    legend: list[tuple[str, str]]  # (colour, text)
    legend_y: float
    top: float
    label_right: float
    bar_left: float
    bar_span: float
    scale_max: int
    bars: list[ChartBar]
    empty_text: str | None
    notes: list[tuple[float, str]]


def _fit(text: str, size: float, limit: float, measure: Callable[[str, float], float]) -> str:
    if measure(text, size) <= limit:
        return text
    while text and measure(text + "…", size) > limit:
        text = text[:-1]
    return text + "…"


def chart_layout(s: Summary, lang: str, measure: Callable[[str, float], float] = estimate_width) -> ChartLayout:
    """Where everything goes, in CSS pixels, so the SVG and the PNG show the same chart."""
    zh = _zh(lang)
    word = _subject(s.by, lang)
    ranked = [g for g in s.groups if g.overdue]
    ranked.sort(key=lambda g: -len(g.overdue))  # stable: keeps the summary's order on ties
    shown = ranked[:CHART_UNITS]
    title = f"各{word}逾期任务数" if zh else f"Overdue tasks by {word}"
    subtitle = as_of_line(s, lang)
    if s.overdue:
        subtitle += f"，逾期任务共{s.overdue}项" if zh else f": {s.overdue} overdue tasks"
    legend = []
    if s.by == "owner" and shown:
        legend = [(LEAD_COLOUR, label("role.lead", lang)), (SUPPORT_COLOUR, label("role.support", lang))]
        if any(not _is_unit(g, s) for g in shown):
            legend.append((UNOWNED_COLOUR, "未明确责任单位" if zh else "no owner yet"))
    labels = [_fit(_name(g, lang, short=True), TEXT_SIZE, 300, measure) for g in shown]
    label_w = max([measure(t, TEXT_SIZE) for t in labels] or [0.0])
    margin = 24.0
    label_right = margin + label_w
    bar_left = label_right + 12
    bar_span = WIDTH - margin - 40 - bar_left
    top = 100.0
    bars = []
    for i, (g, text) in enumerate(zip(shown, labels)):
        lead, support = _roles(g.overdue) if s.by == "owner" else (len(g.overdue), 0)
        bars.append(ChartBar(unit=g.name, label=text, lead=lead, support=support, y=top + i * ROW, owned=_is_unit(g, s)))
    y = top + max(len(bars), 1) * ROW + 16
    note_lines: list[str] = []
    if len(ranked) > CHART_UNITS:
        rest = sum(1 for g in ranked[CHART_UNITS:] if _is_unit(g, s))
        note_lines.append(f"另有{rest}个{word}有逾期任务，未在图中列出。" if zh else f"{rest} more {word}s with overdue tasks are not shown.")
    if s.review_overdue:
        note_lines.append(f"督办逾期{s.review_overdue}项未计入本图。" if zh else f"{s.review_overdue} review-overdue tasks are not counted here.")
    if s.by == "owner" and bars:
        note_lines.append("一项任务有多个责任单位的，分别计入各单位。" if zh else "A task with several owners counts for each.")
    notes_at = [(y + i * 20, _fit(n, NOTE_SIZE, WIDTH - 2 * margin, measure)) for i, n in enumerate(note_lines)]
    height = int(y + len(note_lines) * 20 + 8)
    return ChartLayout(
        width=WIDTH, height=height, title=title, subtitle=subtitle, legend=legend, legend_y=82, top=top,
        label_right=label_right, bar_left=bar_left, bar_span=bar_span,
        scale_max=max([b.total for b in bars] or [1]), bars=bars,
        empty_text=None if bars else ("无逾期任务" if zh else "No overdue task"), notes=notes_at,
    )


def _bar_widths(lay: ChartLayout, b: ChartBar) -> tuple[float, float]:
    unit = lay.bar_span / lay.scale_max
    return b.lead * unit, b.support * unit


def _segments(b: ChartBar, lead_w: float, support_w: float) -> list[tuple[str, float, str]]:
    if not b.owned:
        return [("unowned", lead_w + support_w, UNOWNED_COLOUR)]
    return [("lead", lead_w, LEAD_COLOUR), ("support", support_w, SUPPORT_COLOUR)]


def _svg_text(parent: ET.Element, x: float, y: float, content: str, size: int, cls: str, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, "text", {"class": cls, "x": f"{x:.1f}", "y": f"{y:.1f}", "font-size": str(size), **attrs})
    el.text = content
    return el


def render_svg(s: Summary, lang: str = "zh") -> str:
    """The chart as SVG: text stays text (searchable, sharp at any size), drawn by the
    viewer in the first Chinese font it has from :data:`SVG_FONTS`.

    Each unit is a ``<g class="bar">`` holding its label, its lead and support segments
    and its count.
    """
    lay = chart_layout(s, lang)
    zh = _zh(lang)
    svg = ET.Element("svg", {
        "xmlns": "http://www.w3.org/2000/svg", "width": str(lay.width), "height": str(lay.height),
        "viewBox": f"0 0 {lay.width} {lay.height}", "font-family": SVG_FONTS, "role": "img",
        "lang": "zh-CN" if zh else "en",
    })
    ET.SubElement(svg, "title").text = f"{lay.title}（{lay.subtitle}）" if zh else f"{lay.title} ({lay.subtitle})"
    ET.SubElement(svg, "rect", {"width": "100%", "height": "100%", "fill": "#ffffff"})
    _svg_text(svg, 24, 34, lay.title, TITLE_SIZE, "title", fill=INK, **{"font-weight": "bold"})
    _svg_text(svg, 24, 58, lay.subtitle, NOTE_SIZE, "subtitle", fill=MUTED)
    x = 24.0
    for colour, name in lay.legend:
        ET.SubElement(svg, "rect", {"class": "legend", "x": f"{x:.1f}", "y": f"{lay.legend_y - 10:.1f}",
                                    "width": "12", "height": "12", "fill": colour})
        _svg_text(svg, x + 16, lay.legend_y, name, NOTE_SIZE, "legend", fill=INK)
        x += 16 + estimate_width(name, NOTE_SIZE) + 20
    for b in lay.bars:
        g = ET.SubElement(svg, "g", {"class": "bar", "data-unit": b.unit, "data-count": str(b.total)})
        mid = b.y + ROW / 2
        _svg_text(g, lay.label_right, mid, b.label, TEXT_SIZE, "label", fill=INK, dy="0.35em", **{"text-anchor": "end"})
        lead_w, support_w = _bar_widths(lay, b)
        x0 = lay.bar_left
        for cls, w, colour in _segments(b, lead_w, support_w):
            if w > 0:
                ET.SubElement(g, "rect", {"class": cls, "x": f"{x0:.1f}", "y": f"{mid - BAR / 2:.1f}",
                                          "width": f"{w:.1f}", "height": str(BAR), "fill": colour})
                x0 += w
        _svg_text(g, x0 + 6, mid, str(b.total), TEXT_SIZE, "value", fill=INK, dy="0.35em")
    if lay.bars:
        ET.SubElement(svg, "line", {"x1": f"{lay.bar_left:.1f}", "x2": f"{lay.bar_left:.1f}", "y1": f"{lay.bars[0].y:.1f}",
                                    "y2": f"{lay.bars[-1].y + ROW:.1f}", "stroke": RULE})
    if lay.empty_text:
        _svg_text(svg, lay.width / 2, lay.top + ROW / 2, lay.empty_text, TEXT_SIZE, "empty", fill=MUTED, dy="0.35em",
                  **{"text-anchor": "middle"})
    for y, note in lay.notes:
        _svg_text(svg, 24, y, note, NOTE_SIZE, "note", fill=MUTED)
    ET.indent(svg)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(svg, encoding="unicode") + "\n"


class PngFonts:
    """The chart's font at each text size, scaled for the PNG, and text widths measured
    with it (back in CSS pixels) so labels line up exactly."""

    def __init__(self, choice: FontChoice, scale: int) -> None:
        self.choice, self.scale = choice, scale
        self._fonts: dict[int, FreeTypeFont] = {}

    def font(self, size: int) -> FreeTypeFont:
        if size not in self._fonts:
            self._fonts[size] = self.choice.load(size * self.scale)
        return self._fonts[size]

    def measure(self, text: str, size: float) -> float:
        return float(self.font(int(size)).getlength(text)) / self.scale


def render_png(s: Summary, lang: str = "zh", *, scale: int = 2) -> bytes:
    """The chart as PNG, drawn at ``scale`` times the CSS size so it stays sharp in print
    (1440 px across by default: the 156 mm text width of the Word notice at about 235 dpi)."""
    from PIL import Image, ImageDraw

    fonts = PngFonts(find_cjk_font(), scale)
    font, measure = fonts.font, fonts.measure
    lay = chart_layout(s, lang, measure)
    img = Image.new("RGB", (lay.width * scale, lay.height * scale), "#ffffff")
    d = ImageDraw.Draw(img)

    def at(x: float, y: float) -> tuple[float, float]:
        return x * scale, y * scale

    d.text(at(24, 34), lay.title, font=font(TITLE_SIZE), fill=INK, anchor="ls", stroke_width=1 if scale >= 2 else 0, stroke_fill=INK)
    d.text(at(24, 58), lay.subtitle, font=font(NOTE_SIZE), fill=MUTED, anchor="ls")
    x = 24.0
    for colour, name in lay.legend:
        d.rectangle([at(x, lay.legend_y - 10), at(x + 12, lay.legend_y + 2)], fill=colour)
        d.text(at(x + 16, lay.legend_y), name, font=font(NOTE_SIZE), fill=INK, anchor="ls")
        x += 16 + measure(name, NOTE_SIZE) + 20
    for b in lay.bars:
        mid = b.y + ROW / 2
        d.text(at(lay.label_right, mid), b.label, font=font(TEXT_SIZE), fill=INK, anchor="rm")
        lead_w, support_w = _bar_widths(lay, b)
        x0 = lay.bar_left
        for _, w, colour in _segments(b, lead_w, support_w):
            if w > 0:
                d.rectangle([at(x0, mid - BAR / 2), at(x0 + w, mid + BAR / 2)], fill=colour)
                x0 += w
        d.text(at(x0 + 6, mid), str(b.total), font=font(TEXT_SIZE), fill=INK, anchor="lm")
    if lay.bars:
        d.line([at(lay.bar_left, lay.bars[0].y), at(lay.bar_left, lay.bars[-1].y + ROW)], fill=RULE, width=scale)
    if lay.empty_text:
        d.text(at(lay.width / 2, lay.top + ROW / 2), lay.empty_text, font=font(TEXT_SIZE), fill=MUTED, anchor="mm")
    for y, note in lay.notes:
        d.text(at(24, y), note, font=font(NOTE_SIZE), fill=MUTED, anchor="ls")
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=True, dpi=(96 * scale, 96 * scale))
    return buf.getvalue()


def _write_file(path: Path, data: bytes) -> None:
    """Write a notice or chart atomically (tracker.atomic: a reader or a mail client
    attaching the file never sees half a document), with the mode the umask gives; a full
    disk or a folder that cannot be written is one line and exit 1 (a file problem, not a
    usage error)."""
    from tracker.atomic import write_atomic

    try:
        write_atomic(path, data)
    except OSError as exc:
        raise FileError(f"无法写入 {path}：{exc.strerror or exc} / cannot write {path}: {exc.strerror or exc}") from exc


def write_chart(summary: Summary, path: Path, *, lang: str = "zh") -> None:
    """Write the overdue bar chart as PNG or SVG, chosen by the file's suffix."""
    suffix = path.suffix.lower()
    if suffix not in (".png", ".svg"):
        raise UsageError(f"--chart 文件须以 .png 或 .svg 结尾：{path} / --chart FILE must end in .png or .svg")
    data = render_png(summary, lang) if suffix == ".png" else render_svg(summary, lang).encode("utf-8")
    _write_file(path, data)


# ---------------------------------------------------------------------------------------
# Word
# ---------------------------------------------------------------------------------------


def _set_fonts(rpr_parent: Any, latin: str, east_asian: str) -> None:
    """Name the Latin and the East Asian font of a style or run (``w:rFonts``).

    Word picks the font of Chinese text from ``w:eastAsia`` alone; python-docx's
    ``font.name`` sets only the Latin ones, and the template's theme attributes
    (``w:asciiTheme``…) would override both, so they are removed.
    """
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    rpr = rpr_parent.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:cs"), latin)
    fonts.set(qn("w:eastAsia"), east_asian)


def _style(doc: Any, name: str, fonts: tuple[str, str], size: float, *, bold: bool = False,
           before: float = 0, after: float = 6, centre: bool = False) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt, RGBColor

    style = doc.styles[name]
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.italic = False
    style.font.color.rgb = RGBColor(0, 0, 0)
    _set_fonts(style.element, *fonts)
    fmt = style.paragraph_format
    fmt.space_before = Pt(before)
    fmt.space_after = Pt(after)
    if centre:
        fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _setup(doc: Any, lang: str, title: str) -> None:
    """A4, the margins of the national standard for official documents (GB/T 9704: top
    37 mm, bottom 35 mm, left 28 mm, right 26 mm), Chinese fonts and language."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm

    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    _style(doc, "Normal", BODY_FONT, 12, after=6)
    normal = doc.styles["Normal"].element.get_or_add_rPr()
    lang_el = normal.find(qn("w:lang"))
    if lang_el is None:
        lang_el = OxmlElement("w:lang")
        normal.append(lang_el)
    lang_el.set(qn("w:val"), "en-US")
    lang_el.set(qn("w:eastAsia"), "zh-CN")
    _style(doc, "Title", HEADING_FONT, 22, after=12, centre=True)
    title_ppr = doc.styles["Title"].element.get_or_add_pPr()
    for border in title_ppr.findall(qn("w:pBdr")):  # the template underlines titles
        title_ppr.remove(border)
    _style(doc, "Heading 1", HEADING_FONT, 16, before=12, after=6)
    _style(doc, "Heading 2", HEADING_FONT, 14, before=10, after=4)
    doc.core_properties.title = title
    doc.core_properties.language = "zh-CN" if _zh(lang) else "en"
    _page_numbers(section)


def _page_numbers(section: Any) -> None:
    """Centred page numbers in the footer, "— 1 —" as official documents print them."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.add_run("— ")
    run = p.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._r.append(el)
    p.add_run(" —")


def _repeat_header(row: Any) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    trpr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    trpr.append(el)


def _shade(cell: Any, fill: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shd)


COLUMN_MM = (11, 54, 24, 18, 18, 20, 11)  # 156 mm: the text width between the margins
DATE_CELL = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日")
CELL_PADDING_TWIPS = 85  # 1.5 mm each side: four Chinese characters fit an 18 mm column at 10.5 pt


def _cell_padding(table: Any) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:w"), str(CELL_PADDING_TWIPS))
        el.set(qn("w:type"), "dxa")
        margins.append(el)
    table._tbl.tblPr.append(margins)


def _docx_table(doc: Any, headers: list[str], rows: list[list[str]]) -> Any:
    """A bordered table, header row bold, shaded and repeated on every page."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    table = doc.add_table(rows=1, cols=len(headers))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False  # fixed layout: Word and LibreOffice keep the widths below
    _cell_padding(table)
    widths = list(COLUMN_MM[: len(headers)])
    widths[1] += sum(COLUMN_MM) - sum(widths)  # without the role column, the task column takes its room
    for column, width in zip(table.columns, widths):
        column.width = Mm(width)  # the grid, which LibreOffice follows; cells below, which Word follows

    def fill(cell: Any, text: str, *, bold: bool = False, centre: bool = False) -> None:
        p = cell.paragraphs[0]
        p.paragraph_format.space_after = Pt(0)
        p.paragraph_format.first_line_indent = Pt(0)
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER if centre else WD_ALIGN_PARAGRAPH.LEFT
        # A date breaks after the year (2020年 / 12月31日) rather than wherever the column ends.
        lines = text.split("年", 1) if DATE_CELL.fullmatch(text) else [text]
        if len(lines) == 2:
            lines[0] += "年"
        for n, line in enumerate(lines):
            run = p.add_run(line)
            run.font.size = Pt(10.5)
            run.bold = bold
            if bold:
                _set_fonts(run._r, *HEADING_FONT)
            if n < len(lines) - 1:
                run.add_break()

    for i, (cell, head) in enumerate(zip(table.rows[0].cells, headers)):
        fill(cell, head, bold=True, centre=True)
        _shade(cell, "D9D9D9")
        cell.width = Mm(widths[i])
    _repeat_header(table.rows[0])
    for row in rows:
        cells = table.add_row().cells
        for i, (cell, text) in enumerate(zip(cells, row)):
            fill(cell, text, centre=i != 1)
            cell.width = Mm(widths[i])
    return table


def write_docx(summary: Summary, path: Path, *, lang: str = "zh", title: str | None = None) -> None:
    """The notice as a Word document: title, as-of date, summary, the bar chart, then a
    table per unit with late tasks."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    s = summary
    zh = _zh(lang)
    heading = title_text(lang, title)
    word = _subject(s.by, lang)
    roles = s.by == "owner"
    doc = Document()
    _setup(doc, lang, heading)
    doc.add_paragraph(heading, style="Title")
    as_of = doc.add_paragraph(as_of_line(s, lang))
    as_of.alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_heading("一、总体情况" if zh else "1. Overview", level=1)
    body = doc.add_paragraph(summary_paragraph(s, lang))
    lights = doc.add_paragraph(lights_line(s, lang))
    for p in (body, lights):
        p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        if zh:
            p.paragraph_format.first_line_indent = Pt(24)  # two characters, as Chinese paragraphs begin
    if s.overdue:
        picture = doc.add_paragraph()
        picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
        picture.add_run().add_picture(io.BytesIO(render_png(s, lang)), width=Mm(156))
    late = [g for g in s.groups if _late(g)]
    doc.add_heading(f"二、各{word}逾期情况" if zh else f"2. Late tasks by {word}", level=1)
    if not late:
        doc.add_paragraph("无逾期任务。" if zh else "No task is late.")
    for g in late:
        own = roles and _is_unit(g, s)  # the unowned tasks have no role to show
        doc.add_heading(_name(g, lang), level=2)
        if roles:
            doc.add_paragraph(roles_line(g, lang) if _is_unit(g, s) else unowned_line(lang)).paragraph_format.keep_with_next = True
        if g.overdue:
            _docx_table(doc, table_headers(lang, review=False, roles=own),
                        table_rows(g.overdue, lang, as_of=s.as_of, review=False, roles=own))
        if g.review_overdue:
            caption = doc.add_paragraph("督办逾期（持续推进任务未按期报送进展）：" if zh else "Review overdue (progress report missing):")
            caption.paragraph_format.space_before = Pt(6)
            caption.paragraph_format.keep_with_next = True
            _docx_table(doc, table_headers(lang, review=True, roles=own),
                        table_rows(g.review_overdue, lang, as_of=s.as_of, review=True, roles=own))
    doc.add_heading("三、说明" if zh else "3. Notes", level=1)
    for i, n in enumerate(notes(s, lang), 1):
        doc.add_paragraph(f"{i}. {n}")
    buf = io.BytesIO()
    doc.save(buf)
    _write_file(path, buf.getvalue())
