#!/usr/bin/env bash
# Regenerate constraints.txt, the exact versions tests/run.sh and CI's first step install:
# the newest release of every dependency of finflow[test,fast], installed into a fresh
# virtualenv and frozen. Run it when CI's "newest" step is green on releases newer than the
# file, review the diff, and commit it.
#
#   bash tests/update-constraints.sh
set -euo pipefail
cd "$(dirname "$0")/.."
python="${PYTHON:-python3}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$python" -m venv "$work/venv"
pip=("$work/venv/bin/python" -m pip --disable-pip-version-check --quiet)
"${pip[@]}" install --upgrade pip
# the dependencies only: building finflow itself would leave build/ in the source tree
mapfile -t requirements < <("$python" tests/deps.py declared)
"${pip[@]}" install "${requirements[@]}"
{
  echo "# Exact versions of everything finflow[test,fast] installs, for tests/run.sh and CI."
  echo "# Generated $(date -u +%Y-%m-%d) with $("$work/venv/bin/python" -V) on $(uname -sm) by:"
  echo "#   bash tests/update-constraints.sh"
  echo "# Constraints, not requirements: packages another platform needs (colorama, tzdata on"
  echo "# Windows) are not listed here and install at their newest."
  "${pip[@]}" freeze
} >constraints.txt.new
mv constraints.txt.new constraints.txt
echo "wrote constraints.txt ($(grep -vc '^#' constraints.txt) packages)"
