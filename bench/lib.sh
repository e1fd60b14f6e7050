# shellcheck shell=bash
# Helpers shared by bench/compare.sh and bench/scale.sh (sourced, not run):
# loopback ports, RSS, and the mailns and knotd configurations both scripts
# serve the generated zones with (one worker, the same signing policy).

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# mailns_conf PORT STATE_DIR ZONE_DIR DOMAINS [TOP-LEVEL YAML...]: a mailns
# configuration on stdout serving every domain of DOMAINS from
# ZONE_DIR/<domain>.zone; extra top-level lines (dnssec:, catalog: ...) go
# before the zone list.
mailns_conf() {
  local port="$1" state="$2" zdir="$3" domains="$4"; shift 4
  echo "server:"; echo "  listen: [127.0.0.1:$port]"; echo "  threads: 1"; echo "  log_level: warn"
  echo "  state_dir: $state"; echo "  watch_files: false"
  for line in "$@"; do echo "$line"; done
  echo "zones:"
  sed "s|.*|  - { origin: &, file: $zdir/&.zone }|" "$domains"
}
# The signing policy of the signed rounds, as mailns's dnssec: line.
mailns_dnssec() { echo "dnssec: { enabled: true, algorithm: ecdsap256sha256, keys: csk, denial: nsec3, key_dir: $1 }"; }

# knot_conf DIR PORT ZONE_DIR DOMAINS [signed]: a knotd configuration on
# stdout (rundir DIR/run, database DIR/db), one UDP and one TCP worker,
# serving every domain of DOMAINS from ZONE_DIR/<domain>.zone; "signed":
# automatic signing with ECDSA P-256 and NSEC3 (0 iterations, no salt),
# changes to the files applied as differences and kept in the journal.
knot_conf() {
  local dir="$1" port="$2" zdir="$3" domains="$4" signed="${5:-}"
  cat <<EOK
server:
  rundir: "$dir/run"
  listen: 127.0.0.1@$port
  udp-workers: 1
  tcp-workers: 1
  background-workers: 1
database:
  storage: "$dir/db"
log:
  - target: stderr
    any: warning
EOK
  [ "$signed" = signed ] && cat <<EOK
policy:
  - id: bench
    algorithm: ecdsap256sha256
    single-type-signing: on
    nsec3: on
    nsec3-iterations: 0
    nsec3-salt-length: 0
EOK
  cat <<EOK
template:
  - id: default
    storage: "$zdir"
    file: "%s.zone"
    zonefile-sync: -1
EOK
  if [ "$signed" = signed ]; then
    printf '    zonefile-load: difference-no-serial\n    journal-content: all\n    semantic-checks: off\n'
    printf '    dnssec-signing: on\n    dnssec-policy: bench\n'
  else
    printf '    journal-content: none\n    semantic-checks: off\n'
  fi
  echo "zone:"
  sed 's/^/  - domain: /' "$domains"
}
