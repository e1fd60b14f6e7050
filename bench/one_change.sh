#!/usr/bin/env bash
# Publishing one change in a large signed zone (issue 18): a master-file zone
# of RECORDS records (half A, half TXT, RECORDS/2 names), signed with ECDSA
# P-256 and NSEC3 (or NSEC: DENIAL=nsec), served on loopback. One TXT value is
# changed and `mailns reload` run; printed: the time from the reload until
# the new serial is answered, the reload's own time, and the IXFR that
# publishes the change (records and bytes as dig counts them) beside the
# whole zone's AXFR. BEFORE=path/to/an/older/mailns runs the same with that
# binary first (e.g. a build from before incremental signing).
# A benchmark, not a test: it prints figures and never fails on timing.
# usage: bench/one_change.sh [RECORDS=10000]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
RECORDS="${1:-10000}"
DENIAL="${DENIAL:-nsec3}"
MAILNS="${MAILNS_BIN:-$ROOT/build/server/mailns}"
W="$(mktemp -d /tmp/mailns-one-change.XXXXXX)"
PID=""
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$W"; }
trap cleanup EXIT
[ -x "$MAILNS" ] || { echo "build mailns first (scripts/build.sh)" >&2; exit 1; }

zone() {  # $1: the value of h0's TXT
  echo '$ORIGIN big.test.'
  echo '@ 3600 IN SOA ns1 hostmaster 1 7200 3600 1209600 300'
  echo '@ 3600 IN NS ns1'
  echo 'ns1 3600 IN A 192.0.2.53'
  awk -v n="$((RECORDS / 2))" -v first="$1" 'BEGIN {
    for (i = 0; i < n; i++) {
      printf "h%d 3600 IN A 10.%d.%d.%d\n", i, int(i / 65536) % 256, int(i / 256) % 256, i % 256
      printf "h%d 3600 IN TXT \"%s\"\n", i, (i == 0 ? first : "v=spf1 -all " i)
    }
  }'
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
serial() { dig +time=1 +tries=1 +short @127.0.0.1 -p "$PORT" big.test SOA 2>/dev/null | awk '$3 ~ /^[0-9]+$/ {print $3}'; }
ms() { echo $(( $(date +%s%N) / 1000000 )); }
xfr_size() {  # "records bytes" of a transfer
  dig +tcp +time=30 @127.0.0.1 -p "$PORT" "$@" 2>/dev/null |
    awk '/XFR size/ {gsub(/[(),]/, " "); print $4, $9}'
}

run() {  # $1: label, $2: binary
  local label="$1" bin="$2" d="$W/$1"
  mkdir -p "$d"
  PORT="$(free_port)"
  zone "v=spf1 mx -all" > "$d/big.test.zone"
  cat > "$d/mailns.yaml" <<YAML
server: { listen: [127.0.0.1:$PORT], threads: 1, watch_files: false, state_dir: state, log_level: warn }
dnssec: { enabled: true, algorithm: ecdsap256sha256, keys: csk, denial: $DENIAL, key_dir: state/keys }
allow_transfer: [127.0.0.0/8]
zones:
  - { origin: big.test, file: big.test.zone }
YAML
  "$bin" serve -c "$d/mailns.yaml" > "$d/serve.log" 2>&1 &
  PID=$!
  for _ in $(seq 1 600); do [ -n "$(serial)" ] && break; sleep 0.1; done
  local before; before="$(serial)"
  [ -n "$before" ] || { echo "$label: mailns did not answer" >&2; cat "$d/serve.log" >&2; return 1; }
  zone "v=spf1 mx ~all" > "$d/big.test.zone"
  local t0 t1 reload_s
  t0="$(ms)"
  reload_s="$("$bin" reload -c "$d/mailns.yaml" | awk '/^reload:/ {for (i = 1; i <= NF; i++) if ($(i+1) == "s)") print $i}')"
  while [ "$(serial)" = "$before" ]; do
    [ $(( $(ms) - t0 )) -gt 60000 ] && { echo "$label: the new serial was not served" >&2; return 1; }
    sleep 0.005
  done
  t1="$(ms)"
  read -r ixfr_records ixfr_bytes <<< "$(xfr_size big.test "IXFR=$before")"
  read -r axfr_records axfr_bytes <<< "$(xfr_size big.test AXFR)"
  printf "%-8s %8d ms %10s s %8s %10s %8s %10s\n" "$label" "$((t1 - t0))" "$reload_s" "$ixfr_records" \
    "$ixfr_bytes" "$axfr_records" "$axfr_bytes"
  kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""
}

echo "one TXT value changed in a signed zone of $RECORDS records ($DENIAL), then mailns reload"
printf "%-8s %11s %12s %8s %10s %8s %10s\n" "" "to served" "reload" "IXFR rr" "IXFR bytes" "AXFR rr" "AXFR bytes"
[ -n "${BEFORE:-}" ] && run before "$BEFORE"
run after "$MAILNS"
