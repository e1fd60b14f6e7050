#!/usr/bin/python3
"""Real secondaries following mailns (issue 18): knotd and BIND named, both
catalog consumers, on loopback only, every wait bounded.

mailns serves two signed master-file zones (nsec3.test with NSEC3,
nsec.test with NSEC) and the catalog zone, with NOTIFY to both secondaries
and a TSIG key for each (knot-key, xfr-key: mailns logs transfers by
address and key, and all three servers are on 127.0.0.1, the only loopback
address named listens on without an interface of its own). knotd
(`catalog-role: interpret`) and named (`catalog-zones { zone ...
default-primaries { ... key xfr-key; } }`) are configured with the catalog
zone only and learn the members from it. The test:
  - waits until both serve every zone at mailns's serials;
  - makes --changes changes (default 100): each rewrites one TXT value in
    both master files and runs `mailns reload`; every --every changes
    (default 1) waits until both secondaries serve the new serials;
  - requires that after each secondary's first transfer of a zone (an AXFR)
    every transfer was an IXFR, in mailns's log (by key) and in knotd's own
    log (named 9.18 does not log the type of an incoming transfer at info
    level: its count of completed transfers is compared);
  - prints the number of records in the last change's IXFR
    (--max-ixfr-records N asserts a bound; ctest gives 10: with incremental
    signing a one-record change is 4 SOA, the old and new record and the
    RRSIGs of the record and of the SOA);
  - AXFRs each secondary's copy of each zone: it equals mailns's own AXFR,
    and the signed ones pass ldns-verify-zone;
  - adds (by a reload that also changes both zones) two more secondaries,
    one named with the same key name xfr-key but another secret, listening
    on two ports: the NOTIFY of each zone to the first port must be logged
    as `secondary 127.0.0.1:P rejects our TSIG signature: the secret of key
    xfr-key differs` (BIND's BADSIG); signed with a key it does not know
    (stranger-key) to the second, `... does not know key stranger-key`
    (BADKEY); each once per zone, not retried, shown by `mailns status` and
    counted in /metrics (result="bad_signature", "unknown_key").

Exits 77 (ctest SKIP_RETURN_CODE) when named or knotd is not installed.

Usage: secondaries_test.py --mailns PATH [--changes N] [--every N]
                           [--max-ixfr-records N] [--keep]
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "integration"))

import dns.message  # noqa: E402
import dns.query  # noqa: E402
import dns.rdatatype  # noqa: E402

from xfr_util import KEY_NAME, Checks, Server, free_port, keyring, new_secret, soa_serial  # noqa: E402

CATALOG = "catalog.mailns.invalid."
KNOT_IP = "127.0.0.1"
# named listens only on addresses an interface has: 127.0.0.1 for all three.
NAMED_IP = "127.0.0.1"
WRONG_IP = "127.0.0.1"
KNOT_KEY = "knot-key"
NAMED_KEY = "xfr-key"
ZONES = {"nsec3.test.": "nsec3", "nsec.test.": "nsec"}

ZONE_TEXT = """\
$ORIGIN {origin}
$TTL 3600
@ SOA ns1 hostmaster {serial} 7200 3600 1209600 300
@ NS ns1
@ MX 10 mail
ns1 A 192.0.2.53
mail A 192.0.2.25
www A 192.0.2.80
www AAAA 2001:db8::80
_dmarc TXT "v=DMARC1; p=reject"
status TXT "change {change}"
sub NS ns.sub
ns.sub A 192.0.2.99
*.wild TXT "wildcard"
"""

MAILNS_CONF = """\
server: {{ listen: ["127.0.0.1:{mport}"], threads: 2, watch_files: false, metrics_listen: "127.0.0.1:{metrics}" }}
zones:
  - origin: nsec3.test
    file: zones/nsec3.test.zone
    dnssec: {{ enabled: true, denial: nsec3 }}
  - origin: nsec.test
    file: zones/nsec.test.zone
    dnssec: {{ enabled: true, denial: nsec }}
tsig_keys:
  - {{ name: xfr-key, algorithm: hmac-sha256, secret_file: xfr-key.b64 }}
  - {{ name: knot-key, algorithm: hmac-sha256, secret_file: knot-key.b64 }}
  - {{ name: stranger-key, algorithm: hmac-sha256, secret_file: stranger-key.b64 }}
secondaries:
  - {{ address: "{knot_ip}:{kport}", tsig: knot-key }}
  - {{ address: "{named_ip}:{nport}", tsig: xfr-key }}
{extra}catalog: {{ zone: {catalog} }}
"""

KNOT_CONF = """\
server:
    rundir: "{run}"
    listen: {knot_ip}@{kport}
    udp-workers: 1
    tcp-workers: 1
    background-workers: 2
database:
    storage: "{run}/db"
log:
  - target: stderr
    any: info
key:
  - id: knot-key
    algorithm: hmac-sha256
    secret: {secret}
remote:
  - id: mailns
    address: 127.0.0.1@{mport}
    key: knot-key
acl:
  - id: notify-from-mailns
    address: 127.0.0.1
    key: knot-key
    action: notify
  - id: transfer-to-test
    address: 127.0.0.1
    action: transfer
template:
  - id: default
    storage: "{run}/zones"
    master: mailns
    acl: [notify-from-mailns, transfer-to-test]
    zonefile-sync: -1
    zonefile-load: none
    journal-content: changes
    semantic-checks: off
zone:
  - domain: {catalog}
    catalog-role: interpret
    catalog-template: default
"""

# named 9.18 as a catalog consumer (RFC 9432): the catalog zone is a
# secondary zone of its own, and catalog-zones names it with the primary
# (and key) of its members. Its own directory; no rndc (controls {}).
NAMED_CONF = """\
options {{
    directory "{run}";
    pid-file "{run}/named.pid";
    session-keyfile "{run}/session.key";
    managed-keys-directory "{run}";
    listen-on port {nport} {{ {named_ip}; }};
{more_listen}    listen-on-v6 {{ none; }};
    notify no;
    recursion no;
    dnssec-validation no;
    allow-query {{ 127.0.0.0/8; }};
    allow-transfer {{ 127.0.0.0/8; }};
    allow-new-zones yes;
{catalog_zones}}};
key "xfr-key" {{ algorithm hmac-sha256; secret "{secret}"; }};
controls {{ }};
{catalog_zone}"""

NAMED_CATALOG_ZONES = """\
    catalog-zones {{
        zone "{catalog}" default-primaries {{ 127.0.0.1 port {mport} key "xfr-key"; }}
            zone-directory "{run}/zones" in-memory no min-update-interval 1;
    }};
"""

NAMED_CATALOG_ZONE = """\
zone "{catalog}" {{
    type secondary;
    file "{run}/catalog.db";
    primaries {{ 127.0.0.1 port {mport} key "xfr-key"; }};
}};
"""


def find_program(name):
    return shutil.which(name) or next((p for p in (f"/usr/sbin/{name}", f"/usr/local/sbin/{name}")
                                       if os.access(p, os.X_OK)), None)


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def tcp_open(host, port):
    import socket
    try:
        socket.create_connection((host, port), timeout=0.5).close()
        return True
    except OSError:
        return False


def wait_until(what, fn, timeout, servers):
    """fn() until true; every server must stay up. Raises on the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        for s in servers:
            if not s.alive():
                raise RuntimeError(f"{s.name} exited ({s.proc.returncode}) while waiting for {what}:\n"
                                   f"{s.log_tail()}")
        v = fn()
        if v:
            return v
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.1)


def xfr_records(host, port, zone, kr=None, serial=None, timeout=10):
    """The records of an AXFR (or, with serial, an IXFR from it) as a sorted
    list of master-file lines; an AXFR's closing SOA left out."""
    rdtype = dns.rdatatype.IXFR if serial is not None else dns.rdatatype.AXFR
    msgs = dns.query.xfr(host, zone, rdtype=rdtype, serial=serial or 0, port=port, keyring=kr,
                         keyname=KEY_NAME if kr else None, timeout=timeout, lifetime=timeout * 3, relativize=False)
    lines = []
    for m in msgs:
        for rrset in m.answer:
            for rd in rrset:
                # Owner names in lower case: knotd stores them so, and
                # names compare without case.
                lines.append(f"{rrset.name.to_text().lower()} {rrset.ttl} IN {dns.rdatatype.to_text(rrset.rdtype)} "
                             f"{rd.to_text()}")
    if serial is None and len(lines) >= 2 and lines[-1] == lines[0]:
        lines.pop()
    return lines


def diff_text(a, b, what_b):
    sa, sb = set(a), set(b)
    return f"only at mailns: {sorted(sa - sb)[:5]}\nonly at {what_b}: {sorted(sb - sa)[:5]}"


def mailns_transfers(log):
    """(key, zone, kind) of every transfer mailns completed, in order; kind
    is AXFR, IXFR or IXFR-as-AXFR ("up to date" IXFRs left out)."""
    out = []
    for m in re.finditer(r"(\S+): (AXFR|IXFR) serial ([^\n]*?) to \S+ \(key ([^)]+?)\.?\): \d+ records in", log):
        zone, kind, serials, key = m.group(1), m.group(2), m.group(3), m.group(4)
        if "(up to date)" in serials:
            continue
        if kind == "IXFR" and " as AXFR " in serials:
            kind = "IXFR-as-AXFR"
        out.append((key, zone.lower(), kind))
    return out


def only_ixfr_after_first_axfr(events):
    """Per zone, the kinds of transfer in order: the first must be a full
    one, every later one an IXFR. Returns (ok, {zone: [kinds]})."""
    by_zone = {}
    for zone, kind in events:
        by_zone.setdefault(zone, []).append(kind)
    ok = True
    for zone, kinds in by_zone.items():
        if any(k != "IXFR" for k in kinds[1:]):
            ok = False
    return ok, by_zone


def knot_transfers(log):
    """(zone, kind) of every transfer knotd finished: knotd 3.2 logs
    `[zone.] AXFR, incoming, remote ..., finished, ...` and the same with
    IXFR; an IXFR answered with the whole zone appears as
    `IXFR, incoming, ..., receiving AXFR-style IXFR` before it."""
    out = []
    axfr_style = set()
    for line in log.splitlines():
        m = re.search(r"\[([^\]]+)\] (AXFR|IXFR), incoming, remote [^,]+, (.*)", line)
        if not m:
            continue
        zone, kind, rest = m.group(1).lower(), m.group(2), m.group(3)
        if "AXFR-style" in rest:
            axfr_style.add(zone)
        elif rest.startswith("finished"):
            if kind == "IXFR" and zone in axfr_style:
                kind = "IXFR-as-AXFR"
            axfr_style.discard(zone)
            out.append((zone, kind))
    return out


def metrics_text(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
        return r.read().decode()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mailns", required=True)
    ap.add_argument("--knotd", default=find_program("knotd"))
    ap.add_argument("--named", default=find_program("named"))
    ap.add_argument("--changes", type=int, default=100)
    ap.add_argument("--every", type=int, default=1, help="wait for the secondaries every N changes")
    ap.add_argument("--max-ixfr-records", type=int, default=None,
                    help="fail when the last change's IXFR has more records (default: only printed)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = ap.parse_args()
    missing = [n for n, p in (("named", args.named), ("knotd", args.knotd)) if not p or not os.access(p, os.X_OK)]
    if missing:
        print(f"SKIP: {' and '.join(missing)} not installed (apt-get install bind9 knot)")
        return 77

    began = time.monotonic()
    tmp = tempfile.mkdtemp(prefix="mailns-secondaries-")
    c = Checks()
    servers = []
    try:
        secret = new_secret()
        kr = keyring(secret)
        mport = free_port()
        kport = free_port(taken={mport})
        nport = free_port(taken={mport, kport})
        wport = free_port(taken={mport, kport, nport})
        bport = free_port(taken={mport, kport, nport, wport})
        metrics = free_port(taken={mport, kport, nport, wport, bport})
        knot_secret = new_secret()
        write(os.path.join(tmp, "xfr-key.b64"), secret + "\n")
        write(os.path.join(tmp, "knot-key.b64"), knot_secret + "\n")
        write(os.path.join(tmp, "stranger-key.b64"), new_secret() + "\n")
        file_serial = {z: 1 for z in ZONES}

        def write_zone(z, change):
            write(os.path.join(tmp, "zones", z + "zone"), ZONE_TEXT.format(origin=z, serial=file_serial[z],
                                                                           change=change))
        for z in ZONES:
            write_zone(z, 0)
        mconf = os.path.join(tmp, "mailns.yaml")

        def write_mailns_conf(extra=""):
            write(mconf, MAILNS_CONF.format(mport=mport, metrics=metrics, knot_ip=KNOT_IP, kport=kport,
                                            named_ip=NAMED_IP, nport=nport, extra=extra, catalog=CATALOG))
        write_mailns_conf()

        krun = os.path.join(tmp, "knot")
        for d in ("db", "zones"):  # knotd 3.2 does not create them
            os.makedirs(os.path.join(krun, d))
        kconf = os.path.join(tmp, "knot.conf")
        write(kconf, KNOT_CONF.format(run=krun, knot_ip=KNOT_IP, kport=kport, mport=mport, secret=knot_secret,
                                      catalog=CATALOG))
        nrun = os.path.join(tmp, "named")
        os.makedirs(os.path.join(nrun, "zones"))
        nconf = os.path.join(nrun, "named.conf")
        write(nconf, NAMED_CONF.format(
            run=nrun, nport=nport, named_ip=NAMED_IP, secret=secret, more_listen="",
            catalog_zones=NAMED_CATALOG_ZONES.format(catalog=CATALOG, mport=mport, run=nrun),
            catalog_zone=NAMED_CATALOG_ZONE.format(catalog=CATALOG, mport=mport, run=nrun)))
        # The same key name with another secret, and no zones: every NOTIFY
        # signed with xfr-key is answered NOTAUTH, TSIG error BADSIG; one
        # signed with stranger-key (sent to its second port), BADKEY.
        wrun = os.path.join(tmp, "named-wrong")
        os.makedirs(wrun)
        wconf = os.path.join(wrun, "named.conf")
        write(wconf, NAMED_CONF.format(run=wrun, nport=wport, named_ip=WRONG_IP, secret=new_secret(),
                                       more_listen=f"    listen-on port {bport} {{ {WRONG_IP}; }};\n",
                                       catalog_zones="", catalog_zone=""))
        for conf in (nconf, wconf):
            r = subprocess.run([os.path.join(os.path.dirname(args.named), "named-checkconf"), conf],
                               capture_output=True, text=True, timeout=30) \
                if os.access(os.path.join(os.path.dirname(args.named), "named-checkconf"), os.X_OK) else None
            if r is not None and r.returncode != 0:
                raise RuntimeError(f"named-checkconf {conf}: {r.stdout}{r.stderr}")

        # mailns first: a named whose first refresh of the catalog finds no
        # primary waits about a minute before the next, NOTIFY or not
        # ("refresh in progress, refresh check queued"). The secondaries
        # then start within the NOTIFY retries (1, 2, 4, 8 s) and refresh
        # on their own anyway.
        mailns = Server("mailns", [args.mailns, "serve", "-c", mconf], mport, os.path.join(tmp, "mailns.log"))
        servers.append(mailns)
        all_zones = list(ZONES) + [CATALOG]
        wait_until("mailns to serve every zone", lambda: all(soa_serial(mport, z) for z in all_zones),
                   60, [mailns])
        # named as root keeps running as root without -u; -n 1: one worker.
        knot = Server("knotd", [args.knotd, "-c", kconf], kport, os.path.join(tmp, "knotd.log"))
        servers.append(knot)
        named = Server("named", [args.named, "-g", "-n", "1", "-4", "-c", nconf], nport,
                       os.path.join(tmp, "named.log"))
        servers.append(named)
        wait_until("knotd to listen", lambda: tcp_open(KNOT_IP, kport), 20, [knot])
        wait_until("named to listen", lambda: tcp_open(NAMED_IP, nport), 30, [named])
        secondaries = [("knotd", KNOT_IP, kport, knot, KNOT_KEY), ("named", NAMED_IP, nport, named, NAMED_KEY)]

        def serials_at_mailns():
            return {z: soa_serial(mport, z) for z in all_zones}

        def wait_for_secondaries(expected, what, timeout):
            for name, _, port, _, _ in secondaries:
                try:
                    wait_until(f"{name} to serve {what} ({expected})",
                               lambda: all(soa_serial(port, z) == s for z, s in expected.items()), timeout,
                               servers)
                except RuntimeError as e:
                    raise RuntimeError(f"{e}; it serves {({z: soa_serial(port, z) for z in expected})}") from e

        start_serials = serials_at_mailns()
        t0 = time.monotonic()
        try:
            wait_for_secondaries(start_serials, "every zone (members from the catalog)", 90)
            c.check(True, f"knotd and named serve every zone at mailns's serials, members provisioned from the "
                    f"catalog, after {time.monotonic() - t0:.1f} s")
        except RuntimeError as e:
            c.check(False, "knotd and named serve every zone at mailns's serials", str(e))
            raise

        # The changes: one TXT value in each zone, then `mailns reload`.
        t0 = time.monotonic()
        waits = []
        before_last = None
        for i in range(1, args.changes + 1):
            if i == args.changes:
                before_last = serials_at_mailns()
            for z in ZONES:
                file_serial[z] += 1
                write_zone(z, i)
            r = subprocess.run([args.mailns, "reload", "-c", mconf], capture_output=True, text=True, timeout=60)
            if r.returncode != 0:
                c.check(False, f"mailns reload (change {i})", r.stdout + r.stderr)
                raise RuntimeError("reload failed")
            if i % args.every == 0 or i == args.changes:
                expected = {z: soa_serial(mport, z) for z in ZONES}
                w0 = time.monotonic()
                try:
                    wait_for_secondaries(expected, f"change {i}", 60)
                except RuntimeError as e:
                    c.check(False, f"both secondaries follow change {i}", f"{e}\n{knot.log_tail(10)}\n"
                            f"{named.log_tail(10)}")
                    raise
                waits.append(time.monotonic() - w0)
        took = time.monotonic() - t0
        c.check(True, f"{args.changes} changes (reloads) followed by knotd and named in {took:.1f} s; waits for "
                f"the secondaries after every {args.every}: at most {max(waits):.2f} s")

        # The transfers: after each secondary's first one of a zone, IXFR only.
        # Counted before this test's own transfers below.
        mine = mailns_transfers(mailns.log_text())
        for name, _, _, server, key in secondaries:
            events = [(z, k) for who, z, k in mine if who == key]
            ok, by_zone = only_ixfr_after_first_axfr(events)
            ixfrs = sum(k == "IXFR" for _, k in events)
            # Waited for after every `every` changes: at least that many
            # IXFRs of each zone.
            c.check(ok and set(by_zone) == set(all_zones) and all(by_zone[z][0] == "AXFR" for z in by_zone) and
                    all(by_zone[z].count("IXFR") >= args.changes // args.every for z in ZONES),
                    f"mailns's log: {name} (key {key}) took every change by IXFR after its first AXFR of each zone "
                    f"({ixfrs} IXFRs, {len(events) - ixfrs} AXFRs)",
                    "; ".join(f"{z}: {' '.join(k)}" for z, k in by_zone.items()))
            if name == "named":
                completed = server.log_text().count("Transfer completed")
                c.check(completed == len(events), f"named's log: as many completed transfers ({completed}) as "
                        f"mailns logged for key {key} ({len(events)})")
        ok, by_zone = only_ixfr_after_first_axfr(knot_transfers(knot.log_text()))
        c.check(ok and set(ZONES) <= set(by_zone) and all(len(by_zone[z]) > 1 for z in ZONES),
                f"knotd's log: after the first AXFR of each zone, IXFR only "
                f"({', '.join(f'{z} {len(k)}' for z, k in by_zone.items())} transfers)",
                "; ".join(f"{z}: {' '.join(k)}" for z, k in by_zone.items()))

        # The size of the last change's IXFR: incremental signing (issue 18)
        # bounds it (ctest passes --max-ixfr-records 10).
        for z in ZONES:
            try:
                n = len(xfr_records("127.0.0.1", mport, z, kr, serial=before_last[z]))
                axfr_n = len(xfr_records("127.0.0.1", mport, z, kr))
                print(f"info {z}: the IXFR of the last change ({before_last[z]} -> current) has {n} records "
                      f"(the whole zone: {axfr_n})", flush=True)
                if args.max_ixfr_records is not None:
                    c.check(n <= args.max_ixfr_records, f"{z}: the last change's IXFR has at most "
                            f"{args.max_ixfr_records} records ({n})")
            except Exception as e:  # noqa: BLE001
                c.check(False, f"{z}: IXFR of the last change from mailns", repr(e))

        # Each secondary's copy: mailns's records, and it verifies.
        for z in all_zones:
            reference = sorted(xfr_records("127.0.0.1", mport, z, kr))
            for name, ip, port, _, _ in secondaries:
                try:
                    copy = sorted(xfr_records(ip, port, z))
                except Exception as e:  # noqa: BLE001
                    c.check(False, f"AXFR of {z} from {name}", repr(e))
                    continue
                c.check(copy == reference and len(copy) > 2,
                        f"{z} at {name} equals mailns's AXFR ({len(copy)} records)", diff_text(reference, copy, name))
                if z in ZONES:
                    path = os.path.join(tmp, f"{z}from-{name}")
                    write(path, "\n".join(copy) + "\n")
                    r = subprocess.run(["ldns-verify-zone", path], capture_output=True, text=True, timeout=60)
                    kind = " NSEC3 " if ZONES[z] == "nsec3" else " NSEC "
                    c.check(r.returncode == 0 and any(kind in line for line in copy),
                            f"{name}'s copy of {z} passes ldns-verify-zone ({kind.strip()})",
                            (r.stdout + r.stderr)[-2000:])

        # A secondary whose secret differs, and one that does not know the
        # key: the meaning is logged, the NOTIFY is not retried, status and
        # metrics show it.
        wrong = Server("named (wrong secret)", [args.named, "-g", "-n", "1", "-4", "-c", wconf], wport,
                       os.path.join(tmp, "named-wrong.log"))
        servers.append(wrong)
        wait_until("the second named to listen", lambda: tcp_open(WRONG_IP, wport) and tcp_open(WRONG_IP, bport),
                   30, [wrong])
        write_mailns_conf(extra=f'  - {{ address: "{WRONG_IP}:{wport}", tsig: xfr-key }}\n'
                                f'  - {{ address: "{WRONG_IP}:{bport}", tsig: stranger-key }}\n')
        for z in ZONES:
            file_serial[z] += 1
            write_zone(z, args.changes + 1)
        r = subprocess.run([args.mailns, "reload", "-c", mconf], capture_output=True, text=True, timeout=60)
        c.check(r.returncode == 0, "mailns reload with a secondary whose secret differs and one without the key",
                r.stdout + r.stderr)
        cases = [(wport, f"secondary {WRONG_IP}:{wport} rejects our TSIG signature: the secret of key xfr-key differs",
                  "bad_signature"),
                 (bport, f"secondary {WRONG_IP}:{bport} does not know key stranger-key", "unknown_key")]

        def lines_with(text):
            return [line for line in mailns.log_text().splitlines() if text in line]
        # A secondary added by a reload is sent NOTIFY of every zone.
        try:
            wait_until("mailns to log the BADSIG and BADKEY answers",
                       lambda: all(len(lines_with(meaning)) >= len(all_zones) for _, meaning, _ in cases), 20, servers)
        except RuntimeError as e:
            c.check(False, "mailns logs the BADSIG and BADKEY answers", f"{e}\n{mailns.log_tail(20)}\n"
                    f"{wrong.log_tail(10)}")
        # The retries would come after 1, 2, 4, 8 s: none in 2.5 s.
        time.sleep(2.5)
        text = mailns.log_text()
        r = subprocess.run([args.mailns, "status", "-c", mconf], capture_output=True, text=True, timeout=30)
        try:
            m = metrics_text(metrics)
        except OSError as e:
            m = repr(e)
        for port, meaning, result in cases:
            c.check(all(any(f"NOTIFY {z} serial" in line for line in lines_with(meaning)) for z in all_zones),
                    f"mailns logs `{meaning}` for each zone", "\n".join(lines_with(meaning)))
            others = [line for line in lines_with(f"{WRONG_IP}:{port}") if meaning not in line]
            c.check(len(lines_with(meaning)) == len(all_zones) and not others,
                    "once per zone, and neither retried nor `no answer after 5 tries`", "\n".join(others[-10:]))
            c.check(r.returncode == 0 and meaning in r.stdout, "mailns status shows it", r.stdout + r.stderr)
            c.check(re.search(r'mailns_notify_total\{secondary="' + re.escape(f"{WRONG_IP}:{port}") +
                              f'",result="{result}"\\}} {len(all_zones)}\n', m) is not None,
                    f'/metrics counts mailns_notify_total{{result="{result}"}} {len(all_zones)} for it',
                    "\n".join(line for line in m.splitlines() if "notify" in line))
        c.check("answer with a bad TSIG ignored" not in text, "no `answer with a bad TSIG ignored`")
        # And the good secondaries got this change too, acknowledged.
        try:
            wait_for_secondaries({z: soa_serial(mport, z) for z in ZONES}, "the last change", 30)
            c.check(True, "knotd and named still follow")
        except RuntimeError as e:
            c.check(False, "knotd and named still follow", str(e))

        for s in servers:
            c.check(s.alive(), f"{s.name} is still running")
    except RuntimeError as e:
        c.check(False, "the test ran to its end", str(e))
    finally:
        for s in reversed(servers):
            s.stop()
        if c.failures and servers:
            for s in servers:
                print(f"--- {s.name} log (last lines) ---\n{s.log_tail(40)}")
        if args.keep or c.failures:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"{c.count - c.failures} of {c.count} checks passed in {time.monotonic() - began:.0f} s")
    return 1 if c.failures else 0


if __name__ == "__main__":
    sys.exit(main())
