#!/usr/bin/env bash
# Builds clari-revops-mcp: src/ -> build/classes -> reproducible modular jar -> jlink runtime image.
#
#   ./build.sh                     build into build/ (skips all work when no input changed)
#   ./build.sh --print-java-home   print the JDK this script would use, and exit (used by test/run.sh)
#
# Everything this script says goes to stderr; only --print-java-home writes to stdout.
set -euo pipefail

readonly MIN_JAVA=21                          # --release 21; virtual threads; jlink --compress=zip-N
readonly JAR_DATE=2026-01-01T00:00:00Z        # fixed entry times: same sources give a byte-identical jar
readonly MAIN_CLASS=clarimcp.Main
readonly MODULE=clarimcp

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
readonly ROOT
readonly BUILD=$ROOT/build
readonly JAR=$BUILD/clari-revops-mcp.jar
readonly IMAGE=$BUILD/image

say() { printf 'build.sh: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

# ---------------------------------------------------------------- JDK discovery

# Prints the full version of the JDK in $1 (e.g. 25.0.3), or nothing if it cannot be told.
# The release file is read first because running `java -version` costs a JVM start.
jdk_version() {
    local home=$1 line=
    if [[ -f $home/release ]]; then
        line=$(grep -m1 '^JAVA_VERSION=' "$home/release" || true)
        line=${line#JAVA_VERSION=}
        line=${line//\"/}
    fi
    if [[ -z $line && -x $home/bin/java ]]; then
        line=$("$home/bin/java" -version 2>&1 | sed -n '1s/^[^"]*"\([^"]*\)".*/\1/p' || true)
    fi
    printf '%s' "$line"
}

# Feature number of a version string: 1.8.0_402 -> 8, 25.0.3 -> 25, 21 -> 21.
feature_of() {
    local v=${1#1.}
    v=${v%%[!0-9]*}
    printf '%s' "${v:-0}"
}

has_tools() { [[ -x $1/bin/javac && -x $1/bin/jar && -x $1/bin/jlink ]]; }

# Prints the newest JDK >= MIN_JAVA with javac, jar and jlink. JAVA_HOME wins when it qualifies,
# so a user can always choose; otherwise the usual install locations are searched.
find_java_home() {
    local seen=() found=() best= best_version= home real version
    if [[ -n ${JAVA_HOME:-} && -d $JAVA_HOME ]]; then
        version=$(jdk_version "$JAVA_HOME")
        if (( $(feature_of "$version") >= MIN_JAVA )) && has_tools "$JAVA_HOME"; then
            (cd "$JAVA_HOME" && pwd -P)
            return
        fi
        found+=("${version:-unknown} at $JAVA_HOME (JAVA_HOME)")
        seen+=("$(cd "$JAVA_HOME" && pwd -P)")
    fi
    for home in /usr/lib/jvm/* /usr/java/* /opt/java/* /opt/*jdk* \
                "$HOME"/.sdkman/candidates/java/* \
                /Library/Java/JavaVirtualMachines/*/Contents/Home \
                "/c/Program Files/Java/"* "/c/Program Files/Eclipse Adoptium/"* \
                "/c/Program Files/Microsoft/"*; do
        [[ -d $home && -x $home/bin/java ]] || continue
        real=$(cd "$home" && pwd -P)
        [[ " ${seen[*]-} " == *" $real "* ]] && continue   # /usr/lib/jvm has alias symlinks
        seen+=("$real")
        version=$(jdk_version "$real")
        if (( $(feature_of "$version") < MIN_JAVA )) || ! has_tools "$real"; then
            has_tools "$real" || version="${version:-unknown} (no javac/jar/jlink)"
            found+=("${version:-unknown} at $real")
            continue
        fi
        if [[ -z $best ]] || [[ $(printf '%s\n%s\n' "$best_version" "$version" | sort -V | tail -n1) != "$best_version" ]]; then
            best=$real best_version=$version
        fi
    done
    if [[ -z $best ]]; then
        local list
        list=$(IFS=';'; printf '%s' "${found[*]-none}")
        die "need a JDK $MIN_JAVA or newer with javac, jar and jlink; set JAVA_HOME to one (found: ${list//;/, })"
    fi
    printf '%s\n' "$best"
}

# ---------------------------------------------------------------- jlink.conf

# Reads jlink.conf (key = value lines, # comments) into CONF_*. Parsed by hand, never sourced, so
# the file cannot run code. Unknown or repeated keys are errors: a typo must not be silently ignored.
read_conf() {
    local file=$ROOT/jlink.conf line key value n=0
    CONF_modules= CONF_options= CONF_launcher= CONF_jvm_options=
    local given=" "
    [[ -f $file ]] || die "missing $file"
    while IFS= read -r line || [[ -n $line ]]; do
        n=$((n + 1))
        line=${line%$'\r'}
        [[ $line =~ ^[[:space:]]*(#|$) ]] && continue
        [[ $line =~ ^[[:space:]]*([a-z_]+)[[:space:]]*=[[:space:]]*(.*[^[:space:]])?[[:space:]]*$ ]] \
            || die "jlink.conf:$n: expected 'key = value'"
        key=${BASH_REMATCH[1]} value=${BASH_REMATCH[2]}
        case $key in
            modules|options|launcher|jvm_options) ;;
            *) die "jlink.conf:$n: unknown key '$key'" ;;
        esac
        [[ $given != *" $key "* ]] || die "jlink.conf:$n: '$key' given twice"
        given+="$key "
        printf -v "CONF_$key" '%s' "$value"
    done < "$file"
    [[ -n $CONF_modules && -n $CONF_launcher ]] || die "jlink.conf: 'modules' and 'launcher' are required"
}

# ---------------------------------------------------------------- steps

sha256() {
    if command -v sha256sum >/dev/null; then sha256sum "$@"; else shasum -a 256 "$@"; fi
}

# One hash over every input of the build (sources, jlink.conf, this script, the JDK), so an
# unchanged tree is not rebuilt. Paths are hashed with contents so a rename also counts.
input_stamp() {
    {
        printf '%s %s\n' "$JDK" "$(jdk_version "$JDK")"
        (cd "$ROOT" && find src -type f | LC_ALL=C sort | while IFS= read -r f; do
            printf '%s\n' "$f"; sha256 < "$f"; done)
        sha256 < "$ROOT/jlink.conf"
        sha256 < "$ROOT/build.sh"
    } | sha256 | cut -d' ' -f1
}

compile() {
    local classes=$BUILD/classes
    rm -rf "$classes"          # a deleted source must not leave its class behind
    mkdir -p "$classes"
    (cd "$ROOT" && find src -name '*.java' | LC_ALL=C sort) > "$BUILD/sources.list"
    [[ -s $BUILD/sources.list ]] || die "no sources under src/"
    # Every lint is on and every warning is an error: the auditor reads warning-free code.
    (cd "$ROOT" && "$JDK/bin/javac" --release 21 -encoding UTF-8 -proc:none \
        -Xlint:all -Werror -d "$classes" @"$BUILD/sources.list")
}

# The jar tool writes entries in the order given, so the list is sorted (LC_ALL=C, independent
# of locale and file system) and --date fixes every entry time: two builds are byte-identical.
package_jar() {
    local list=$BUILD/jar-entries.list
    (cd "$BUILD/classes" && find . -type f | sed 's|^\./||' | LC_ALL=C sort | sed 's|^|-C classes |') > "$list"
    rm -f "$JAR"
    (cd "$BUILD" && "$JDK/bin/jar" --create --file "$JAR" --main-class "$MAIN_CLASS" \
        --date="$JAR_DATE" @"$list")
}

link_image() {
    local modules options=() args=()
    modules=$(printf '%s' "$CONF_modules" | tr -d '[:space:]')
    read -r -a options <<< "$CONF_options"
    args=(--module-path "$JAR" --add-modules "$modules,$MODULE" --launcher "$CONF_launcher" --output "$IMAGE")
    [[ -n $CONF_jvm_options ]] && args+=("--add-options=$CONF_jvm_options")
    rm -rf "$IMAGE"            # jlink refuses to write into an existing directory
    if ! "$JDK/bin/jlink" ${options[@]+"${options[@]}"} "${args[@]}"; then
        [[ -d $JDK/jmods ]] || say "note: $JDK has no jmods/; linking without them needs a JDK 24+ built with a linkable runtime"
        die "jlink failed"
    fi
    write_launcher
}

# jlink's own launcher script neither quotes its directory nor execs the JVM: a path with a space
# breaks it, and an MCP client's SIGTERM stops only the shell, leaving the JVM behind (seen with
# JDK 25). This one does both. On Windows jlink writes a .bat instead, which is left as it is.
write_launcher() {
    local script=$IMAGE/bin/${CONF_launcher%%=*}
    [[ -f $script ]] || return 0
    printf '%s\n' '#!/bin/sh' \
        '# Starts the server in this runtime image; exec, so the client signals the JVM directly.' \
        "exec \"\$(dirname \"\$0\")/java\" -m ${CONF_launcher#*=} \"\$@\"" > "$script"
}

report() {
    local size
    size=$(du -sh "$IMAGE" | cut -f1)
    (cd "$BUILD" && sha256 clari-revops-mcp.jar image/lib/modules) | sed 's/^/build.sh: sha256 /' >&2
    say "image build/image: $size; launcher build/image/bin/${CONF_launcher%%=*}"
}

# ---------------------------------------------------------------- main

case ${1:-} in
    --print-java-home) find_java_home; exit ;;
    "") ;;
    *) die "unknown argument '$1' (usage: build.sh [--print-java-home])" ;;
esac

JDK=$(find_java_home)
readonly JDK
say "using JDK $(jdk_version "$JDK") at $JDK"
read_conf
mkdir -p "$BUILD"

stamp=$(input_stamp)
if [[ -f $BUILD/.stamp && $(< "$BUILD/.stamp") == "$stamp" && -f $JAR && -x $IMAGE/bin/java ]]; then
    say "up to date"
else
    rm -f "$BUILD/.stamp"
    compile
    package_jar
    link_image
    printf '%s\n' "$stamp" > "$BUILD/.stamp"
fi
report
