#!/usr/bin/env bash
# Run finflow's whole test suite on a fresh machine: installs the Python packages, Debian's
# headless Chromium (for the view tests) and the Neo4j test harness from Maven Central (for the
# Neo4j tests: a real server over Bolt, no Docker needed), then runs ruff and pytest.
# Set NEO4J_URI/NEO4J_USER/NEO4J_PASSWORD to test against your own Neo4j instead.
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m pip install --quiet --disable-pip-version-check -e ".[test,fast]"

if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  if [ "$(id -u)" = "0" ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq chromium chromium-driver >/dev/null
  else
    echo "note: install Debian's chromium and chromium-driver for the browser tests" >&2
  fi
fi

if [ -z "${NEO4J_URI:-}" ]; then
  bash tests/neo4j/harness/setup.sh
fi

ruff check .
python3 -m pytest "$@"
