#!/bin/sh
# Builds a libFuzzer target (handle_query_fuzz, or $FUZZ_TARGET, e.g.
# xfr_request_fuzz or text_input_fuzz) in its own clang build directory and runs it for a
# bounded time over its seed corpus (corpus/, or xfr_corpus/ for the
# transfer target).
#
#   tests/fuzz/run.sh [SECONDS] [extra libFuzzer flags...]
#
# SECONDS defaults to 60 (or $FUZZ_SECONDS). The build directory defaults to
# build-fuzz/ at the top of the tree ($FUZZ_BUILD_DIR). New inputs go to
# $FUZZ_BUILD_DIR/fuzz-corpus (the seeds in tests/fuzz/corpus are only read);
# a crashing input is written to $FUZZ_BUILD_DIR/fuzz-artifacts/ and the
# script exits non-zero. Re-run one input with:
#   $FUZZ_BUILD_DIR/tests/fuzz/handle_query_fuzz path/to/crash-...
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
seconds=${1:-${FUZZ_SECONDS:-60}}
[ $# -gt 0 ] && shift
build=${FUZZ_BUILD_DIR:-$root/build-fuzz}
target=${FUZZ_TARGET:-handle_query_fuzz}
seeds=$here/corpus
corpus=$build/fuzz-corpus
if [ "$target" = xfr_request_fuzz ]; then
  seeds=$here/xfr_corpus
  corpus=$build/fuzz-corpus-xfr
elif [ "$target" = text_input_fuzz ]; then
  seeds=$here/text_corpus
  corpus=$build/fuzz-corpus-text
fi

CC=${CC:-clang} CXX=${CXX:-clang++} cmake -S "$root" -B "$build" -G Ninja \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMAILNS_FUZZ=ON -DMAILNS_BENCH=OFF >/dev/null
ninja -C "$build" "$target"

mkdir -p "$corpus" "$build/fuzz-artifacts"
# -max_len: the largest DNS message (TCP); -timeout: a single input may take 10 s at most.
exec "$build/tests/fuzz/$target" \
  -max_total_time="$seconds" -max_len=65535 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$build/fuzz-artifacts/" "$@" \
  "$corpus" "$seeds"
