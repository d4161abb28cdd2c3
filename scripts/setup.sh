#!/usr/bin/env bash
# Set up what procmine needs, idempotently: Graphviz's `dot` (through apt-get when it is
# missing and we may install), optionally Chromium for the browser tests, and a Python
# virtual environment in .venv with procmine installed in editable mode.
#
#   scripts/setup.sh            # runtime: python env + dot
#   scripts/setup.sh --dev      # also test tools and Chromium (for the test suite)
set -euo pipefail
cd "$(dirname "$0")/.."

dev=0
[ "${1:-}" = "--dev" ] && dev=1

say() { printf 'procmine setup: %s\n' "$*" >&2; }

# --- Python 3.11+ ---------------------------------------------------------------------
py=""
for candidate in "${PYTHON:-}" python3.13 python3.12 python3.11 python3; do
  [ -n "$candidate" ] || continue
  if command -v "$candidate" >/dev/null 2>&1 &&
     "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
    py="$candidate"; break
  fi
done
if [ -z "$py" ]; then
  say "needs Python 3.11 or newer (python3 --version says: $(python3 --version 2>&1 || echo none)). Install it (e.g. apt-get install python3 python3-venv) and run again."
  exit 1
fi

# --- system packages (Graphviz, Chromium) -------------------------------------------------
apt_install() {
  local runner=""
  if [ "$(id -u)" = 0 ]; then runner=""; elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then runner="sudo -n"; else return 1; fi
  command -v apt-get >/dev/null 2>&1 || return 1
  if [ ! -f /tmp/.procmine-apt-updated ]; then
    $runner apt-get update -qq >/dev/null && touch /tmp/.procmine-apt-updated
  fi
  DEBIAN_FRONTEND=noninteractive $runner apt-get install -y -qq "$@" >/dev/null
}

if ! command -v dot >/dev/null 2>&1; then
  say "Graphviz's dot is missing; installing it with apt-get"
  if ! apt_install graphviz; then
    say "could not install Graphviz (no apt-get or no root). Maps fall back to HTML; install Graphviz for SVG/PNG/PDF."
  fi
fi
if [ "$dev" = 1 ] && ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then
  say "Chromium is missing; installing it with apt-get (browser tests of the HTML report)"
  apt_install chromium fonts-dejavu-core || say "could not install Chromium: the browser tests will be skipped."
fi

if [ "$dev" = 1 ] && ! command -v java >/dev/null 2>&1; then
  say "a Java runtime is missing; installing it with apt-get (Spark local mode, for the engine parity tests)"
  apt_install default-jre-headless || apt_install openjdk-17-jre-headless \
    || say "could not install Java: the Spark parity tests will be skipped."
fi

# --- Python environment -------------------------------------------------------------------
if [ ! -x .venv/bin/python ]; then
  say "creating .venv with $py"
  "$py" -m venv .venv
fi
extras="notebooks"
[ "$dev" = 1 ] && extras="dev,notebooks"
stamp=".venv/.procmine-installed-$extras"
want="$(cat pyproject.toml | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  say "installing procmine[$extras] into .venv"
  .venv/bin/python -m pip install --quiet --upgrade pip >/dev/null
  .venv/bin/python -m pip install --quiet -e ".[$extras]"
  .venv/bin/python -m ipykernel install --sys-prefix --name python3 >/dev/null 2>&1 || true
  echo "$want" > "$stamp"
fi
# procmine's own bytecode, as a wheel install writes it: an editable install where
# PYTHONDONTWRITEBYTECODE is set would otherwise compile every module on every run
# (about 0.05 s of each command's start-up); Python recompiles any module changed since
.venv/bin/python -m compileall -q procmine >/dev/null || true

# --- test-only JavaScript tools (bpmn-moddle checks the BPMN export), pinned by package-lock ----
if [ "$dev" = 1 ] && [ -f tests/js/package-lock.json ]; then
  if command -v npm >/dev/null 2>&1; then
    lock="$(sha256sum tests/js/package-lock.json | cut -c1-16)"
    if [ ! -f tests/js/node_modules/.procmine-lock ] || [ "$(cat tests/js/node_modules/.procmine-lock)" != "$lock" ]; then
      say "installing the BPMN checker (npm ci in tests/js)"
      (cd tests/js && npm ci --silent --no-audit --no-fund >/dev/null) && echo "$lock" > tests/js/node_modules/.procmine-lock \
        || say "npm ci failed: the BPMN 2.0 schema check will be skipped."
    fi
  else
    say "Node.js/npm are missing: the BPMN 2.0 schema check (bpmn-moddle) will be skipped. Install nodejs and npm to run it."
  fi
fi
