#!/usr/bin/env bash
# Set up (if needed) and run procmine's main job on the bundled sample logs:
# the batch report on handoff costs, written to out/sample-report/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
.venv/bin/procmine validate sample_logs/sources.toml
.venv/bin/procmine report sample_logs/sources.toml --out out/sample-report "$@"
echo "open out/sample-report/report.html" >&2
