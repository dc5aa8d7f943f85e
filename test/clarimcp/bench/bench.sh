#!/usr/bin/env bash
# `make bench`: a benchmark, not a test (it asserts nothing and is not part of make test). Builds the
# minimal yardstick image (build.sh --minimal-image), compiles the Clari sandbox and the bench (test-only
# code, no JUnit) against build/classes, then runs clarimcp.bench.Bench, which prints a Markdown table and
# writes it to build/bench.md. Takes a few minutes (get_forecast waits for 20 s sandbox jobs).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd -P)
readonly ROOT
readonly OUT=$ROOT/build/bench/classes
readonly BENCH_TIMEOUT=1200      # seconds; a normal run takes 3-4 minutes
JDK=$("$ROOT/build.sh" --print-java-home)
readonly JDK

[[ -x $ROOT/build/image/bin/clari-revops-mcp ]] || { echo "bench.sh: no image; run 'make' first" >&2; exit 1; }
"$ROOT/build.sh" --minimal-image

rm -rf "$OUT"
mkdir -p "$OUT"
(cd "$ROOT" && "$JDK/bin/javac" --release 21 -encoding UTF-8 -proc:none -cp build/classes -d "$OUT" \
    $(find test/clarimcp/sandbox -name '*.java' ! -name '*Test.java') test/clarimcp/json/ObjBuilder.java \
    $(find test/clarimcp/bench -name '*.java' ! -name 'AotTraining.java'))

run=("$JDK/bin/java" -cp "$OUT:$ROOT/build/classes"
    -Dclarimcp.launcher="$ROOT/build/image/bin/clari-revops-mcp"
    -Dclarimcp.minimal="$ROOT/build/bench/minimal-image/bin/minimal"
    -Dclarimcp.image="$ROOT/build/image"
    -Dclarimcp.bench.classes="$OUT"
    -Dclarimcp.bench.out="$ROOT/build/bench.md"
    clarimcp.bench.Bench)
if command -v timeout >/dev/null; then exec timeout "$BENCH_TIMEOUT" "${run[@]}"; else exec "${run[@]}"; fi
