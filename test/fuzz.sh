#!/usr/bin/env bash
# The long fuzz run (`make fuzz`): FuzzTest with many more cases than `make test` gives it.
#   FUZZ_CASES           in-process cases (default 200000; make test runs 5000)
#   FUZZ_LAUNCHER_CASES  cases through the built launcher (default 20000; make test runs 500)
#   FUZZ_SEED            base seed (default: today's date, so each day explores new inputs); printed
#                        first, and every failure names its seed and case for a rerun
# Compiles test/ as test/run.sh does (into build/fuzz-classes) and needs the JUnit jar that the first
# `make test` fetched (or a copy in lib/).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
readonly ROOT
readonly JUNIT_VERSION=6.1.3
readonly CASES=${FUZZ_CASES:-200000}
readonly LAUNCHER_CASES=${FUZZ_LAUNCHER_CASES:-20000}
readonly SEED=${FUZZ_SEED:-$(date -u +%Y%m%d)}
readonly CLASSES=$ROOT/build/fuzz-classes

say() { printf 'test/fuzz.sh: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

[[ $CASES =~ ^[0-9]+$ && $LAUNCHER_CASES =~ ^[0-9]+$ && $SEED =~ ^-?[0-9]+$ ]] \
    || die "FUZZ_CASES, FUZZ_LAUNCHER_CASES and FUZZ_SEED must be whole numbers"
JDK=$("$ROOT/build.sh" --print-java-home)
junit=$(find "$ROOT/lib" -maxdepth 1 -name 'junit-platform-console-standalone-*.jar' 2>/dev/null | LC_ALL=C sort | tail -n1 || true)
[[ -n $junit ]] || junit=$HOME/.m2/repository/org/junit/platform/junit-platform-console-standalone/$JUNIT_VERSION/junit-platform-console-standalone-$JUNIT_VERSION.jar
[[ -f $junit ]] || die "no JUnit jar; run 'make test' once (it fetches JUnit) or put it in lib/"
[[ -x $ROOT/build/image/bin/clari-revops-mcp ]] || die "no image; run 'make' first"

rm -rf "$CLASSES"
mkdir -p "$CLASSES"
(cd "$ROOT" && find test -name '*.java' | LC_ALL=C sort > "$ROOT/build/fuzz-sources.list")
"$JDK/bin/javac" --release 21 -encoding UTF-8 -proc:none -cp "$ROOT/build/classes:$junit" -d "$CLASSES" \
    @"$ROOT/build/fuzz-sources.list" || die "test compilation failed"

say "seed $SEED: $CASES in-process cases, $LAUNCHER_CASES through the launcher"
# Each case has its own deadline (FuzzRun.CASE_DEADLINE_MS); the per-test default is raised to match the count.
exec "$JDK/bin/java" \
    -Dclarimcp.launcher="$ROOT/build/image/bin/clari-revops-mcp" \
    -Dclarimcp.resources="$ROOT/test/resources" \
    -Dclarimcp.fuzz.cases="$CASES" -Dclarimcp.fuzz.launcherCases="$LAUNCHER_CASES" -Dclarimcp.fuzz.seed="$SEED" \
    -jar "$junit" execute --class-path "$CLASSES:$ROOT/build/classes" \
    --select-class clarimcp.security.FuzzTest --disable-banner --details=tree --disable-ansi-colors \
    --config=junit.jupiter.execution.timeout.default=12h </dev/null
