#!/usr/bin/env bash
# Set up (if needed) and run the whole test suite: unit tests, doctests, bad-input corpus,
# real public logs (when ../shared/logs exists), notebooks on a Jupyter kernel, and the
# HTML report in headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --dev
export PM4PY_SHOW_PROGRESS_BAR=False
# the package's types, as shipped (py.typed): mypy --check-untyped-defs, configured in pyproject
.venv/bin/python -m mypy
exec .venv/bin/python -m pytest -n 2 --dist loadfile "$@"
