"""A coordinator process for the concurrency tests: read a task, then update it with the
version it read, many times over; print one JSON line per attempt (accepted or conflict).

Usage: python tests/concurrency_worker.py DB_URL ACTOR SEED N TASK_ID [TASK_ID …]
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tracker.errors import ConflictError
from tracker.services.tasks import get_task
from tracker.store.changes import Change, set_status
from tracker.store.db import make_engine


def main() -> None:
    url, actor, seed, n, *ids = sys.argv[1:]
    rng = random.Random(int(seed))
    engine = make_engine(url)
    task_ids = [int(i) for i in ids]
    for _ in range(int(n)):
        tid = rng.choice(task_ids)
        seen = get_task(engine, str(tid)).task
        progress = rng.choice([p for p in range(1, 100) if p != seen.progress])
        try:
            result = set_status(engine, tid, Change(actor, expected_version=seen.version), progress=progress)
        except ConflictError as exc:
            print(json.dumps({"task": tid, "ok": False, "seen": seen.version, "message": str(exc)}, ensure_ascii=False))
        else:
            # changed=False: another coordinator had set the same value meanwhile, so there was
            # nothing to write (set_status is idempotent) and no History row; not a lost update.
            print(json.dumps({"task": tid, "ok": True, "seen": seen.version, "version": result.version,
                              "progress": progress, "changed": bool(result.fields)}))
        sys.stdout.flush()
    engine.dispose()


if __name__ == "__main__":
    main()
