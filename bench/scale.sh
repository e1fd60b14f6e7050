#!/usr/bin/env bash
# What a hoster with many zones runs into besides the query path (issue 16):
# mailns and knotd on the same N generated mail zones (gen_zones.py), one
# after the other, unsigned and signed (ECDSA P-256, NSEC3 0 iterations no
# salt, as bench/compare.sh configures both), one worker each pinned to CPU 0
# (dnsperf and every poll on CPU 1). One table row per server and round:
#   cold start: exec until the last zone and 50 sampled zones answer (signed:
#     the last zone's SOA with its RRSIG; keys created in empty key dirs);
#   busy: how long the server then keeps working (background signing,
#     archiving) until it uses under 5% of a CPU for a second;
#   RSS, CPU us/query and qps, measured once it is idle: dnsperf with the
#     generated mix through ../shared/tools/cpuq.py (signed: DO=1);
#   warm start: stopped and started again on the same state (keys, journal,
#     archive), until the same zones answer;
#   serial kept: the 50 sampled zones' SOA serials the same after it;
#   reload 1: one record and the serial changed in one zone file, then
#     `mailns reload -c FILE ZONE` or `knotc zone-reload ZONE`, until the new
#     value is answered (bench/served_after.py polls every 5 ms);
#   reload all: the same in another zone file, then `mailns reload -c FILE`
#     or `knotc zone-reload` (every zone looked at), until it is answered.
# Then, for N <= 10000, a knotd secondary that knows only the catalog zone
# (catalog-role: interpret), started beside a running primary that serves
# the N zones and their catalog, timed until it serves them all: mailns
# (catalog:, NOTIFY to the secondary) and knotd (catalog-role: generate).
# Then the cold signed start again, COLD_RUNS times for each server,
# alternated, each on a new key directory and database, and the medians:
# once on CPU 0 as above, once on CPUs 0-1 (knotd with a background worker
# per CPU; mailns starts on every CPU it may use). One start is too noisy
# on a shared machine to compare two servers by.
# A benchmark, not a test: every wait is bounded and shows "timeout" (or
# "died") in the table instead of failing.
# usage: bench/scale.sh [ZONES=1000] [SECONDS=5]
#   env: ROUNDS (rows to run, e.g. "mailns-unsigned knotd-unsigned" for
#   100000 zones), CATALOG=0 (no catalog section), COLD_RUNS (repeated
#   cold signed starts per server and CPU set; default 3 up to 10,000
#   zones, else 0), COLD_CPUS (default "0 0-1"), START_TIMEOUT,
#   RELOAD_TIMEOUT, SETTLE_TIMEOUT (seconds), MAILNS_BIN, MAILNS_TOOLS
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
N="${1:-1000}"
SECS="${2:-5}"
TOOLS="${MAILNS_TOOLS:-$ROOT/../shared/tools}"
MAILNS="${MAILNS_BIN:-$ROOT/build/server/mailns}"
CATALOG="${CATALOG:-1}"
START_TIMEOUT="${START_TIMEOUT:-$((120 + N / 50))}"
RELOAD_TIMEOUT="${RELOAD_TIMEOUT:-$((60 + N / 500))}"
SETTLE_TIMEOUT="${SETTLE_TIMEOUT:-$((60 + N / 100))}"
ROUNDS="${ROUNDS:-mailns-unsigned knotd-unsigned mailns-signed knotd-signed}"
COLD_RUNS="${COLD_RUNS:-$([ "$N" -le 10000 ] && echo 3 || echo 0)}"
COLD_CPUS="${COLD_CPUS:-0 0-1}"
. "$ROOT/bench/lib.sh"

W="$(mktemp -d "${TMPDIR:-/tmp}/mailns-scale.XXXXXX")"
PIDS=()
alive() { [ -r "/proc/$1/stat" ] && ! awk '{ exit !($3 == "Z") }' "/proc/$1/stat" 2>/dev/null; }
stop() {  # SIGTERM, SIGKILL after 60 s: gone on return
  local p="$1" keep=() q
  if kill "$p" 2>/dev/null; then
    for _ in $(seq 1 600); do alive "$p" || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null
  fi
  wait "$p" 2>/dev/null
  for q in "${PIDS[@]}"; do [ "$q" = "$p" ] || keep+=("$q"); done
  PIDS=("${keep[@]}")
}
cleanup() { for p in "${PIDS[@]}"; do stop "$p"; done; rm -rf "$W"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

[ -x "$MAILNS" ] || { echo "build mailns first (scripts/build.sh)" >&2; exit 1; }
python3 "$TOOLS/gen_zones.py" "$W" "$N"
LAST="$(tail -1 "$W/domains.txt")"
CHANGED="$(sed -n "$(( (N + 1) / 2 ))p" "$W/domains.txt")"  # the zone the one-zone reload changes
CHANGED_ALL="$(sed -n "$(( (N + 2) / 3 ))p" "$W/domains.txt")"  # the zone the full reload changes
awk -v n="$N" 'BEGIN { step = n > 50 ? int(n / 50) : 1 } NR % step == 0' "$W/domains.txt" > "$W/sample.txt"
SAMPLE_N="$(wc -l < "$W/sample.txt")"
# Each round's own zone directory (hard links: a reload's edit replaces its
# file there alone), made now for every round: a link changes the files'
# change time, and zone files that changed in the seconds before a start
# are not what a server finds at a restart (mailns trusts a file's stamp
# only two seconds after its last change, config/file_stamp.hpp).
for v in $ROUNDS; do mkdir -p "$W/$v" && cp -al "$W/zones" "$W/$v/zones"; done
sleep 3

launch() {  # cpu log cmd...: started in the background, its pid in PID
  local cpu="$1" log="$2"; shift 2
  taskset -c "$cpu" "$@" > "$log" 2>&1 &
  PID=$!; PIDS+=("$PID")
}
answers() {  # port zone [signed]: the zone's SOA is answered (signed: with its RRSIG)
  local out
  out="$(taskset -c 1 dig +norec +time=1 +tries=1 ${3:++dnssec} @127.0.0.1 -p "$1" "$2" SOA +noall +answer 2>/dev/null)"
  grep -q "IN.${3:+RRSIG.}SOA" <<< "$out"
}
serials() {  # port: "zone serial" of each sampled zone that answers, sorted
  # shellcheck disable=SC2046
  taskset -c 1 dig +norec +time=1 +tries=1 @127.0.0.1 -p "$1" +noall +answer $(sed 's/$/ SOA/' "$W/sample.txt") \
    2>/dev/null | awk '$4 == "SOA" { print $1, $7 }' | sort
}
sample_served() { [ "$(serials "$1" | wc -l)" -eq "$SAMPLE_N" ]; }
wait_for() {  # timeout_s interval_s cmd...: 0 once cmd succeeds, 1 after timeout_s, 2 if $PID died
  local limit="$1" deadline=$(( $(now_ms) + $1 * 1000 )) interval="$2" i; shift 2
  for ((i = 0; i <= limit * 1000; i++)); do
    "$@" && return 0
    alive "$PID" || return 2
    [ "$(now_ms)" -lt "$deadline" ] || return 1
    sleep "$interval"
  done
  return 1
}
outcome() {  # the status of wait_for as a table cell
  case "$1" in 1) echo timeout ;; 2) echo died ;; *) echo "?" ;; esac
}
settle() {  # pid: seconds until it uses under 5% of a CPU over a second (at most SETTLE_TIMEOUT)
  local a b i
  a="$(awk '{ print $14 + $15 }' "/proc/$1/stat")"
  for ((i = 1; i <= SETTLE_TIMEOUT; i++)); do
    sleep 1
    b="$(awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null)" || break
    [ $((b - a)) -le $(( $(getconf CLK_TCK) / 20 )) ] && { echo "$((i - 1)) s"; return; }
    a="$b"
  done
  echo "> $SETTLE_TIMEOUT s"
}
seconds() { awk -v ms="$1" 'BEGIN { printf "%.2f s", ms / 1000 }'; }
whole() { answers "$1" "$LAST" "${2:-}" && sample_served "$1"; }  # port [signed]: the last and the sampled zones

declare -A R
timed_start() {  # key port signed log cmd...: R[key] = exec until the last and the sampled zones answer (on START_CPUS, default 0)
  local key="$1" port="$2" signed="$3" log="$4" t0 rc; shift 4
  # What the bench and the earlier rounds wrote (hard links, zone files,
  # knotd's database) is flushed first: a server that syncs its file
  # system (mailns's key batch, syncfs) would otherwise wait for it.
  sync
  t0="$(now_ms)"
  launch "${START_CPUS:-0}" "$log" "$@"
  wait_for "$START_TIMEOUT" 0.02 whole "$port" "$signed"; rc=$?
  if [ "$rc" = 0 ]; then R[$key]="$(seconds $(( $(now_ms) - t0 )))"; else
    R[$key]="$(outcome "$rc")"; echo "$key: $(outcome "$rc"); log tail:" >&2; tail -3 "$log" >&2
  fi
  return "$rc"
}

reload_one() {  # server dir port zone [all]: one record and the serial changed in the zone, reloaded, until answered
  local server="$1" d="$2" port="$3" zone="$4" f="$2/zones/$4.zone" cmd target=("$4")
  [ "${5:-}" = all ] && target=()  # no zone named: every zone is looked at
  # A new file (mv), so that the hard link to the shared zone is broken.
  sed -e 's/ 2026112401 / 2026112402 /' -e 's/^mail A 192\.0\.2\.10$/mail A 192.0.2.99/' "$f" > "$f.new" && mv "$f.new" "$f"
  if [ "$server" = mailns ]; then cmd=("$MAILNS" reload -c "$d/conf" "${target[@]}")
  else cmd=(knotc -s "$d/run/knot.sock" zone-reload "${target[@]}"); fi
  timeout $((RELOAD_TIMEOUT + 10)) taskset -c 1 python3 "$ROOT/bench/served_after.py" "$port" "mail.$zone" 192.0.2.99 \
    "$RELOAD_TIMEOUT" -- "${cmd[@]}" 2> "$d/reload.log" || echo "failed: $(tail -1 "$d/reload.log")"
}

configure() {  # server dir port zone-dir [signed]: dir/conf written, the command that serves it in CMD
  local server="$1" d="$2" port="$3" zdir="$4" signed="${5:-}"
  mkdir -p "$d/run" "$d/db"
  if [ "$server" = mailns ]; then
    if [ -n "$signed" ]; then
      mailns_conf "$port" "$d/state" "$zdir" "$W/domains.txt" "$(mailns_dnssec "$d/keys")" > "$d/conf"
    else
      mailns_conf "$port" "$d/state" "$zdir" "$W/domains.txt" > "$d/conf"
    fi
    CMD=("$MAILNS" serve -c "$d/conf")
  else
    knot_conf "$d" "$port" "$zdir" "$W/domains.txt" "$signed" > "$d/conf"
    CMD=(knotd -c "$d/conf")
  fi
}

round() {  # mailns-unsigned | knotd-unsigned | mailns-signed | knotd-signed
  local v="$1" server="${1%%-*}" signed="" d="$W/$1" port before after out cmd
  [ "${v#*-}" = signed ] && signed=signed
  port="$(free_port)"
  configure "$server" "$d" "$port" "$d/zones" "$signed"
  cmd=("${CMD[@]}")
  echo "$v: cold start" >&2
  timed_start "$v,cold" "$port" "$signed" "$d/cold.log" "${cmd[@]}" || { stop "$PID"; return; }
  R[$v,busy]="$(settle "$PID")"
  R[$v,rss]="$(awk -v kb="$(rss_kb "$PID")" 'BEGIN { printf "%.1f MB", kb / 1024 }')"
  echo "$v: dnsperf ${SECS} s" >&2
  out="$(timeout $((SECS + 60)) python3 "$TOOLS/cpuq.py" "$port" "$W/queries.txt" "$SECS" ${signed:+-D} 2>&1)"
  R[$v,cpu]="$(sed -n 's/.*cpu_us_per_q=\([0-9.]*\).*/\1/p' <<< "$out")"
  R[$v,qps]="$(sed -n 's/.*qps=\([0-9.]*\).*/\1/p' <<< "$out")"
  [ -n "${R[$v,cpu]}" ] || echo "$v: cpuq.py: $out" >&2
  before="$(serials "$port")"
  stop "$PID"
  echo "$v: warm start" >&2
  timed_start "$v,warm" "$port" "$signed" "$d/warm.log" "${cmd[@]}" || { stop "$PID"; return; }
  after="$(serials "$port")"
  if [ "$before" = "$after" ]; then R[$v,serial]="yes"; else
    R[$v,serial]="no ($(comm -23 <(echo "$before") <(echo "$after") | wc -l)/$SAMPLE_N)"
  fi
  echo "$v: one-zone reload" >&2
  R[$v,reload]="$(reload_one "$server" "$d" "$port" "$CHANGED")"
  echo "$v: full reload" >&2
  R[$v,reload_all]="$(reload_one "$server" "$d" "$port" "$CHANGED_ALL" all)"
  stop "$PID"
}

# The catalog section: a knotd secondary that knows only the catalog.
secondary_conf() {  # dir port primary-port catalog
  cat <<EOK
server:
  rundir: "$1/run"
  listen: 127.0.0.1@$2
  udp-workers: 1
  tcp-workers: 1
  background-workers: 1
database:
  storage: "$1/db"
log:
  - target: stderr
    any: warning
remote:
  - id: primary
    address: 127.0.0.1@$3
acl:
  - id: notify-from-primary
    address: 127.0.0.1
    action: notify
template:
  - id: default
    storage: "$1/zones"
    master: primary
    acl: notify-from-primary
    zonefile-sync: -1
    zonefile-load: none
    journal-content: changes
    semantic-checks: off
zone:
  - domain: $4
    catalog-role: interpret
    catalog-template: default
EOK
}
catalog_leg() {  # key catalog primary-port secondary-port primary-cmd...: R[key] = secondary start to all served
  local key="$1" cat="$2" d="$W/$1" pport="$3" sport="$4" t0 rc ppid; shift 4
  echo "catalog $key: primary" >&2
  if ! timed_start "$key,primary" "$pport" "" "$d/primary.log" "$@"; then
    stop "$PID"; R[$key]="primary: ${R[$key,primary]}"; return
  fi
  ppid="$PID"
  wait_for 60 0.1 answers "$pport" "$cat"
  mkdir -p "$d/sec/db" "$d/sec/zones" "$d/sec/run"  # knotd 3.2 needs them (no catalog database: a crash)
  secondary_conf "$d/sec" "$sport" "$pport" "$cat" > "$d/sec.conf"
  echo "catalog $key: secondary" >&2
  t0="$(now_ms)"
  launch 1 "$d/secondary.log" knotd -c "$d/sec.conf"
  wait_for "$START_TIMEOUT" 0.05 whole "$sport"; rc=$?
  if [ "$rc" = 0 ]; then R[$key]="$(seconds $(( $(now_ms) - t0 )))"; else
    R[$key]="$(outcome "$rc") ($(serials "$sport" | wc -l)/$SAMPLE_N sampled zones)"; tail -3 "$d/secondary.log" >&2
  fi
  stop "$PID"; stop "$ppid"
}
catalog_round() {
  local d pport sport
  d="$W/cat-mailns"; pport="$(free_port)"; sport="$(free_port)"; mkdir -p "$d"
  mailns_conf "$pport" "$d/state" "$W/zones" "$W/domains.txt" "catalog: { zone: catalog.mailns.invalid }" \
    "secondaries: [{ address: \"127.0.0.1:$sport\" }]" "allow_transfer: [127.0.0.0/8]" > "$d/conf"
  catalog_leg cat-mailns catalog.mailns.invalid "$pport" "$sport" "$MAILNS" serve -c "$d/conf"
  # knotd generates its catalog from the member zones (template cat for the catalog itself).
  d="$W/cat-knotd"; pport="$(free_port)"; sport="$(free_port)"; mkdir -p "$d/run" "$d/db"
  knot_conf "$d" "$pport" "$W/zones" "$W/domains.txt" | awk -v sport="$sport" -v db="$d/db" '
    /^template:/ {
      print "remote:\n  - id: secondary\n    address: 127.0.0.1@" sport
      print "acl:\n  - id: to-secondary\n    address: 127.0.0.1\n    action: transfer"
      print
      print "  - id: cat\n    storage: \"" db "\"\n    zonefile-sync: -1\n    notify: secondary\n    acl: to-secondary"
      next
    }
    { print }
    /^    semantic-checks: off/ {
      print "    notify: secondary\n    acl: to-secondary\n    catalog-role: member\n    catalog-zone: catalog.knot.invalid"
    }
    END { print "  - domain: catalog.knot.invalid\n    template: cat\n    catalog-role: generate" }' > "$d/conf"
  catalog_leg cat-knotd catalog.knot.invalid "$pport" "$sport" knotd -c "$d/conf"
}

# Repeated cold signed starts.
cpu_count() { taskset -c "$1" nproc; }  # the CPUs of a taskset list
cold_signed_once() {  # server cpus: R[cold-server-cpus] += seconds of one cold signed start on a new directory
  local server="$1" cpus="$2" key="cold-$1-$2" d port
  d="$(mktemp -d "$W/cold.XXXXXX")"; port="$(free_port)"
  configure "$server" "$d" "$port" "$W/zones" signed
  # knotd signs on its background workers: one per CPU (mailns uses every CPU it may).
  [ "$server" = knotd ] && sed -i "s/background-workers: 1/background-workers: $(cpu_count "$cpus")/" "$d/conf"
  START_CPUS="$cpus" timed_start "$key,run" "$port" signed "$d/log" "${CMD[@]}"
  R[$key]+="${R[$key,run]% s} "
  # Kept until the end: ext4 without a journal skips inodes freed in the
  # last five minutes when it allocates new ones (recently_deleted),
  # so deleting a start's thousands of files would slow the next start's
  # file creation (mailns writes three files a zone; knotd one database).
  stop "$PID"
}
median() { tr ' ' '\n' | grep -E '^[0-9.]+$' | sort -n | awk '{ v[NR] = $1 } END { if (NR) printf "%.2f\n", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
cold_series() {
  local cpus i server
  for cpus in $COLD_CPUS; do
    for ((i = 1; i <= COLD_RUNS; i++)); do
      for server in mailns knotd; do echo "cold signed start $i/$COLD_RUNS: $server on CPUs $cpus" >&2; cold_signed_once "$server" "$cpus"; done
    done
  done
}

for v in $ROUNDS; do round "$v"; done
[ "$COLD_RUNS" -gt 0 ] && cold_series
if [ "$CATALOG" = 0 ]; then CAT_NOTE="skipped (CATALOG=0)"
elif [ "$N" -gt 10000 ]; then CAT_NOTE="skipped (more than 10,000 zones)"
else CAT_NOTE=""; catalog_round; fi

echo
echo "zones=$N dnsperf=${SECS}s (servers on CPU 0, dnsperf and polls on CPU 1; starts: until $LAST and $SAMPLE_N sampled zones answer)"
printf '%-16s %10s %11s %9s %11s %12s %12s %12s %9s %8s\n' "" "RSS" "cold start" "busy" "warm start" "serial kept" \
  "reload 1" "reload all" "cpu us/q" "qps"
for v in $ROUNDS; do
  printf '%-16s %10s %11s %9s %11s %12s %12s %12s %9s %8s\n' "$v" "${R[$v,rss]:--}" "${R[$v,cold]:--}" \
    "${R[$v,busy]:--}" "${R[$v,warm]:--}" "${R[$v,serial]:--}" "${R[$v,reload]:--}" "${R[$v,reload_all]:--}" \
    "${R[$v,cpu]:--}" "${R[$v,qps]:--}"
done
echo "busy: after the cold start until the server used under 5% of a CPU for a second (RSS and CPU measured then)"
if [ "$COLD_RUNS" -gt 0 ]; then
  echo "cold signed start, $COLD_RUNS runs each, alternated, new key directories (seconds; median):"
  for cpus in $COLD_CPUS; do
    m="$(median <<< "${R[cold-mailns-$cpus]:-}")"; k="$(median <<< "${R[cold-knotd-$cpus]:-}")"
    printf '  CPUs %-4s mailns %-24s median %-6s knotd %-24s median %-6s mailns/knotd %s\n' "$cpus" \
      "${R[cold-mailns-$cpus]:-}" "${m:--}" "${R[cold-knotd-$cpus]:-}" "${k:--}" \
      "$( [ -n "$m" ] && [ -n "$k" ] && awk -v a="$m" -v b="$k" 'BEGIN { printf "%.3f", a / b }' || echo -)"
  done
fi
echo "catalog: a knotd secondary (catalog-role: interpret, on CPU 1) from its start until it serves every zone:"
if [ -n "$CAT_NOTE" ]; then echo "  $CAT_NOTE"; else
  printf '  %-28s %s\n' "mailns primary (catalog:)" "${R[cat-mailns]:--}" "knotd primary (generate)" "${R[cat-knotd]:--}"
fi
