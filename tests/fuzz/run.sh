#!/bin/sh
# Builds libFuzzer targets in their own clang build directory and runs them
# for a bounded time over their seed corpora.
#
#   tests/fuzz/run.sh [SECONDS] [extra libFuzzer flags...]   one target:
#       handle_query_fuzz, or $FUZZ_TARGET (xfr_request_fuzz, text_input_fuzz,
#       signed_query_fuzz, zone_file_fuzz, tsig_fuzz, journal_file_fuzz, key_file_fuzz,
#       zone_wire_fuzz, declaration_fuzz, config_fuzz, state_files_fuzz)
#   tests/fuzz/run.sh all [SECONDS]                          every target, SECONDS
#       each (default 20: CI's bounded run), one after the other; prints the
#       executions of each
#
# SECONDS defaults to 60 (or $FUZZ_SECONDS). The build directory defaults to
# build-fuzz/ at the top of the tree ($FUZZ_BUILD_DIR). New inputs go to
# $FUZZ_BUILD_DIR/fuzz-corpus[-NAME] (the seeds in tests/fuzz/ are only read);
# a crashing input is written to $FUZZ_BUILD_DIR/fuzz-artifacts/ and the
# script exits non-zero. Re-run one input with:
#   $FUZZ_BUILD_DIR/tests/fuzz/handle_query_fuzz path/to/crash-...
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${FUZZ_BUILD_DIR:-$root/build-fuzz}
all_targets="handle_query_fuzz signed_query_fuzz xfr_request_fuzz tsig_fuzz journal_file_fuzz key_file_fuzz zone_wire_fuzz zone_file_fuzz declaration_fuzz config_fuzz text_input_fuzz state_files_fuzz"

configure() {
  CC=${CC:-clang} CXX=${CXX:-clang++} cmake -S "$root" -B "$build" -G Ninja \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMAILNS_FUZZ=ON -DMAILNS_BENCH=OFF >/dev/null
}

# seeds and corpus directories of a target
dirs() {
  case "$1" in
    xfr_request_fuzz|tsig_fuzz) seeds=$here/xfr_corpus ;;
    text_input_fuzz) seeds=$here/text_corpus ;;
    zone_file_fuzz) seeds=$here/zone_corpus ;;
    declaration_fuzz) seeds=$here/declaration_corpus ;;
    config_fuzz) seeds=$here/config_corpus ;;
    journal_file_fuzz) seeds=$here/journal_corpus ;;
    key_file_fuzz) seeds=$here/key_corpus ;;
    zone_wire_fuzz) seeds=$here/zone_wire_corpus ;;
    state_files_fuzz) seeds=$here/state_corpus ;;
    *) seeds=$here/corpus ;;
  esac
  corpus=$build/fuzz-corpus-$1
  [ "$1" = handle_query_fuzz ] && corpus=$build/fuzz-corpus
  [ "$1" = xfr_request_fuzz ] && corpus=$build/fuzz-corpus-xfr
  [ "$1" = text_input_fuzz ] && corpus=$build/fuzz-corpus-text
  mkdir -p "$corpus" "$build/fuzz-artifacts"
}

# -max_len: the largest DNS message (TCP); -timeout: a single input may take 10 s at most.
run_one() {
  target=$1 seconds=$2
  shift 2
  dirs "$target"
  "$build/tests/fuzz/$target" \
    -max_total_time="$seconds" -max_len=65535 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$build/fuzz-artifacts/" "$@" \
    "$corpus" "$seeds"
}

if [ "${1:-}" = all ]; then
  seconds=${2:-20}
  configure
  # shellcheck disable=SC2086
  ninja -C "$build" $all_targets
  summary=""
  for t in $all_targets; do
    log=$build/fuzz-$t.log
    if ! run_one "$t" "$seconds" >"$log" 2>&1; then
      tail -40 "$log"
      echo "fuzz: $t found a problem (see $log and $build/fuzz-artifacts/)" >&2
      exit 1
    fi
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    summary="$summary$t: $execs executions in $seconds s, no finding
"
  done
  printf '%s' "$summary"
  exit 0
fi

seconds=${1:-${FUZZ_SECONDS:-60}}
[ $# -gt 0 ] && shift
target=${FUZZ_TARGET:-handle_query_fuzz}
configure
ninja -C "$build" "$target"
run_one "$target" "$seconds" "$@"
