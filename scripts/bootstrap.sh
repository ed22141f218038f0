# Sourced by ./run and ./test: make sure .venv exists and matches requirements.lock.
# Idempotent and quick when nothing changed (a stamp holds the lock file's hash).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PY="${PYTHON:-python3}"
if [ ! -x "$VENV/bin/python" ]; then
  echo "plan-tracker: creating virtual environment in .venv" >&2
  "$PY" -m venv "$VENV"
fi
want="$(cat "$ROOT/requirements.lock" "$ROOT/pyproject.toml" | sha256sum | cut -d' ' -f1)"
have="$(cat "$VENV/.installed" 2>/dev/null || true)"
if [ "$want" != "$have" ]; then
  echo "plan-tracker: installing pinned dependencies (requirements.lock)" >&2
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip >&2
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$ROOT/requirements.lock" >&2
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps -e "$ROOT" >&2
  echo "$want" > "$VENV/.installed"
fi
