#!/usr/bin/env bash
# Compiles test/ against build/classes and runs every test with the JUnit console launcher.
# Called by `make test` after the image is built. The last line it prints is always
#   tests: N passed, N failed, N skipped
# when tests ran; exit status is non-zero if any test failed, timed out, or could not be compiled.
set -euo pipefail

readonly JUNIT_VERSION=6.1.3     # the only place the JUnit version is pinned
readonly RUN_TIMEOUT=900         # whole-suite ceiling in seconds: a hung test must not hang CI
readonly TEST_TIMEOUT=60s        # per-test backstop for a test that forgot its own @Timeout

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
readonly ROOT
readonly BUILD=$ROOT/build
readonly CLASSES=$BUILD/test-classes
readonly REPORTS=$BUILD/test-reports
readonly JUNIT_ARTIFACT=org.junit.platform:junit-platform-console-standalone:$JUNIT_VERSION
readonly JUNIT_M2=$HOME/.m2/repository/org/junit/platform/junit-platform-console-standalone/$JUNIT_VERSION/junit-platform-console-standalone-$JUNIT_VERSION.jar

say() { printf 'test/run.sh: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

# Windows (Git Bash) java wants C:/-style paths and ';' between classpath entries.
if command -v cygpath >/dev/null; then
    native() { cygpath -m "$1"; }
    SEP=';'
else
    native() { printf '%s' "$1"; }
    SEP=':'
fi

# The JUnit console jar, first found of: a vendored lib/ copy (for air-gapped review), the local
# Maven repository, a fresh `mvn dependency:get` (which fills ~/.m2, so later runs are offline).
junit_jar() {
    local vendored
    vendored=$(find "$ROOT/lib" -maxdepth 1 -name 'junit-platform-console-standalone-*.jar' 2>/dev/null \
        | LC_ALL=C sort | tail -n1)
    if [[ -n $vendored ]]; then printf '%s\n' "$vendored"; return; fi
    if [[ ! -f $JUNIT_M2 ]]; then
        local hint="vendor it: download https://repo1.maven.org/maven2/org/junit/platform/junit-platform-console-standalone/$JUNIT_VERSION/junit-platform-console-standalone-$JUNIT_VERSION.jar into $ROOT/lib/"
        command -v mvn >/dev/null || die "JUnit $JUNIT_VERSION not found and mvn is not installed; $hint"
        say "fetching $JUNIT_ARTIFACT with mvn"
        # maven.repo.local: Maven's default follows the passwd home, which may not be $HOME.
        JAVA_HOME=$JDK mvn -q -B dependency:get -Dartifact="$JUNIT_ARTIFACT" \
            -Dmaven.repo.local="$HOME/.m2/repository" </dev/null >&2 \
            || die "mvn could not fetch JUnit $JUNIT_VERSION; $hint"
        [[ -f $JUNIT_M2 ]] || die "mvn succeeded but $JUNIT_M2 is missing; $hint"
    fi
    printf '%s\n' "$JUNIT_M2"
}

with_timeout() {
    if command -v timeout >/dev/null; then timeout "$RUN_TIMEOUT" "$@"
    elif command -v gtimeout >/dev/null; then gtimeout "$RUN_TIMEOUT" "$@"
    else say "no timeout command; running unbounded"; "$@"
    fi
}

# Sums the legacy XML reports (one per test engine) into the summary line.
summary() {
    local tests=0 failed=0 skipped=0 f attrs
    for f in "$REPORTS"/TEST-*.xml; do
        [[ -f $f ]] || continue
        attrs=$(grep -m1 '<testsuite ' "$f")
        tests=$((tests + $(attr tests "$attrs")))
        failed=$((failed + $(attr failures "$attrs") + $(attr errors "$attrs")))
        skipped=$((skipped + $(attr skipped "$attrs")))
    done
    printf 'tests: %d passed, %d failed, %d skipped\n' "$((tests - failed - skipped))" "$failed" "$skipped"
}
attr() { [[ $2 =~ [[:space:]]$1=\"([0-9]+)\" ]] && printf '%s' "${BASH_REMATCH[1]}" || printf 0; }

JDK=$("$ROOT/build.sh" --print-java-home)
readonly JDK
JUNIT=$(junit_jar)
readonly JUNIT
[[ -x $BUILD/image/bin/clari-revops-mcp ]] || die "no image; run 'make' first"

[[ -d $ROOT/../shared ]] || say "warning: $ROOT/../shared is missing; tests that read it will fail"

rm -rf "$CLASSES" "$REPORTS"
mkdir -p "$CLASSES" "$REPORTS"
# packaging/Manifest.java (make dist's manifest writer) is compiled too, so a product API change that breaks it
# fails here and not only at make dist.
(cd "$ROOT" && { find test -name '*.java'; echo packaging/Manifest.java; } | LC_ALL=C sort) > "$BUILD/test-sources.list"
[[ -s $BUILD/test-sources.list ]] || die "no tests under test/"
# Lints are shown but not fatal here (src/ has -Werror): test code never ships in the image, and a
# lint in a test harness must not stop the suite from reporting on the product.
(cd "$ROOT" && "$JDK/bin/javac" --release 21 -encoding UTF-8 -proc:none -Xlint:all \
    -cp "$(native "$BUILD/classes")$SEP$(native "$JUNIT")" -d "$(native "$CLASSES")" @"$BUILD/test-sources.list") \
    || die "test compilation failed; no tests ran"

colour=()
[[ -t 1 ]] || colour=(--disable-ansi-colors)   # plain text in CI logs and pipes

# TESTS="ClassA ClassB" (simple names) runs only those classes: for quick runs while working.
select=(--scan-classpath "$(native "$CLASSES")")
if [[ -n ${TESTS:-} ]]; then
    select=()
    for t in $TESTS; do
        f=$(cd "$CLASSES" && find . -name "$t.class" | head -n1)
        [[ -n $f ]] || die "no test class $t"
        f=${f#./}; f=${f%.class}
        select+=(--select-class "${f//\//.}")
    done
fi

status=0
with_timeout "$JDK/bin/java" \
    -Dclarimcp.launcher="$(native "$BUILD/image/bin/clari-revops-mcp")" \
    -Dclarimcp.shared="$(native "$(cd "$ROOT/.." && pwd -P)/shared")" \
    -Dclarimcp.resources="$(native "$ROOT/test/resources")" \
    -jar "$(native "$JUNIT")" execute \
    --class-path "$(native "$CLASSES")$SEP$(native "$BUILD/classes")" \
    "${select[@]}" \
    --fail-if-no-tests \
    --disable-banner \
    --details=tree ${colour[@]+"${colour[@]}"} \
    --config=junit.jupiter.execution.timeout.default="$TEST_TIMEOUT" \
    --reports-dir "$(native "$REPORTS")" </dev/null || status=$?
(( status != 124 )) || say "suite killed after ${RUN_TIMEOUT}s"
summary
exit "$status"
