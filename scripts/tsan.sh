#!/usr/bin/env bash
# ThreadSanitizer run of the server tests that exercise threads: reloads
# under load, transfers during reloads, re-signing, the metrics and status
# endpoints, rate limiting and cookies, and the unit tests of the transport,
# transfers and publication. Builds build-tsan/ (gcc, -fsanitize=thread),
# runs them with every report written to build-tsan/tsan/, and fails when
# there is any report. Not part of scripts/test.sh (it takes about 25 min
# on 2 cores); run it after changing anything shared between threads.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMAILNS_BENCH=OFF \
  -DCMAKE_CXX_FLAGS="-fsanitize=thread" -DCMAKE_C_FLAGS="-fsanitize=thread" \
  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=thread" >/dev/null
cmake --build build-tsan -j"$(nproc)"
rm -rf build-tsan/tsan && mkdir -p build-tsan/tsan
TSAN_OPTIONS="log_path=$PWD/build-tsan/tsan/report halt_on_error=0 second_deadlock_stack=1" \
  ctest --test-dir build-tsan --timeout 900 -j2 \
  -R 'server_reload|server_restart_unchanged|xfr_reload_during_axfr|server_dnssec|server_rate_limit_cookies|server_integration|server_dkim_schedule|server_never_dark|server_metrics|server_status|xfr_knotd|Snapshot|UdpBatch|TcpQueryStream|TcpLimits|Ixfr|Notifier|Xfr|Resign|ZoneSigning|OnlineSigner' \
  || echo "tsan: some tests failed (under TSan they run 5-15 times slower; timing tests may); reports decide" >&2
if compgen -G "build-tsan/tsan/report*" >/dev/null; then
  grep -h "SUMMARY" build-tsan/tsan/report* | sort | uniq -c
  echo "tsan: reports in build-tsan/tsan/" >&2
  exit 1
fi
echo "tsan: no report"
