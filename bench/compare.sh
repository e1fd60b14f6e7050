#!/usr/bin/env bash
# Serves the same generated mail zones with mailns and knotd (and nsd) on
# loopback, one worker each pinned to CPU 0, and measures each with
# ../shared/tools/cpuq.py (dnsperf on CPU 1): qps, server CPU us/query, RSS.
# Two rounds: unsigned (mailns, knotd, nsd) and signed with DO=1 queries
# (mailns and knotd both signing online with ECDSA P-256 and NSEC3, 0
# iterations, no salt; dnsperf -D). The unsigned round also measures a
# second mailns with dnstap on (queries and responses to fstrm_capture,
# which writes to /dev/null on CPU 1; the two alternate three times and
# their means are compared), for the cost of the query log, and a
# third with its metrics endpoint scraped every second. Rate limiting and
# cookies: mailns without cookies (-cookies) beside mailns with
# rate_limit (30000/s: nothing limited) and cookies (+rrl), with plain
# queries and with queries carrying a client cookie (dnsperf -E 10:...), and
# knotd beside knotd with its rrl and cookies modules (+rrl).
# A benchmark, not a test: it prints figures and never fails on timing.
# usage: bench/compare.sh [ZONES=1000] [SECONDS=10]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
N="${1:-1000}"
SECS="${2:-10}"
TOOLS="${MAILNS_TOOLS:-$ROOT/../shared/tools}"
MAILNS="${MAILNS_BIN:-$ROOT/build/server/mailns}"
W="$(mktemp -d /tmp/mailns-bench.XXXXXX)"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$W"; }
trap cleanup EXIT
. "$ROOT/bench/lib.sh"

[ -x "$MAILNS" ] || { echo "build mailns first (scripts/build.sh)" >&2; exit 1; }
python3 "$TOOLS/gen_zones.py" "$W" "$N"

wait_port() {  # wait until something answers on udp $1
  for _ in $(seq 1 300); do
    if dig +time=1 +tries=1 @127.0.0.1 -p "$1" "mail0.test" SOA >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  echo "server on port $1 did not come up" >&2; return 1
}

# mailns
MP=$(free_port)
mailns_conf "$MP" "$W/mailns-state" "$W/zones" "$W/domains.txt" > "$W/mailns.yaml"
taskset -c 0 "$MAILNS" serve -c "$W/mailns.yaml" > "$W/mailns.log" 2>&1 &
PIDS+=($!); MPID=$!

# mailns with dnstap: the same zones, every query and response logged.
MDP=$(free_port)
command -v fstrm_capture >/dev/null || { echo "fstrm_capture missing: scripts/install-deps.sh (fstrm-bin)" >&2; exit 1; }
taskset -c 1 fstrm_capture -t protobuf:dnstap.Dnstap -u "$W/dnstap.sock" -w /dev/null > "$W/fstrm.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 100); do [ -S "$W/dnstap.sock" ] && break; sleep 0.1; done
sed -e "s/127.0.0.1:$MP/127.0.0.1:$MDP/" -e "s|$W/mailns-state|$W/mailns-dnstap-state|" \
    -e "s|^  watch_files: false|  watch_files: false\n  dnstap: { socket: $W/dnstap.sock }|" "$W/mailns.yaml" > "$W/mailns-dnstap.yaml"
taskset -c 0 "$MAILNS" serve -c "$W/mailns-dnstap.yaml" > "$W/mailns-dnstap.log" 2>&1 &
PIDS+=($!); MDPID=$!

# mailns with metrics: the same zones, /metrics scraped once a second
# while it is measured (as a Prometheus server would, more often).
MMP=$(free_port); MMH=$(free_port)
sed -e "s/127.0.0.1:$MP/127.0.0.1:$MMP/" -e "s|$W/mailns-state|$W/mailns-metrics-state|" \
    -e "s|^  watch_files: false|  watch_files: false\n  metrics_listen: 127.0.0.1:$MMH|" "$W/mailns.yaml" > "$W/mailns-metrics.yaml"
taskset -c 0 "$MAILNS" serve -c "$W/mailns-metrics.yaml" > "$W/mailns-metrics.log" 2>&1 &
PIDS+=($!); MMPID=$!

# mailns without cookies (nothing but the zones), and with a rate limit
# no query reaches plus cookies: the cost of the policies on the query path.
M0P=$(free_port)
sed -e "s/127.0.0.1:$MP/127.0.0.1:$M0P/" -e "s|$W/mailns-state|$W/mailns-nocookie-state|" \
    -e "s|^  watch_files: false|  watch_files: false\n  cookies: false|" "$W/mailns.yaml" > "$W/mailns-nocookie.yaml"
taskset -c 0 "$MAILNS" serve -c "$W/mailns-nocookie.yaml" > "$W/mailns-nocookie.log" 2>&1 &
PIDS+=($!); M0PID=$!
MRP=$(free_port)
sed -e "s/127.0.0.1:$MP/127.0.0.1:$MRP/" -e "s|$W/mailns-state|$W/mailns-rrl-state|" \
    -e "s|^  watch_files: false|  watch_files: false\n  cookies: true\n  rate_limit: { responses_per_second: 30000, slip: 2 }|" \
    "$W/mailns.yaml" > "$W/mailns-rrl.yaml"
taskset -c 0 "$MAILNS" serve -c "$W/mailns-rrl.yaml" > "$W/mailns-rrl.log" 2>&1 &
PIDS+=($!); MRPID=$!
CLIENT_COOKIE="10:0102030405060708"

# knotd
KP=$(free_port)
mkdir -p "$W/knot/run" "$W/knot/db"
knot_conf "$W/knot" "$KP" "$W/zones" "$W/domains.txt" > "$W/knot.conf"
taskset -c 0 knotd -c "$W/knot.conf" > "$W/knot.log" 2>&1 &
PIDS+=($!); KPID=$!

# knotd with its response rate limiting and cookies modules, the same limit.
KRP=$(free_port)
mkdir -p "$W/knotr/run" "$W/knotr/db"
sed -e "s|$W/knot/|$W/knotr/|g" -e "s/127.0.0.1@$KP/127.0.0.1@$KRP/" \
    -e "s|^template:|mod-rrl:\n  - id: bench\n    rate-limit: 30000\n    slip: 2\nmod-cookies:\n  - id: bench\ntemplate:|" \
    -e "s|^    semantic-checks: off|    semantic-checks: off\n    global-module: [ mod-cookies/bench, mod-rrl/bench ]|" \
    "$W/knot.conf" > "$W/knot-rrl.conf"
taskset -c 0 knotd -c "$W/knot-rrl.conf" > "$W/knot-rrl.log" 2>&1 &
PIDS+=($!); KRPID=$!

# nsd (unsigned only)
NP=$(free_port)
mkdir -p "$W/nsd"
{
  cat <<EON
server:
  ip-address: 127.0.0.1@$NP
  server-count: 1
  username: ""
  chroot: ""
  zonesdir: "$W/zones"
  database: ""
  pidfile: "$W/nsd/nsd.pid"
  xfrdfile: "$W/nsd/xfrd.state"
  zonelistfile: "$W/nsd/zone.list"
  logfile: "$W/nsd/nsd.log"
  verbosity: 0
remote-control:
  control-enable: no
EON
  while read -r d; do printf 'zone:\n  name: %s\n  zonefile: %s.zone\n' "$d" "$d"; done < "$W/domains.txt"
} > "$W/nsd.conf"
taskset -c 0 nsd -d -c "$W/nsd.conf" > "$W/nsd.stdout" 2>&1 &
PIDS+=($!); NPID=$!

# Signed: mailns with online signing, knotd with automatic signing.
MSP=$(free_port)
mailns_conf "$MSP" "$W/mailns-signed-state" "$W/zones" "$W/domains.txt" "$(mailns_dnssec "$W/mailns-keys")" \
  > "$W/mailns-signed.yaml"
T0=$(date +%s.%N)
taskset -c 0 "$MAILNS" serve -c "$W/mailns-signed.yaml" > "$W/mailns-signed.log" 2>&1 &
PIDS+=($!); MSPID=$!

KSP=$(free_port)
mkdir -p "$W/knots/run" "$W/knots/db" "$W/knots/zones"
cp "$W"/zones/*.zone "$W/knots/zones/"
knot_conf "$W/knots" "$KSP" "$W/knots/zones" "$W/domains.txt" signed > "$W/knot-signed.conf"
taskset -c 0 knotd -c "$W/knot-signed.conf" > "$W/knot-signed.log" 2>&1 &
PIDS+=($!); KSPID=$!

wait_port "$MP"; wait_port "$MDP"; wait_port "$MMP"; wait_port "$M0P"; wait_port "$MRP"; wait_port "$KP"
wait_port "$KRP"; wait_port "$NP"
wait_signed() {  # until the last zone answers its DNSKEY: every zone is signed
  local last; last=$(tail -1 "$W/domains.txt")
  for _ in $(seq 1 600); do
    if dig +time=1 +tries=1 @127.0.0.1 -p "$1" "$last" DNSKEY 2>/dev/null | grep -q "IN.DNSKEY"; then return 0; fi
    sleep 0.2
  done
  echo "signed server on port $1 did not sign every zone" >&2; return 1
}
wait_signed "$MSP"
echo "mailns: all $N zones signed and served after $(python3 -c "import time; print(f'{time.time()-$T0:.1f}')") s (start-up incl. key generation)" >&2
wait_signed "$KSP"

measure() {  # name port pid [dnsperf args]
  local out; out=$(python3 "$TOOLS/cpuq.py" "$2" "$W/queries.txt" "$SECS" "${@:4}")
  local qps us; qps=$(sed -n 's/.*qps=\([0-9.]*\).*/\1/p' <<<"$out"); us=$(sed -n 's/.*cpu_us_per_q=\([0-9.]*\).*/\1/p' <<<"$out")
  printf '%-8s %10s %12s %10s   %s\n' "$1" "$qps" "$us" "$(rss_kb "$3")" "$out" >&2
  echo "$us"
}
echo "zones=$N seconds=$SECS (server on CPU 0, dnsperf on CPU 1)"
printf '%-8s %10s %12s %10s\n' server qps cpu_us/q rss_kb >&2
echo "unsigned:" >&2
# mailns and +dnstap alternate three times and their means are compared:
# a single pair moves by up to 10% from run to run on a 2-core machine.
M=0; MD=0
for _ in 1 2 3; do
  M=$(python3 -c "print($M + $(measure mailns "$MP" "$MPID") / 3)")
  MD=$(python3 -c "print($MD + $(measure +dnstap "$MDP" "$MDPID") / 3)")
done
echo "+dnstap frames (a full queue drops): $("$MAILNS" status -c "$W/mailns-dnstap.yaml" | sed -n 's/^ *dnstap: //p')" >&2
for _ in $(seq 1 $((SECS + 20))); do curl -s -o /dev/null "http://127.0.0.1:$MMH/metrics"; sleep 1; done &
SCRAPER=$!; PIDS+=($SCRAPER)
MM=$(measure +metrics "$MMP" "$MMPID")
kill "$SCRAPER" 2>/dev/null || true
# Alternating pairs as for dnstap, plain queries and queries with a cookie.
M0=0; MR=0; M0C=0; MRC=0
for _ in 1 2 3; do
  M0=$(python3 -c "print($M0 + $(measure -cookies "$M0P" "$M0PID") / 3)")
  MR=$(python3 -c "print($MR + $(measure +rrl "$MRP" "$MRPID") / 3)")
  M0C=$(python3 -c "print($M0C + $(measure -cookies "$M0P" "$M0PID" -E "$CLIENT_COOKIE") / 3)")
  MRC=$(python3 -c "print($MRC + $(measure +rrl,ck "$MRP" "$MRPID" -E "$CLIENT_COOKIE") / 3)")
done
echo "+rrl responses limited (must be 0): $("$MAILNS" status -c "$W/mailns-rrl.yaml" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["queries"]["rate_limited"])')" >&2
K=$(measure knotd "$KP" "$KPID")
KR=$(measure knot+rrl "$KRP" "$KRPID")
KRC=$(measure knot+rrl,ck "$KRP" "$KRPID" -E "$CLIENT_COOKIE")
S=$(measure nsd "$NP" "$NPID")
echo "signed, DO=1 (dnsperf -D):" >&2
MS=$(measure mailns "$MSP" "$MSPID" -D)
KS=$(measure knotd "$KSP" "$KSPID" -D)
python3 -c "print(f'metrics: mailns with/without cpu ratio {float(\"$MM\")/float(\"$M\"):.2f} (scraped every second)')"
python3 -c "print(f'dnstap: mailns with/without cpu ratio {float(\"$MD\")/float(\"$M\"):.2f} (means of 3 alternating pairs: {float(\"$MD\"):.2f} against {float(\"$M\"):.2f} us/q; goal: under 1.15)')"
python3 -c "print(f'rate_limit+cookies: mailns with/without cpu ratio {float(\"$MR\")/float(\"$M0\"):.2f} plain queries, {float(\"$MRC\")/float(\"$M0C\"):.2f} queries with a client cookie (means of 3 alternating pairs; goal: within 1.05); knotd with/without rrl+cookies modules {float(\"$KR\")/float(\"$K\"):.2f}, with cookie queries {float(\"$KRC\")/float(\"$K\"):.2f}')"
python3 -c "print(f'unsigned: mailns/knotd cpu ratio {float(\"$M\")/float(\"$K\"):.2f}, mailns/nsd {float(\"$M\")/float(\"$S\"):.2f}')"
python3 -c "print(f'signed+DO: mailns/knotd cpu ratio {float(\"$MS\")/float(\"$KS\"):.2f}')"
