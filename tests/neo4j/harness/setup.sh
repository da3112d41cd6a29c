#!/usr/bin/env bash
# Resolve the Neo4j test harness classpath once (fills ~/.m2 on the first run) and write it to
# target/classpath.txt, which tests/neo4j/conftest.py hands to the Java launcher.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$here/target/classpath.txt"
mkdir -p "$here/target"
if [[ -s "$out" && "$out" -nt "$here/pom.xml" ]] && tr ':' '\n' <"$out" | head -n 1 | xargs test -f; then
    echo "neo4j harness classpath up to date: $out"
    exit 0
fi
mvn -B -q -f "$here/pom.xml" dependency:build-classpath -Dmdep.outputFile="$out"
echo "neo4j harness classpath written: $out"
