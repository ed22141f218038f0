"""Import throughput on the seed documents: parse + store, cold database each round.

Prints tasks per second for the extractor alone and for a full import into SQLite.
Usage: .venv/bin/python bench/import_seeds.py [ROUNDS]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tracker.extract.owners import Lexicon, default_lexicon_path  # noqa: E402
from tracker.store.db import ensure_schema, make_engine  # noqa: E402
from tracker.store.importer import collect_documents, extract_file, import_paths  # noqa: E402


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    lexicon = Lexicon.load(default_lexicon_path())
    files = collect_documents([ROOT / "seeds"])
    extract_file(files[0], lexicon)  # warm caches (OpenCC, pypinyin)

    start = time.perf_counter()
    tasks = 0
    for _ in range(rounds):
        for f in files:
            tasks += sum(len(p.tasks) for p in extract_file(f, lexicon)[1])
    parse = time.perf_counter() - start
    print(f"extract: {tasks} tasks in {parse:.3f} s = {tasks / parse:,.0f} tasks/s")

    total, elapsed = 0, 0.0
    for _ in range(rounds):
        with tempfile.TemporaryDirectory() as tmp:
            engine = make_engine(f"sqlite:///{tmp}/bench.db")
            ensure_schema(engine)
            t0 = time.perf_counter()
            report = import_paths(engine, files, lexicon=lexicon)
            elapsed += time.perf_counter() - t0
            total += report.task_count
            engine.dispose()
    print(f"import (sqlite, cold db): {total} tasks in {elapsed:.3f} s = {total / elapsed:,.0f} tasks/s")


if __name__ == "__main__":
    main()
