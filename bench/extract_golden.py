"""Golden check for the extractor: every field it returns, for the seeds and a corpus sample.

Faster and finer than ``bench/golden.py`` (no database, no CLI): it calls
``tracker.store.importer.extract_file`` and dumps each plan and task with its deadline and owners
(repr of the dataclasses, one line per task), so any change in what the extractor returns
shows as a diff. Run ``dump`` before an optimisation and ``check`` after it.

Usage: .venv/bin/python bench/extract_golden.py dump|check FILE [DOCS_DIR ...]
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tracker.errors import DocumentImportError  # noqa: E402
from tracker.extract.owners import Lexicon, default_lexicon_path  # noqa: E402
from tracker.store.importer import collect_documents, extract_file  # noqa: E402


def lines(dirs: list[Path]) -> list[str]:
    out: list[str] = []
    for d in dirs:
        lexicon_file = d / "owner-lexicon.toml"
        lexicon = Lexicon.load(lexicon_file if lexicon_file.is_file() else default_lexicon_path())
        for path in collect_documents([d]):
            try:
                source, plans = extract_file(path, lexicon)
            except DocumentImportError as exc:
                out.append(f"{path.name} ERROR {exc}")
                continue
            out.append(f"{path.name} {source.language} {source.repair_notes!r} {source.title_hint!r} {source.damaged_lines!r}")
            for p in plans:
                tasks = p.tasks
                p.tasks = []
                out.append(f"  {p!r}")
                for t in tasks:
                    out.append(f"    {t!r}")
                p.tasks = tasks
    return out


if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[1] not in ("dump", "check"):
        sys.exit(__doc__)
    target = Path(sys.argv[2])
    dirs = [Path(d) for d in sys.argv[3:]] or [ROOT / "seeds"]
    now = lines(dirs)
    if sys.argv[1] == "dump":
        target.write_text("\n".join(now) + "\n", encoding="utf-8")
        print(f"{len(now)} lines written to {target}")
    else:
        before = target.read_text(encoding="utf-8").split("\n")[:-1]
        bad = [(i, a, b) for i, (a, b) in enumerate(zip(before, now)) if a != b]
        if len(before) != len(now):
            print(f"line count differs: {len(before)} before, {len(now)} now")
        for i, a, b in bad[:10]:
            print(f"line {i + 1}:\n  before: {a[:400]}\n  now:    {b[:400]}")
        print("extract golden: identical" if not bad and len(before) == len(now) else f"extract golden: {len(bad)} lines differ")
        sys.exit(1 if bad or len(before) != len(now) else 0)
