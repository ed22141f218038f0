"""1,000 malformed documents, generated deterministically from the seeds.

Each generator takes a seeded ``random.Random`` and returns ``(suffix, bytes)``; the mix is
what arrives in an office's inbox when things go wrong: files cut short by a failed
download, lines scrambled by a bad copy-paste, random bytes, one enormous line, encodings
mixed in one file, empty files, NUL bytes, item numbers without items, broken Word files,
broken web pages. Same seed, same files: a failure names a file that can be regenerated.
"""

from __future__ import annotations

import codecs
import io
import random
import zipfile
from collections.abc import Callable
from pathlib import Path

from tests.conftest import SEEDS

Generator = Callable[[random.Random, list[bytes]], tuple[str, bytes]]
HUGE_LINE = 1_000_000  # characters in the "one enormous line" documents

NUMBERS = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二"]


def seed_texts() -> list[bytes]:
    """The seed documents' bytes, smallest first (the largest is used sparingly: speed)."""
    return sorted((p.read_bytes() for p in SEEDS.glob("*.txt")), key=len)


def _seed(rng: random.Random, seeds: list[bytes]) -> bytes:
    return rng.choice(seeds[:-1]) if rng.random() < 0.9 else seeds[-1]


def truncated(rng: random.Random, seeds: list[bytes]) -> tuple[str, bytes]:
    """Cut at any byte, often inside a three-byte UTF-8 character."""
    data = _seed(rng, seeds)
    return ".txt", data[: rng.randrange(len(data))]


def shuffled_lines(rng: random.Random, seeds: list[bytes]) -> tuple[str, bytes]:
    lines = _seed(rng, seeds).split(b"\n")
    rng.shuffle(lines)
    return ".txt", b"\n".join(lines)


def dropped_and_doubled_lines(rng: random.Random, seeds: list[bytes]) -> tuple[str, bytes]:
    out = []
    for line in _seed(rng, seeds).split(b"\n"):
        r = rng.random()
        if r < 0.2:
            continue
        out.extend([line, line] if r > 0.85 else [line])
    return ".txt", b"\n".join(out)


def random_bytes(rng: random.Random, seeds: list[bytes]) -> tuple[str, bytes]:
    return rng.choice([".txt", ".txt", ".html", ".docx"]), rng.randbytes(rng.randrange(1, 8192))


HUGE_UNITS = ["a", "知识产权保护", "省市场监管局、", "2025年底前完成"]


def huge_line(rng: random.Random, seeds: list[bytes]) -> tuple[str, bytes]:
    """A 1 MB line: on its own, after an item number, or in the middle of a real plan.

    (A 1 MB line of nothing but item numbers, ``（一）（一）…``, takes ~15 s to extract: not
    a crash, but slow; it is fuzzed at 100 KB in ``numbering_only`` to keep this test fast.)
    """
    unit = rng.choice(HUGE_UNITS)
    line = (unit * (HUGE_LINE // len(unit) + 1))[:HUGE_LINE]
    kind = rng.randrange(3)
    if kind == 0:
        return ".txt", line.encode()
    if kind == 1:
        return ".txt", f"关于某某县实施方案（2022—2025年）\n一、任务\n（一）{line}\n".encode()
    lines = seeds[0].split(b"\n")
    lines.insert(rng.randrange(len(lines)), line.encode())
    return ".txt", b"\n".join(lines)


def mixed_encodings(rng: random.Random, seeds: list[bytes]) -> tuple[str, bytes]:
    """Lines alternately in UTF-8, GB18030 and Big5 (as when files are pasted together)."""
    text = _seed(rng, seeds).decode("utf-8")
    out = []
    for line in text.split("\n"):
        codec = rng.choice(["utf-8", "gb18030", "big5"])
        out.append(line.encode(codec, errors="replace"))
    return ".txt", b"\n".join(out)


def wrong_codec(rng: random.Random, seeds: list[bytes]) -> tuple[str, bytes]:
    """The whole file in an encoding the reader may not expect (UTF-16 without BOM, EUC, …)."""
    text = _seed(rng, seeds).decode("utf-8")
    codec = rng.choice(["utf-16-le", "utf-16-be", "utf-32", "euc-jp", "shift_jis", "gb18030", "big5", "cp1252"])
    data = text.encode(codec, errors="replace")
    if rng.random() < 0.3 and codec.startswith("utf-16"):
        data = (codecs.BOM_UTF16_LE if codec.endswith("le") else codecs.BOM_UTF16_BE) + data
    return ".txt", data


def emptyish(rng: random.Random, seeds: list[bytes]) -> tuple[str, bytes]:
    return rng.choice([".txt", ".html", ".docx"]), rng.choice(
        [b"", b" ", b"\n\n\n", codecs.BOM_UTF8, codecs.BOM_UTF16_LE, b"\r\n" * 50, "\u3000\n".encode() * 20, b"\x00"]
    )


def with_nuls(rng: random.Random, seeds: list[bytes]) -> tuple[str, bytes]:
    data = bytearray(_seed(rng, seeds))
    for _ in range(rng.randrange(1, 50)):
        pos = rng.randrange(len(data))
        data[pos:pos] = b"\x00" * rng.randrange(1, 5)
    return ".txt", bytes(data)


def numbering_only(rng: random.Random, seeds: list[bytes]) -> tuple[str, bytes]:
    """Item numbers, headings and deadline phrases with nothing between them."""
    lines = ["关于某某县知识产权工作的实施方案（2022—2025年）"]
    if rng.random() < 0.1:  # one long line of item numbers (100 KB)
        lines.append("（一）" * 33_000)
    for _ in range(rng.randrange(1, 400)):
        lines.append(rng.choice([
            f"（{rng.choice(NUMBERS)}）", f"{rng.choice(NUMBERS)}、", f"{rng.randrange(1, 99)}.", "（责任单位：）",
            "（2025年底前完成）", "持续推进", "附件", "附件1", f"{'1.' * rng.randrange(1, 30)}", "（）", "、", "——",
        ]))
    return ".txt", "\n".join(lines).encode()


def _zip(entries: dict[str, bytes | str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, content in entries.items():
            z.writestr(name, content)
    return buf.getvalue()


def broken_docx(rng: random.Random, seeds: list[bytes]) -> tuple[str, bytes]:
    """A zip that is not a Word file, or a Word-like zip cut short."""
    if rng.random() < 0.5:
        return ".docx", _zip({"hello.txt": "not a word file"})
    data = _zip({"[Content_Types].xml": "<Types/>", "word/document.xml": _seed(rng, seeds)[:2000]})
    return ".docx", data[: rng.randrange(1, len(data))]


def malformed_xml_docx(rng: random.Random, seeds: list[bytes]) -> tuple[str, bytes]:
    """A complete zip whose XML parts are not XML (a damaged or hand-made Word file)."""
    if rng.random() < 0.5:
        return ".docx", _zip({"[Content_Types].xml": "<Types", "word/document.xml": "<w:document><w:body><w:p>"})
    return ".docx", _zip({"[Content_Types].xml": rng.randbytes(200), "word/document.xml": _seed(rng, seeds)[:2000]})


def broken_html(rng: random.Random, seeds: list[bytes]) -> tuple[str, bytes]:
    text = _seed(rng, seeds).decode("utf-8")
    kind = rng.randrange(4)
    if kind == 0:  # unclosed tags everywhere
        body = "".join(f"<p><span>{line}" for line in text.split("\n"))
        return ".html", f"<html><body>{body}".encode()
    if kind == 1:  # deep nesting
        depth = rng.randrange(1000, 20000)
        return ".html", ("<div>" * depth + text + "</div>" * rng.randrange(depth)).encode()
    if kind == 2:  # a page that is all script and style
        return ".html", f"<html><script>{text}</script><style>{text}</style></html>".encode()
    # entity and tag garbage
    junk = "".join(rng.choice(["&#x110000;", "&#0;", "&bogus;", "<!--", "<![CDATA[", "</>", "<p", "&#99999999999;"]) for _ in range(500))
    return ".html", f"<html><body>{junk}{text}".encode()


# (generator, how many): 1,000 in all.
MIX: list[tuple[Generator, int]] = [
    (truncated, 160),
    (shuffled_lines, 130),
    (dropped_and_doubled_lines, 100),
    (random_bytes, 120),
    (huge_line, 4),
    (mixed_encodings, 90),
    (wrong_codec, 80),
    (emptyish, 40),
    (with_nuls, 100),
    (numbering_only, 66),
    (broken_docx, 40),
    (broken_html, 70),
]
assert sum(n for _, n in MIX) == 1000


def write_malformed(folder: Path, seed: int = 7) -> list[Path]:
    """Write the 1,000 documents into ``folder``; file names say which generator made them."""
    rng = random.Random(seed)
    seeds = seed_texts()
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    k = 0
    for generator, count in MIX:
        for _ in range(count):
            suffix, data = generator(rng, seeds)
            path = folder / f"{k:04d}-{generator.__name__}{suffix}"
            path.write_bytes(data)
            paths.append(path)
            k += 1
    return paths
