#!/usr/bin/env bash
# `make demo` and `make sandbox`: compiles the Clari sandbox and the demo (test-only code, no JUnit
# needed) against build/classes, then runs one of them.
#   test/demo.sh             the demo: three RevOps questions through the built launcher
#   test/demo.sh --sandbox   the sandbox alone, until Ctrl-C, for Claude Desktop or the MCP Inspector
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
readonly ROOT
readonly OUT=$ROOT/build/demo-classes
JDK=$("$ROOT/build.sh" --print-java-home)
readonly JDK

rm -rf "$OUT"
mkdir -p "$OUT"
(cd "$ROOT" && "$JDK/bin/javac" --release 21 -encoding UTF-8 -proc:none -cp build/classes -d "$OUT" \
    $(find test/clarimcp/sandbox -name '*.java' ! -name '*Test.java') test/clarimcp/json/ObjBuilder.java \
    test/clarimcp/e2e/Launcher.java test/clarimcp/demo/Demo.java)

main=clarimcp.demo.Demo
args=()
if [[ ${1:-} == --sandbox ]]; then main=clarimcp.sandbox.ClariSandbox; shift; args=("$@"); fi
exec "$JDK/bin/java" -cp "$OUT:$ROOT/build/classes" \
    -Dclarimcp.launcher="$ROOT/build/image/bin/clari-revops-mcp" "$main" "${args[@]}"
