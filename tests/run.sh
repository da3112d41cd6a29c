#!/usr/bin/env bash
# Run finflow's whole test suite on a fresh machine.
#
#   bash tests/run.sh [PYTEST ARGS...]
#
# Installs what the suite needs and is missing -- Python's venv and pip, Java 17 and Maven (for
# the Neo4j test harness: a real server over Bolt, no Docker), Debian's headless Chromium and
# chromedriver (for the view tests) -- with apt-get when run as root on Debian; then builds a
# virtualenv, installs finflow into it (editable) with its test dependencies, resolves the Neo4j
# harness from Maven Central, and runs ruff and pytest.
#
# FINFLOW_DEPS chooses the Python packages:
#   locked  (default) the exact versions in constraints.txt, into .venv/ (kept between runs);
#   newest  today's newest release of every dependency, ignoring constraints.txt, into a fresh
#           .venv-newest/ -- so a breaking upstream release shows before a user meets it;
#   oldest  the lower bound of every dependency declared in pyproject.toml, into a fresh
#           .venv-oldest/ -- so the versions finflow says it supports are the ones it is tested on.
# Set NEO4J_URI/NEO4J_USER/NEO4J_PASSWORD to test against your own Neo4j instead of the harness.
set -euo pipefail
cd "$(dirname "$0")/.."

deps="${FINFLOW_DEPS:-locked}"
python="${PYTHON:-python3}"
case "$deps" in
  locked) venv=".venv" ;;
  newest) venv=".venv-newest" ;;
  oldest) venv=".venv-oldest" ;;
  *) echo "tests/run.sh: FINFLOW_DEPS must be locked, newest or oldest, not '$deps'" >&2; exit 2 ;;
esac

# Debian packages: install the missing ones when we can (root), else say what to install.
missing=()
need() { missing+=("$@"); }
command -v "$python" >/dev/null || need python3 python3-venv
if command -v "$python" >/dev/null; then
  "$python" -c 'import venv, ensurepip' 2>/dev/null || need python3-venv
fi
java_major() { local v; v=$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1); echo "${v:-0}"; }
if [ -z "${NEO4J_URI:-}" ]; then
  if ! command -v java >/dev/null || [ "$(java_major)" -lt 17 ]; then need openjdk-17-jdk-headless; fi
  command -v mvn >/dev/null || need maven
fi
# finflow[ftm] (the FollowTheMoney export) pulls PyICU, which builds from source against ICU
if [ "$deps" = "locked" ]; then
  pkg-config --exists icu-uc 2>/dev/null || need libicu-dev pkg-config
  command -v g++ >/dev/null || need g++
fi
command -v chromium >/dev/null || need chromium
command -v chromedriver >/dev/null || need chromium-driver
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "note: install these for the full suite (Debian package names): ${missing[*]}" >&2
  fi
fi

"$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
  || { echo "tests/run.sh: finflow needs Python 3.11 or newer; $python is $("$python" -V 2>&1)" >&2; exit 2; }

# The virtualenv: never the system's site-packages, so the run depends only on what it installs.
if [ "$deps" != "locked" ]; then rm -rf "$venv"; fi
[ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
py="$venv/bin/python"
pip=("$py" -m pip --disable-pip-version-check --quiet)
"${pip[@]}" install --upgrade pip
case "$deps" in
  # locked also installs the ftm extra, so the FtM export is tested (FINFLOW_REQUIRE_FTM below);
  # newest and oldest test the core dependencies, which followthemoney's own caps must not hold back
  locked) "${pip[@]}" install -c constraints.txt -e ".[test,fast,ftm]"; export FINFLOW_REQUIRE_FTM=1 ;;
  newest) "${pip[@]}" install --upgrade --upgrade-strategy eager -e ".[test,fast]" ;;
  oldest)
    "$py" tests/deps.py oldest >"$venv/oldest.txt"
    "${pip[@]}" install -c "$venv/oldest.txt" -e ".[test,fast]" ;;
esac
echo "== Python packages ($deps, $venv): $("$py" -V 2>&1)"
"$py" - <<'EOF'
from importlib.metadata import version
names = ["numpy", "pandas", "pyarrow", "networkx", "neo4j", "neo4j-rust-ext", "pyvis", "click", "lxml",
         "defusedxml", "python-stdnum", "PyYAML", "Jinja2", "pytest", "hypothesis", "selenium", "ruff"]
print("   " + "  ".join(f"{n}=={version(n)}" for n in names))
EOF
echo "== Java: $(java -version 2>&1 | head -n 1 || echo none); Chromium: $(chromium --version 2>/dev/null || echo none)"

if [ -z "${NEO4J_URI:-}" ]; then
  bash tests/neo4j/harness/setup.sh
fi

# ruff is pinned with the rest: lint with the locked set only, so a new ruff rule cannot fail the
# check of upstream releases, which is about finflow's behaviour.
if [ "$deps" = "locked" ]; then
  "$venv/bin/ruff" check .
fi
"$py" -m pytest "$@"
