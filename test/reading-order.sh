#!/usr/bin/env bash
# Rewrites the line counts of SECURITY.md's reading-order table from what test/audit.sh counts: rows keep their
# order and notes, files no longer in src/ are dropped, new files are added at the end (move them by hand to
# where an auditor should read them), rows are renumbered and the total row redone. Run it after changing src/;
# `make audit` then checks the table. Needs bash and awk only.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
counts=$(bash test/audit.sh 2>/dev/null | awk '$2 ~ /^src\/.*\.java$/ { sub(/^src\//, "", $2); print $2, $1 }' || true)
[[ -n $counts ]] || { echo "reading-order: no counts from test/audit.sh" >&2; exit 2; }
tmp=$(mktemp)
awk -v counts="$counts" '
BEGIN { n = split(counts, lines, "\n"); for (i = 1; i <= n; i++) { split(lines[i], f, " "); count[f[1]] = f[2]; order[i] = f[1] } }
/^\| # \| file \| lines \| \|$/ { print; getline; print; intable = 1; next }
intable && /^\|/ {
    if ($0 ~ /\*\*total\*\*/) next
    split($0, c, "|"); file = c[3]; gsub(/[ `]/, "", file); note = c[5]; sub(/^ /, "", note); sub(/ $/, "", note)
    if (file in count) { row++; printf "| %d | `%s` | %d | %s |\n", row, file, count[file], note; seen[file] = 1; total += count[file] }
    next
}
function finish() {
    for (i = 1; i <= n; i++) if (!(order[i] in seen)) { row++; printf "| %d | `%s` | %d |  |\n", row, order[i], count[order[i]]; total += count[order[i]] }
    printf "| | **total** | **%d** | %d files |\n", total, row; intable = 0
}
intable { finish() }
{ print }
END { if (intable) finish() }
' SECURITY.md > "$tmp"
mv "$tmp" SECURITY.md
echo "reading-order: SECURITY.md's table rewritten"
