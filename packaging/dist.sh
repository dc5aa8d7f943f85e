#!/usr/bin/env bash
# `make dist`: release files for the platform this runs on, in build/dist/:
#   clari-revops-mcp-<version>-<os>-<arch>.tar.gz   the runtime image (a .zip on Windows), unpacked it is
#                                                   clari-revops-mcp-<version>/bin/clari-revops-mcp
#   clari-revops-mcp-<version>-<os>-<arch>.mcpb     the MCP Bundle Claude Desktop installs in one click:
#                                                   manifest.json + server/ (the image) + README.md +
#                                                   LICENSE (a "no license granted" notice) + icon.png
#   <each>.sha256                                   its SHA-256, as sha256sum -c reads it
# Archives hold files only, no folder entries (mcpb's unpack writes every entry as a file and fails with
# EISDIR on "server/"), with their modes (the launcher stays executable). Each is unpacked again and
# started from there (build.sh --verify-image: initialize and tools/list answered, start-up cache in use).
# When npm can install @anthropic-ai/mcpb, the official CLI also validates the manifest, unpacks the
# bundle, and the unpacked server is started from the command line Claude Desktop would derive
# (packaging/check-bundle.mjs); without npm that is skipped, saying so. A bundle serves one platform
# (the manifest's compatibility.platforms); the last line says which, and how to build the others.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
readonly ROOT
readonly IMAGE=$ROOT/build/image
readonly DIST=$ROOT/build/dist
readonly MCPB_VERSION=2.1.2          # the mcpb CLI used for validation (manifest_version 0.3 schema)
readonly NPM_TIMEOUT=180             # seconds for the optional npm install

say() { printf 'dist.sh: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }
sha256() { if command -v sha256sum >/dev/null; then sha256sum "$@"; else shasum -a 256 "$@"; fi; }
bounded() { if command -v timeout >/dev/null; then timeout "$NPM_TIMEOUT" "$@"; else "$@"; fi; }
# The files and symbolic links under $2 (relative to $1), sorted: archive entries without folder entries.
entries() { (cd "$1" && find "$2" ! -type d | LC_ALL=C sort); }

[[ -x $IMAGE/bin/java ]] || die "no image; run 'make' first"
JDK=$("$ROOT/build.sh" --print-java-home)
version=$(sed -n 's/.*String VERSION = "\([^"]*\)";.*/\1/p' "$ROOT/src/clarimcp/Help.java")
[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.-]+)?$ ]] || die "cannot read VERSION from src/clarimcp/Help.java"

# Platform names as MCP Bundles (Node's process.platform) and release files (os-arch) spell them.
case $(uname -s) in
    Linux) platform=linux os=linux ;;
    Darwin) platform=darwin os=macos ;;
    MINGW*|MSYS*|CYGWIN*) platform=win32 os=windows ;;
    *) die "unsupported OS $(uname -s)" ;;
esac
case $(uname -m) in
    x86_64|amd64) arch=x64 ;;
    aarch64|arm64) arch=arm64 ;;
    *) die "unsupported architecture $(uname -m)" ;;
esac
base=clari-revops-mcp-$version-$os-$arch
launcher=clari-revops-mcp
[[ $platform == win32 ]] && launcher=clari-revops-mcp.bat

rm -rf "$DIST"
mkdir -p "$DIST/stage/clari-revops-mcp-$version" "$DIST/bundle/server" "$DIST/check"

# ---------------------------------------------------------------- release archive
cp -R "$IMAGE/." "$DIST/stage/clari-revops-mcp-$version/"
cp "$ROOT/README.md" "$ROOT/packaging/LICENSE" "$DIST/stage/clari-revops-mcp-$version/"
entries "$DIST/stage" "clari-revops-mcp-$version" > "$DIST/entries"
if [[ $platform == win32 ]]; then
    (cd "$DIST/stage" && zip -q -X -D "$DIST/$base.zip" -@ < "$DIST/entries")
    archive=$base.zip
    (cd "$DIST/check" && unzip -q "$DIST/$archive")
else
    (cd "$DIST/stage" && tar --no-recursion -czf "$DIST/$base.tar.gz" -T "$DIST/entries")
    archive=$base.tar.gz
    tar -xzf "$DIST/$archive" -C "$DIST/check"
fi
"$ROOT/build.sh" --verify-image "$DIST/check/clari-revops-mcp-$version"

# ---------------------------------------------------------------- MCP Bundle
cp -R "$IMAGE/." "$DIST/bundle/server/"
cp "$ROOT/README.md" "$ROOT/packaging/LICENSE" "$ROOT/packaging/icon.png" "$DIST/bundle/"
printf '%s\n' '{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"dist.sh","version":"1"}}}' \
    '{"jsonrpc":"2.0","id":1,"method":"tools/list"}' \
    | env -i PATH="$PATH" "$IMAGE/bin/$launcher" 2>/dev/null | sed -n 2p > "$DIST/tools-list.json"
"$JDK/bin/java" -cp "$ROOT/build/classes" "$ROOT/packaging/Manifest.java" "$ROOT/packaging/manifest.json" \
    "$DIST/tools-list.json" "$version" "$platform" "$IMAGE" > "$DIST/bundle/manifest.json"
command -v zip >/dev/null || die "zip is needed to pack the bundle"
entries "$DIST/bundle" . | sed 's|^\./||' > "$DIST/entries"
(cd "$DIST/bundle" && zip -q -X -D "$DIST/$base.mcpb" -@ < "$DIST/entries")
! unzip -Z1 "$DIST/$base.mcpb" | grep -q '/$' || die "the bundle holds folder entries, which mcpb unpack cannot write"
mkdir -p "$DIST/check/bundle"
(cd "$DIST/check/bundle" && unzip -q "$DIST/$base.mcpb")
"$ROOT/build.sh" --verify-image "$DIST/check/bundle/server"

# Optional: the official CLI (validate, unpack) and Claude Desktop's own variable substitution.
# Installed once into build/mcpb-cli (kept across runs; make clean removes it).
cli=$ROOT/build/mcpb-cli
mcpb=$cli/node_modules/@anthropic-ai/mcpb
if command -v npm >/dev/null && command -v node >/dev/null \
        && { [[ -x $cli/node_modules/.bin/mcpb && $(sed -n 's/.*"version": *"\([^"]*\)".*/\1/p' "$mcpb/package.json") == "$MCPB_VERSION" ]] \
             || bounded npm install --prefix "$cli" --no-audit --no-fund --silent "@anthropic-ai/mcpb@$MCPB_VERSION" >/dev/null 2>&1; } \
        && [[ -x $cli/node_modules/.bin/mcpb ]]; then
    "$cli/node_modules/.bin/mcpb" validate "$DIST/bundle/manifest.json" >&2 || die "the manifest does not validate"
    "$cli/node_modules/.bin/mcpb" unpack "$DIST/$base.mcpb" "$DIST/check/mcpb" >&2 || die "mcpb unpack fails on the bundle"
    [[ -x $DIST/check/mcpb/server/bin/$launcher && -x $DIST/check/mcpb/server/bin/java ]] \
        || die "mcpb unpack did not keep the launcher's execute bits"
    "$ROOT/build.sh" --verify-image "$DIST/check/mcpb/server"
    node "$ROOT/packaging/check-bundle.mjs" "$mcpb" "$DIST/check/mcpb" || die "the unpacked bundle's server does not start as Claude Desktop would start it"
    say "mcpb $MCPB_VERSION: manifest valid; bundle unpacked; the unpacked server answered initialize"
else
    say "NOT CHECKED with the official tool: npm could not install @anthropic-ai/mcpb@$MCPB_VERSION (offline?), so the"
    say "  manifest was not validated against the published schema nor the bundle unpacked by mcpb (only by unzip)"
fi

(cd "$DIST" && sha256 "$archive" > "$archive.sha256" && sha256 "$base.mcpb" > "$base.mcpb.sha256")
rm -rf "$DIST/stage" "$DIST/bundle" "$DIST/check" "$DIST/tools-list.json" "$DIST/entries"
say "build/dist/$archive ($(du -h "$DIST/$archive" | cut -f1)), build/dist/$base.mcpb ($(du -h "$DIST/$base.mcpb" | cut -f1)), each with a .sha256"
# A bundle holds this machine's Java runtime and start-up cache (made by running it), so it serves one OS
# and architecture; mcpb's compatibility.platforms can only name the OS.
say "platforms: this bundle serves $os $arch only (manifest compatibility.platforms [\"$platform\"]). Claude Desktop runs on"
say "  macOS and Windows: run 'make dist' on a Mac (arm64 for Apple silicon, x64 for Intel) and on Windows x64 for theirs"
