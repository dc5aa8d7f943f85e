#!/usr/bin/env bash
# `make clients`: README's Claude Code command, run as README shows it, with the real `claude` CLI from npm
# in a throw-away HOME against the Clari sandbox: `claude mcp add …` (README's words, with the token, the
# launcher path and the sandbox's CLARI_BASE_URL filled in), then `claude mcp list` must show Connected.
# Needs the network once (npm; the CLI is kept in build/clients); when npm cannot install it, says so and
# exits 0 (skipped). Not part of `make test`: it needs npm, and no test may need the network. The offline
# half (the command's argument order as README shows it) is CliTest.readme_claudeCodeCommand_*.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
readonly ROOT
readonly CLAUDE_CODE_VERSION=2.1.332   # the CLI this was checked with
readonly NPM_TIMEOUT=300               # seconds for the one-time npm install (a large package)
readonly WAIT=60                       # seconds for the sandbox to start and for each claude command

say() { printf 'clients.sh: %s\n' "$*" >&2; }
die() { say "FAIL: $*"; exit 1; }
bounded() { if command -v timeout >/dev/null; then timeout "$1" "${@:2}"; else "${@:2}"; fi; }

cli=$ROOT/build/clients
pkg=$cli/node_modules/@anthropic-ai/claude-code/package.json
installed() { [[ -x $cli/node_modules/.bin/claude && -f $pkg ]] && grep -q "\"version\": *\"$CLAUDE_CODE_VERSION\"" "$pkg"; }
if ! installed; then
    if ! command -v npm >/dev/null; then say "SKIPPED: npm is not installed, so @anthropic-ai/claude-code cannot be fetched"; exit 0; fi
    if ! bounded "$NPM_TIMEOUT" npm install --prefix "$cli" --no-audit --no-fund --silent \
            "@anthropic-ai/claude-code@$CLAUDE_CODE_VERSION" >/dev/null 2>&1 || ! installed; then
        say "SKIPPED: npm could not install @anthropic-ai/claude-code@$CLAUDE_CODE_VERSION (offline or registry unreachable)"
        exit 0
    fi
fi

tmp=$(mktemp -d)
sandbox_pid=
cleanup() { [[ -n $sandbox_pid ]] && kill "$sandbox_pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
bash "$ROOT/test/demo.sh" --sandbox > "$tmp/sandbox.out" 2>&1 &
sandbox_pid=$!
for ((i = 0; i < WAIT * 10; i++)); do
    grep -q '^export CLARI_API_TOKEN=' "$tmp/sandbox.out" && break
    kill -0 "$sandbox_pid" 2>/dev/null || die "the sandbox did not start: $(cat "$tmp/sandbox.out")"
    sleep 0.1
done
url=$(sed -n 's/^export CLARI_BASE_URL=//p' "$tmp/sandbox.out")
token=$(sed -n 's/^export CLARI_API_TOKEN=//p' "$tmp/sandbox.out")
[[ -n $url && -n $token ]] || die "no sandbox URL and token within $WAIT s"

# README's command: the sh block under "### Register with Claude Code", continuation lines joined.
readme_cmd=$(awk '/^### Register with Claude Code/ { s = 1 } s && /^```sh/ { b = 1; next } b && /^```/ { exit } b' "$ROOT/README.md")
readme_cmd=${readme_cmd//$'\\\n'/}
[[ $readme_cmd == "claude mcp add "* ]] || die "README's Claude Code block does not start with 'claude mcp add': $readme_cmd"
[[ $readme_cmd != *[\"\'\$\`]* ]] || die "README's command holds quotes or expansions; this script splits it on spaces"
read -r -a words <<< "$readme_cmd"
args=()
for w in "${words[@]}"; do
    case $w in
        CLARI_API_TOKEN=*) args+=("CLARI_API_TOKEN=$token") ;;
        --) args+=(--env "CLARI_BASE_URL=$url" --) ;;   # the sandbox instead of Clari, in the same place as README's --env
        /*/bin/clari-revops-mcp) args+=("$ROOT/build/image/bin/clari-revops-mcp") ;;
        *) args+=("$w") ;;
    esac
done
say "running README's command: ${args[*]/$token/***}"

mkdir -p "$tmp/home"
export HOME=$tmp/home PATH=$cli/node_modules/.bin:$PATH
(cd "$tmp/home" && bounded "$WAIT" "${args[@]}") >&2 || die "README's 'claude mcp add' command failed"
list=$(cd "$tmp/home" && bounded "$WAIT" claude mcp list 2>&1) || die "claude mcp list failed: $list"
printf '%s\n' "$list" >&2
grep -q '^clari: .* Connected' <<< "$list" || die "claude mcp list does not show clari Connected"
say "OK: README's Claude Code command registers the server and claude mcp list shows it Connected (claude-code $CLAUDE_CODE_VERSION)"
