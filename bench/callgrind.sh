#!/usr/bin/env bash
# Instructions per query of handle_query on the generated mail workload,
# counted by callgrind around the query loop only (no load time). Stable
# across runs and machine load: the signal to track for hot-path changes.
# usage: bench/callgrind.sh [QUERIES=20000] [DO=0]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
N="${1:-20000}"
DO="${2:-0}"
W="${MAILNS_BENCH_WORKLOAD:-/tmp/mailns-bench-workload}"
[ -f "$W/queries.txt" ] || python3 "$ROOT/../shared/tools/gen_zones.py" "$W" 1000
OUT="$(mktemp /tmp/mailns-callgrind.XXXXXX)"
valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$OUT" \
  "$ROOT/build/bench/query_instructions" "$W" "$N" "$DO" >/dev/null 2>&1
TOTAL=$(callgrind_annotate "$OUT" | awk '/PROGRAM TOTALS/ {gsub(",","",$1); print $1}')
echo "handle_query: $((TOTAL / N)) instructions/query over $N queries (DO=$DO)"
callgrind_annotate "$OUT" | sed -n '/file:function/,$p' | head -15
rm -f "$OUT"
