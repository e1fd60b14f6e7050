#!/usr/bin/env python3
"""NSD as a secondary of mailns (issue 6), started here on loopback.

NSD asks mailns for example.org with a TSIG key: first a full transfer
(it has no copy yet), then, after the zone changes at mailns (`mailns
reload` with the file edited) and mailns's NOTIFY, an incremental one. The
test checks that NSD then serves the new version, that mailns logged an
IXFR of one version to NSD, and that NSD's own log shows the incremental
transfer; and that NSD's copy and mailns's zone hold the same records.

Usage: xfr_nsd_test.py --mailns PATH [--nsd PATH] [--keep]
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

from xfr_util import Checks, Server, axfr, free_port, keyring, new_secret, soa_serial, wait_until

ZONE = """\
$ORIGIN example.org.
$TTL 3600
@ SOA ns1 hostmaster {serial} 7200 3600 1209600 300
@ NS ns1
@ MX 10 mail
ns1 A 192.0.2.53
mail A 192.0.2.25
www A 192.0.2.80
_dmarc TXT "v=DMARC1; p=reject"
{extra}"""

MAILNS_CONF = """\
server: {{ listen: ["127.0.0.1:{mport}"], threads: 1, watch_files: false }}
zones:
  - {{ origin: example.org, file: example.org.zone }}
tsig_keys:
  - {{ name: xfr-key, algorithm: hmac-sha256, secret_file: xfr-key.b64 }}
secondaries:
  - {{ address: "127.0.0.1:{nport}", tsig: xfr-key }}
allow_transfer: [127.0.0.4]   # the test's own transfers, told apart from NSD's in the log
"""

NSD_CONF = """\
server:
    ip-address: 127.0.0.1
    port: {nport}
    username: ""
    chroot: ""
    zonesdir: "{dir}"
    database: ""
    pidfile: "{dir}/nsd.pid"
    xfrdfile: "{dir}/xfrd.state"
    xfrdir: "{dir}"
    zonelistfile: "{dir}/zone.list"
    verbosity: 2
    server-count: 1
    reuseport: no
    hide-version: yes
remote-control:
    control-enable: no
key:
    name: "xfr-key"
    algorithm: hmac-sha256
    secret: "{secret}"
zone:
    name: "example.org"
    zonefile: "example.org.zone"
    request-xfr: 127.0.0.1@{mport} xfr-key
    allow-notify: 127.0.0.1 xfr-key
    provide-xfr: 127.0.0.1 NOKEY
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mailns", required=True)
    ap.add_argument("--nsd", default=shutil.which("nsd") or "/usr/sbin/nsd")
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()

    tmp = tempfile.mkdtemp(prefix="mailns-xfr-nsd-")
    c = Checks()
    servers = []
    try:
        secret = new_secret()
        kr = keyring(secret)
        mport = free_port()
        nport = free_port(taken={mport})
        with open(os.path.join(tmp, "xfr-key.b64"), "w") as f:
            f.write(secret + "\n")
        zpath = os.path.join(tmp, "example.org.zone")
        with open(zpath, "w") as f:
            f.write(ZONE.format(serial=2024060101, extra=""))
        mconf = os.path.join(tmp, "mailns.yaml")
        with open(mconf, "w") as f:
            f.write(MAILNS_CONF.format(mport=mport, nport=nport))
        ndir = os.path.join(tmp, "nsd")
        os.makedirs(ndir)
        nconf = os.path.join(tmp, "nsd.conf")
        with open(nconf, "w") as f:
            f.write(NSD_CONF.format(nport=nport, mport=mport, dir=ndir, secret=secret))

        nsd = Server("nsd", [args.nsd, "-d", "-c", nconf], nport, os.path.join(tmp, "nsd.log"))
        servers.append(nsd)
        mailns = Server("mailns", [args.mailns, "serve", "-c", mconf], mport, os.path.join(tmp, "mailns.log"))
        servers.append(mailns)
        wait_until("mailns to answer", lambda: soa_serial(mport, "example.org."), 30, servers)

        # 1. The first transfer is a full one.
        try:
            wait_until("NSD to load example.org", lambda: soa_serial(nport, "example.org.") == 2024060101, 60, servers)
            c.check(True, "NSD serves example.org serial 2024060101 from mailns")
        except RuntimeError as e:
            c.check(False, "NSD serves example.org from mailns", f"{e}\n{nsd.log_tail()}")
        log = mailns.log_text()
        c.check(re.search(r"example\.org\.: (AXFR serial 2024060101|IXFR serial \d+ -> 2024060101 as AXFR .*) to "
                          r"127\.0\.0\.1 \(key xfr-key\.\)", log) is not None,
                "the first transfer to NSD was a full one (mailns log)", mailns.log_tail(10))
        c.check(axfr(nport, "example.org.") == axfr(mport, "example.org.", source="127.0.0.4"),
                "NSD's copy and mailns's zone hold the same records")

        # 2. A change: NOTIFY, then IXFR.
        with open(zpath, "w") as f:
            f.write(ZONE.format(serial=2024060102, extra="added 300 IN A 192.0.2.99\n").replace(
                'www A 192.0.2.80', 'www A 192.0.2.81'))
        r = subprocess.run([args.mailns, "reload", "-c", mconf], capture_output=True, text=True, timeout=60)
        c.check(r.returncode == 0, "mailns reload after the edit", r.stdout + r.stderr)
        t0 = time.monotonic()
        try:
            wait_until("NSD to get serial 2024060102", lambda: soa_serial(nport, "example.org.") == 2024060102, 30,
                       servers)
            c.check(True, f"NSD serves serial 2024060102 {time.monotonic() - t0:.1f} s after the reload (NOTIFY)")
        except RuntimeError as e:
            c.check(False, "NSD gets the change", f"{e}\n{nsd.log_tail()}")
        lines = axfr(nport, "example.org.")
        c.check("added.example.org. 300 IN A 192.0.2.99" in lines and "www.example.org. 3600 IN A 192.0.2.81" in lines
                and "www.example.org. 3600 IN A 192.0.2.80" not in lines, "NSD's copy has the change")
        c.check(lines == axfr(mport, "example.org.", source="127.0.0.4"), "NSD's copy and mailns's zone still hold the same records")
        log = mailns.log_text()
        c.check("example.org.: IXFR serial 2024060101 -> 2024060102 (1 version) to 127.0.0.1 (key xfr-key.)" in log,
                "mailns answered NSD with an IXFR of one version", mailns.log_tail(10))
        c.check("NOTIFY example.org. serial 2024060102 to" in log and "acknowledged" in log,
                "mailns's NOTIFY was acknowledged by NSD")
        # NSD 4.6 does not log whether a transfer was incremental; what it
        # received is in its log, what it asked for and got in mailns's
        # (every transfer to 127.0.0.1 with the key is NSD's; the test's own
        # come from 127.0.0.4).
        nlog = nsd.log_text()
        c.check(re.search(r"received update to serial 2024060102 .*TSIG verified with key xfr-key", nlog) is not None,
                "NSD's log shows the update to 2024060102, TSIG verified", nsd.log_tail(10))
        to_nsd = re.findall(r"example\.org\.: (.*) to 127\.0\.0\.1 \(key xfr-key\.\)", log)
        c.check(not any(t.startswith("AXFR serial 2024060102") or ("-> 2024060102" in t and "as AXFR" in t)
                        for t in to_nsd) and any(t.startswith("IXFR serial 2024060101 -> 2024060102") for t in to_nsd),
                "serial 2024060102 reached NSD only by IXFR (transfers to NSD: " + "; ".join(
                    t.split(":")[0] for t in to_nsd) + ")")
        for s in servers:
            c.check(s.alive(), f"{s.name} is still running")
    finally:
        for s in servers:
            s.stop()
        if c.failures:
            for s in servers:
                print(f"--- {s.name} log ---\n{s.log_tail(40)}")
        if args.keep or c.failures:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"{c.count - c.failures} of {c.count} checks passed")
    return 1 if c.failures else 0


if __name__ == "__main__":
    sys.exit(main())
