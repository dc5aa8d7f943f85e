#!/usr/bin/env bash
# Builds clari-revops-mcp: src/ -> build/classes -> reproducible modular jar -> jlink runtime image
# -> start-up cache trained by a real session against the sandbox -> launcher -> proof the cache is used.
#
#   ./build.sh                     build into build/ (skips all work when no input changed)
#   ./build.sh --print-java-home   print the JDK this script would use, and exit (used by test/run.sh)
#   ./build.sh --minimal-image     build build/bench/minimal-image: test/clarimcp/bench/Minimal.java in an
#                                  image made the same way (options, launcher, cache), for make bench only
#   ./build.sh --verify-image DIR  start DIR/bin/clari-revops-mcp (a copy of the image, e.g. unpacked from
#                                  a release file) and fail unless it answers and uses its cache (make dist)
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
readonly AOT=$BUILD/aot                       # training classes, logs, the recorded configuration

readonly TRAINING_MAIN=clarimcp.bench.AotTraining
readonly TRAINING_TIMEOUT=180                 # seconds; the session takes ~5 s, a hang must not hang make
readonly MIN_CACHED_PERCENT=95                # of the classes a session loads; a working cache gives ~100
# The session build.sh itself sends to prove the cache is used (and to train the minimal image).
readonly INIT_LINE='{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"build.sh","version":"1"}}}'
readonly LIST_LINE='{"jsonrpc":"2.0","id":1,"method":"tools/list"}'

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
    CONF_modules= CONF_options= CONF_launcher= CONF_jvm_options= CONF_cache=auto
    CONF_modules_before_jdk22= CONF_jvm_options_from_jdk25=
    local given=" "
    [[ -f $file ]] || die "missing $file"
    while IFS= read -r line || [[ -n $line ]]; do
        n=$((n + 1))
        line=${line%$'\r'}
        [[ $line =~ ^[[:space:]]*(#|$) ]] && continue
        [[ $line =~ ^[[:space:]]*([a-z0-9_]+)[[:space:]]*=[[:space:]]*(.*[^[:space:]])?[[:space:]]*$ ]] \
            || die "jlink.conf:$n: expected 'key = value'"
        key=${BASH_REMATCH[1]} value=${BASH_REMATCH[2]}
        case $key in
            modules|modules_before_jdk22|options|launcher|jvm_options|jvm_options_from_jdk25|cache) ;;
            *) die "jlink.conf:$n: unknown key '$key'" ;;
        esac
        [[ $given != *" $key "* ]] || die "jlink.conf:$n: '$key' given twice"
        given+="$key "
        printf -v "CONF_$key" '%s' "$value"
    done < "$file"
    [[ -n $CONF_modules && -n $CONF_launcher ]] || die "jlink.conf: 'modules' and 'launcher' are required"
    case $CONF_cache in auto|cds) ;; *) die "jlink.conf: cache must be 'auto' or 'cds', not '$CONF_cache'" ;; esac
}

# ---------------------------------------------------------------- steps

sha256() {
    if command -v sha256sum >/dev/null; then sha256sum "$@"; else shasum -a 256 "$@"; fi
}

# Test sources the training session is made of (the sandbox, the stdio client, the session): they
# decide what the cache holds, so they are inputs of the image too.
training_sources() {
    (cd "$ROOT" && { find test/clarimcp/sandbox -name '*.java' ! -name '*Test.java'
        printf '%s\n' test/clarimcp/e2e/Launcher.java test/clarimcp/bench/AotTraining.java test/clarimcp/json/ObjBuilder.java; } | LC_ALL=C sort)
}

# One hash over every input of the build (sources, training sources, jlink.conf, this script, the
# JDK), so an unchanged tree is not rebuilt. Paths are hashed with contents so a rename also counts.
input_stamp() {
    {
        printf '%s %s\n' "$JDK" "$(jdk_version "$JDK")"
        { (cd "$ROOT" && find src -type f | LC_ALL=C sort); training_sources; } | while IFS= read -r f; do
            printf '%s\n' "$f"; sha256 < "$ROOT/$f"; done
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

# link_image <module path> <module> <launcher name=module/main> <output>: the modules of jlink.conf
# plus <module>, with jlink.conf's options; JVM options baked in with --add-options.
link_image() {
    local modules options=() args=() jvm_options=$CONF_jvm_options out=$4
    modules=$CONF_modules
    (( JDK_FEATURE >= 22 )) || modules+=${CONF_modules_before_jdk22:+,$CONF_modules_before_jdk22}
    (( JDK_FEATURE < 25 )) || jvm_options+=${CONF_jvm_options_from_jdk25:+ $CONF_jvm_options_from_jdk25}
    modules=$(printf '%s' "$modules" | tr -d '[:space:]')
    read -r -a options <<< "$CONF_options"
    args=(--module-path "$1" --add-modules "$modules,$2" --launcher "$3" --output "$out")
    [[ -n $jvm_options ]] && args+=("--add-options=$jvm_options")
    rm -rf "$out"              # jlink refuses to write into an existing directory
    if ! "$JDK/bin/jlink" ${options[@]+"${options[@]}"} "${args[@]}"; then
        [[ -d $JDK/jmods ]] || say "note: $JDK has no jmods/; linking without them needs a JDK 24+ built with a linkable runtime"
        die "jlink failed"
    fi
}

# ---------------------------------------------------------------- start-up cache
#
# Two steps on every JDK, so JDK 21-23 (AppCDS) and 24+ (AOT cache) share one path:
#   record  the training session runs the image through a launcher identical to the real one but
#           for the option that records which classes (and, for AOT, which profiles and linkages)
#           the session used;
#   create  a JVM of the same image, with the same baked options, turns that record into the cache.
# The JVM options must match at run time, and they do by construction: they are baked into the
# image, and the launchers differ only in the cache option.

# cache_file <image> <launcher name>: lib/<name>.aot (AOT cache) or lib/<name>.jsa (AppCDS archive).
cache_file() { printf '%s/lib/%s.%s' "$1" "$2" "$([[ $CACHE_KIND == aot ]] && echo aot || echo jsa)"; }

# The run-time option, for a launcher to append the cache path to (quoted by the caller).
cache_run_option() { [[ $CACHE_KIND == aot ]] && printf -- '-XX:AOTCache=' || printf -- '-XX:SharedArchiveFile='; }

# Single-quotes $1 for sh (the training launcher embeds absolute build paths, which may hold spaces).
sq() { local q="'\''"; printf "'%s'" "${1//\'/$q}"; }

# Windows (Git Bash) java wants native paths.
native() { if command -v cygpath >/dev/null; then cygpath -w "$1"; else printf '%s' "$1"; fi; }

# write_launcher <image> <name=module/main>: the one command an MCP client runs. jlink's own script
# neither quotes its directory nor execs the JVM: a path with a space breaks it, and a client's
# SIGTERM stops only the shell, leaving the JVM behind (seen with JDK 25). This one does both, and
# follows symbolic links to itself (e.g. from /usr/local/bin) to find bin/. On Windows jlink writes a
# .bat, which gets the same cache option.
write_launcher() {
    local name=${2%%=*} main=${2#*=} cache
    cache=$(basename "$(cache_file "$1" "$name")")
    if [[ -f $1/bin/$name.bat && ! -f $1/bin/$name ]]; then
        printf '%s\r\n' '@echo off' \
            "rem Starts $name from this runtime image; JVM options: lib/modules (jlink.conf), cache: lib/$cache." \
            "\"%~dp0java.exe\" $(cache_run_option)\"%~dp0..\\lib\\$cache\" -m $main %*" > "$1/bin/$name.bat"
        return
    fi
    cat > "$1/bin/$name" <<EOF
#!/bin/sh
# Starts $name from this runtime image. Its JVM options are baked into lib/modules (see jlink.conf);
# lib/$cache was trained with exactly those options at build time. exec: the MCP client's
# signals reach the JVM itself. Symbolic links to this script are followed to find bin/.
self=\$0
while [ -h "\$self" ]; do
    link=\$(readlink "\$self")
    case \$link in
        /*) self=\$link ;;
        *) self=\${self%/*}/\$link ;;
    esac
done
case \$self in
    */*) bin=\${self%/*} ;;
    *) bin=. ;;
esac
exec "\$bin/java" $(cache_run_option)"\$bin/../lib/$cache" -m $main "\$@"
EOF
    chmod +x "$1/bin/$name"
}

# write_record_launcher <image> <module/main> <record file> <script>: the launcher of the training run.
write_record_launcher() {
    local record
    if [[ $CACHE_KIND == aot ]]; then
        record="-XX:AOTMode=record -XX:AOTConfiguration=$(sq "$(native "$3")")"
    else
        record="-XX:DumpLoadedClassList=$(sq "$(native "$3")")"
    fi
    if command -v cygpath >/dev/null; then
        record=${record//\'/\"}
        printf '%s\r\n' '@echo off' "\"$(native "$1/bin/java.exe")\" $record -m $2 %*" > "$4.bat"
        printf '%s' "$4.bat"
        return
    fi
    printf '%s\n' '#!/bin/sh' "# Training launcher: as bin/ of $1, but recording (build.sh)." \
        "exec $(sq "$1/bin/java") $record -m $2 \"\$@\"" > "$4"
    chmod +x "$4"
    printf '%s' "$4"
}

# create_cache <image> <launcher name> <module/main> <record file>: the cache from the record, by the
# image's own JVM (so with the same baked options).
create_cache() {
    local java=$1/bin/java cache main=$3 record=$4
    cache=$(cache_file "$1" "$2")
    rm -f "$cache"
    if [[ $CACHE_KIND == aot ]]; then
        env -u JAVA_TOOL_OPTIONS -u JDK_JAVA_OPTIONS -u _JAVA_OPTIONS "$java" -XX:AOTMode=create \
            -XX:AOTConfiguration="$(native "$record")" -XX:AOTCache="$(native "$cache")" -m "$main"
    else
        env -u JAVA_TOOL_OPTIONS -u JDK_JAVA_OPTIONS -u _JAVA_OPTIONS "$java" -Xshare:dump \
            -XX:SharedClassListFile="$(native "$record")" -XX:SharedArchiveFile="$(native "$cache")" -m "$main"
    fi
    [[ -s $cache ]]
}

with_timeout() {
    if command -v timeout >/dev/null; then timeout "$TRAINING_TIMEOUT" "$@"
    elif command -v gtimeout >/dev/null; then gtimeout "$TRAINING_TIMEOUT" "$@"
    else "$@"     # AotTraining bounds itself too
    fi
}

# The training session's classes (the sandbox, the stdio client, AotTraining), compiled against
# build/classes; run in the background while jlink links (2 cores: ~2 s saved).
compile_training() {
    rm -rf "$AOT"
    mkdir -p "$AOT/classes"
    training_sources > "$AOT/sources.list"
    (cd "$ROOT" && "$JDK/bin/javac" --release 21 -encoding UTF-8 -proc:none -nowarn \
        -cp "$(native "$BUILD/classes")" -d "$(native "$AOT/classes")" @"$AOT/sources.list")
}

# The product's training: test/clarimcp/bench/AotTraining drives initialize, tools/list and every tool
# (each an HTTP round trip) through the record launcher against the sandbox on 127.0.0.1.
train_product() {
    local record launcher log=$AOT/training.log sep=:
    command -v cygpath >/dev/null && sep=';'
    record=$AOT/training.$([[ $CACHE_KIND == aot ]] && echo aotconf || echo classlist)
    launcher=$(write_record_launcher "$IMAGE" "${CONF_launcher#*=}" "$record" "$AOT/record-launcher")
    if ! with_timeout env -u JAVA_TOOL_OPTIONS -u JDK_JAVA_OPTIONS -u _JAVA_OPTIONS "$JDK/bin/java" \
            -cp "$(native "$AOT/classes")$sep$(native "$BUILD/classes")" -Dclarimcp.launcher="$(native "$launcher")" \
            "$TRAINING_MAIN" > "$log" 2>&1 </dev/null; then
        sed 's/^/  | /' "$log" >&2
        die "training session failed (log: build/aot/training.log)"
    fi
    create_cache "$IMAGE" "${CONF_launcher%%=*}" "${CONF_launcher#*=}" "$record" >> "$log" 2>&1 \
        || { sed 's/^/  | /' "$log" >&2; die "cache creation failed (log: build/aot/training.log)"; }
    rm -f "$record"            # large, and only the cache is used
    grep '^training:' "$log" | sed 's/^/build.sh: /' >&2 || true
}

# verify_cache <image> <launcher name> <main class>: runs the real launcher through initialize and
# tools/list with class loading logged (_JAVA_OPTIONS is read after every other option, so it
# survives the baked -Xlog:disable) and fails unless the main class and at least MIN_CACHED_PERCENT
# of all classes came from the cache. A JVM that cannot use a cache (other options, other JDK, a
# moved module) starts without it and says little: this is how the build finds out.
verify_cache() {
    local out log=$AOT/verify-$2.log cached from_image total program=$1/bin/$2
    [[ -f $program.bat && ! -f $program ]] && program=$program.bat
    mkdir -p "$AOT"
    out=$(printf '%s\n' "$INIT_LINE" "$LIST_LINE" | env -i PATH="$PATH" CLARI_API_TOKEN=verify \
        CLARI_BASE_URL=http://127.0.0.1:9/v4 _JAVA_OPTIONS='-Xlog:class+load=info:stderr' \
        "$program" 2> "$log") || die "the launcher $program failed (log: ${log#"$ROOT"/})"
    [[ $out == *'"id":0,"result"'* && $out == *'"id":1,"result"'* ]] \
        || die "the launcher did not answer initialize and tools/list (log: ${log#"$ROOT"/})"
    cached=$(grep -c 'source: shared objects file' "$log" || true)
    from_image=$(grep -c 'source: jrt:/' "$log" || true)
    total=$((cached + from_image))
    grep -q "\] $3 source: shared objects file" "$log" && (( total > 0 && cached * 100 >= total * MIN_CACHED_PERCENT )) || {
        grep -E '\[(warning|error)\]' "$log" | sed 's/^/  | /' >&2 || true
        die "the start-up cache is NOT used: $3 $(grep -o "\] $3 source: .*" "$log" | sed 's/.*source: /came from /' || echo 'not seen');" \
            "$cached of $total classes from the cache (log: ${log#"$ROOT"/})"
    }
    say "cache in use: $cached of $total classes loaded from $(basename "$(cache_file "$1" "$2")")$( ((from_image == 0)) \
        || echo ", $from_image from lib/modules")"
}

# --minimal-image: the bench's yardstick, a tiny module made into an image exactly like the product
# (same modules and options, launcher, cache, verification), trained on the same two messages.
minimal_image() {
    local src=$BUILD/bench/minimal-src classes=$BUILD/bench/minimal-classes out=$BUILD/bench/minimal-image
    local name=minimal main=minimal/clarimcp.bench.Minimal record launcher
    rm -rf "$src" "$classes"
    mkdir -p "$src/clarimcp/bench" "$classes" "$AOT"
    cp "$ROOT/test/clarimcp/bench/Minimal.java" "$src/clarimcp/bench/"
    printf '%s\n' "module minimal { requires java.net.http; }" > "$src/module-info.java"
    "$JDK/bin/javac" --release 21 -encoding UTF-8 -proc:none -d "$classes" \
        "$src/module-info.java" "$src/clarimcp/bench/Minimal.java"
    link_image "$classes" minimal "$name=$main" "$out"
    write_launcher "$out" "$name=$main"
    record=$AOT/minimal.$([[ $CACHE_KIND == aot ]] && echo aotconf || echo classlist)
    launcher=$(write_record_launcher "$out" "$main" "$record" "$AOT/minimal-record-launcher")
    printf '%s\n' "$INIT_LINE" "$LIST_LINE" | env -i PATH="$PATH" "$launcher" > /dev/null 2> "$AOT/minimal-training.log" \
        || die "minimal training run failed (log: build/aot/minimal-training.log)"
    create_cache "$out" "$name" "$main" "$record" >> "$AOT/minimal-training.log" 2>&1 \
        || die "minimal cache creation failed (log: build/aot/minimal-training.log)"
    rm -f "$record"
    verify_cache "$out" "$name" clarimcp.bench.Minimal
    say "minimal image build/bench/minimal-image: $(du -sh "$out" | cut -f1)"
}

report() {
    local size cache
    size=$(du -sh "$IMAGE" | cut -f1)
    cache=$(cache_file "$IMAGE" "${CONF_launcher%%=*}")
    (cd "$BUILD" && sha256 clari-revops-mcp.jar image/lib/modules) | sed 's/^/build.sh: sha256 /' >&2
    say "image build/image: $size (lib/modules $(du -h "$IMAGE/lib/modules" | cut -f1), cache ${cache#"$BUILD"/} $(du -h "$cache" | cut -f1)," \
        "modules: $("$IMAGE/bin/java" --list-modules | sed 's/@.*//' | LC_ALL=C sort | paste -sd, -)); launcher build/image/bin/${CONF_launcher%%=*}"
}

# ---------------------------------------------------------------- main

mode=${1:-}
case $mode in
    --print-java-home) find_java_home; exit ;;
    ""|--minimal-image) ;;
    --verify-image) [[ -d ${2:-} ]] || die "usage: build.sh --verify-image DIR" ;;
    *) die "unknown argument '$1' (usage: build.sh [--print-java-home | --minimal-image | --verify-image DIR])" ;;
esac

JDK=$(find_java_home)
readonly JDK
JDK_FEATURE=$(feature_of "$(jdk_version "$JDK")")
readonly JDK_FEATURE
say "using JDK $(jdk_version "$JDK") at $JDK"
read_conf
CACHE_KIND=cds
[[ $CONF_cache == auto ]] && (( JDK_FEATURE >= 24 )) && CACHE_KIND=aot
readonly CACHE_KIND
mkdir -p "$BUILD"

if [[ $mode == --minimal-image ]]; then
    minimal_image
    exit
fi
if [[ $mode == --verify-image ]]; then
    verify_cache "$(cd "$2" && pwd -P)" "${CONF_launcher%%=*}" "$MAIN_CLASS"
    exit
fi

stamp=$(input_stamp)
if [[ -f $BUILD/.stamp && $(< "$BUILD/.stamp") == "$stamp" && -f $JAR && -x $IMAGE/bin/java && -s $(cache_file "$IMAGE" "${CONF_launcher%%=*}") ]]; then
    say "up to date"
else
    rm -f "$BUILD/.stamp"
    compile
    compile_training > "$BUILD/training-javac.log" 2>&1 &
    training_javac=$!
    package_jar
    link_image "$JAR" "$MODULE" "$CONF_launcher" "$IMAGE"
    wait "$training_javac" || { cat "$BUILD/training-javac.log" >&2
        die "cannot compile the training session (test/clarimcp/sandbox, e2e/Launcher, bench/AotTraining)"; }
    train_product
    write_launcher "$IMAGE" "$CONF_launcher"
    verify_cache "$IMAGE" "${CONF_launcher%%=*}" "$MAIN_CLASS"
    printf '%s\n' "$stamp" > "$BUILD/.stamp"
fi
report
