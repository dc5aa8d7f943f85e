#!/usr/bin/env bash
# `make dist`: release files for the platform this runs on, in build/dist/:
#   clari-revops-mcp-<version>-<os>-<arch>.tar.gz   the runtime image (a .zip on Windows), unpacked it is
#                                                   clari-revops-mcp-<version>/bin/clari-revops-mcp
#   clari-revops-mcp-<version>-<os>-<arch>.mcpb     the MCP Bundle Claude Desktop installs in one click:
#                                                   manifest.json + server/ (the image) + README.md
#   <each>.sha256                                   its SHA-256, as sha256sum -c reads it
# Each is unpacked again and started from there (build.sh --verify-image: initialize and tools/list
# answered, start-up cache in use). When npm can install @anthropic-ai/mcpb, the manifest is also
# validated against the published schema and the bundle's server is started from the command line Claude
# Desktop would derive (packaging/check-bundle.mjs); npm is never required.
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

[[ -x $IMAGE/bin/java ]] || die "no image; run 'make' first"
JDK=$("$ROOT/build.sh" --print-java-home)
version=$(sed -n 's/.*String VERSION = "\([^"]*\)";.*/\1/p' "$ROOT/src/clarimcp/Main.java")
[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.-]+)?$ ]] || die "cannot read VERSION from src/clarimcp/Main.java"

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
cp "$ROOT/README.md" "$DIST/stage/clari-revops-mcp-$version/"
if [[ $platform == win32 ]]; then
    (cd "$DIST/stage" && zip -q -r -X "$DIST/$base.zip" "clari-revops-mcp-$version")
    archive=$base.zip
    (cd "$DIST/check" && unzip -q "$DIST/$archive")
else
    (cd "$DIST/stage" && tar -czf "$DIST/$base.tar.gz" "clari-revops-mcp-$version")
    archive=$base.tar.gz
    tar -xzf "$DIST/$archive" -C "$DIST/check"
fi
"$ROOT/build.sh" --verify-image "$DIST/check/clari-revops-mcp-$version"

# ---------------------------------------------------------------- MCP Bundle
cp -R "$IMAGE/." "$DIST/bundle/server/"
cp "$ROOT/README.md" "$DIST/bundle/"
printf '%s\n' '{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"dist.sh","version":"1"}}}' \
    '{"jsonrpc":"2.0","id":1,"method":"tools/list"}' \
    | env -i PATH="$PATH" "$IMAGE/bin/$launcher" 2>/dev/null | sed -n 2p > "$DIST/tools-list.json"
"$JDK/bin/java" -cp "$ROOT/build/classes" "$ROOT/packaging/Manifest.java" "$ROOT/packaging/manifest.json" \
    "$DIST/tools-list.json" "$version" "$platform" "$IMAGE" > "$DIST/bundle/manifest.json"
command -v zip >/dev/null || die "zip is needed to pack the bundle"
(cd "$DIST/bundle" && zip -q -r -X "$DIST/$base.mcpb" manifest.json README.md server)
mkdir -p "$DIST/check/bundle"
(cd "$DIST/check/bundle" && unzip -q "$DIST/$base.mcpb")
"$ROOT/build.sh" --verify-image "$DIST/check/bundle/server"

# Optional: the published validator and Claude Desktop's own variable substitution.
# Installed once into build/mcpb-cli (kept across runs; make clean removes it).
cli=$ROOT/build/mcpb-cli
mcpb=$cli/node_modules/@anthropic-ai/mcpb
if command -v npm >/dev/null && command -v node >/dev/null \
        && { [[ -x $cli/node_modules/.bin/mcpb && $(sed -n 's/.*"version": *"\([^"]*\)".*/\1/p' "$mcpb/package.json") == "$MCPB_VERSION" ]] \
             || bounded npm install --prefix "$cli" --no-audit --no-fund --silent "@anthropic-ai/mcpb@$MCPB_VERSION" >/dev/null 2>&1; } \
        && [[ -x $cli/node_modules/.bin/mcpb ]]; then
    "$cli/node_modules/.bin/mcpb" validate "$DIST/bundle/manifest.json" >&2 || die "the manifest does not validate"
    node "$ROOT/packaging/check-bundle.mjs" "$mcpb" "$DIST/check/bundle" || die "the bundle's server does not start as Claude Desktop would start it"
else
    say "npm could not install @anthropic-ai/mcpb@$MCPB_VERSION (offline?): manifest schema validation skipped"
fi

(cd "$DIST" && sha256 "$archive" > "$archive.sha256" && sha256 "$base.mcpb" > "$base.mcpb.sha256")
rm -rf "$DIST/stage" "$DIST/bundle" "$DIST/check" "$DIST/tools-list.json"
say "build/dist/$archive ($(du -h "$DIST/$archive" | cut -f1)), build/dist/$base.mcpb ($(du -h "$DIST/$base.mcpb" | cut -f1)), each with a .sha256"
