#!/usr/bin/env python3
"""knotd as a hidden primary's secondary (issue 6), started here on loopback.

mailns serves a master-file zone, a zone it signs (dnssec: enabled), a
parked mail domain and the catalog zone; knotd knows only the catalog
(catalog-role: interpret) and mailns as its primary, with a TSIG key. The
test checks that:
  - knotd transfers every zone (the members from the catalog) after
    mailns's NOTIFY, and each zone's AXFR from knotd and from mailns holds
    the same records;
  - knotd's copy of the signed zone passes ldns-verify-zone;
  - a change (master file edited, `mailns reload`) reaches knotd by NOTIFY
    and IXFR in seconds (knotd's own refresh timer is hours away);
  - a mail domain added to the configuration reaches knotd through the
    catalog with no change on knotd;
  - transfers without the key, from an address not allowed, or with a wrong
    key get REFUSED or NOTAUTH and no records.

Usage: xfr_knot_test.py --mailns PATH [--knotd PATH] [--keep]
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

from xfr_util import (KEY_NAME, Checks, Server, axfr, free_port, keyring, new_secret, soa_serial, transfer_rcode,
                      wait_until)

HERE = os.path.dirname(os.path.abspath(__file__))
CATALOG = "catalog.mailns.invalid."

SIGNED_ZONE = """\
$ORIGIN signed.test.
$TTL 3600
@ SOA ns1 hostmaster 1 7200 3600 1209600 300
@ NS ns1
@ MX 10 mail
ns1 A 192.0.2.53
mail A 192.0.2.25
www A 192.0.2.80
_dmarc TXT "v=DMARC1; p=reject"
sub NS ns.sub
ns.sub A 192.0.2.99
"""

MAILNS_CONF = """\
server: {{ listen: ["127.0.0.1:{mport}"], threads: 2, watch_files: false }}
zones:
  - {{ origin: example.org, file: zones/example.org.zone }}
  - origin: signed.test
    file: zones/signed.test.zone
    dnssec: {{ enabled: true }}
mail_domains:
  - {{ domain: parked.test, nameservers: [{{name: ns1.example.org}}, {{name: ns2.example.net}}], parked: true }}
{extra_domains}tsig_keys:
  - {{ name: xfr-key, algorithm: hmac-sha256, secret_file: xfr-key.b64 }}
secondaries:
  - {{ address: "127.0.0.1:{kport}", tsig: xfr-key }}
catalog: {{ zone: catalog.mailns.invalid }}
"""

KNOT_CONF = """\
server:
    rundir: "{run}"
    listen: 127.0.0.1@{kport}
    udp-workers: 1
    tcp-workers: 1
    background-workers: 2
database:
    storage: "{run}/db"
log:
  - target: stderr
    any: info
key:
  - id: xfr-key
    algorithm: hmac-sha256
    secret: {secret}
remote:
  - id: mailns
    address: 127.0.0.1@{mport}
    key: xfr-key
acl:
  - id: notify-from-mailns
    address: 127.0.0.1
    key: xfr-key
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


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mailns", required=True)
    ap.add_argument("--knotd", default=shutil.which("knotd") or "/usr/sbin/knotd")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = ap.parse_args()

    tmp = tempfile.mkdtemp(prefix="mailns-xfr-knot-")
    c = Checks()
    servers = []
    try:
        secret = new_secret()
        kr = keyring(secret)
        mport = free_port()
        kport = free_port(taken={mport})
        write(os.path.join(tmp, "xfr-key.b64"), secret + "\n")
        os.makedirs(os.path.join(tmp, "zones"))
        shutil.copy(os.path.join(HERE, "zones", "example.org.zone"), os.path.join(tmp, "zones", "example.org.zone"))
        write(os.path.join(tmp, "zones", "signed.test.zone"), SIGNED_ZONE)
        mconf = os.path.join(tmp, "mailns.yaml")
        write(mconf, MAILNS_CONF.format(mport=mport, kport=kport, extra_domains=""))
        run = os.path.join(tmp, "knot")
        for d in ("db", "zones"):  # knotd 3.2 does not create them (no catalog database: a crash)
            os.makedirs(os.path.join(run, d))
        kconf = os.path.join(tmp, "knot.conf")
        write(kconf, KNOT_CONF.format(run=run, kport=kport, mport=mport, secret=secret, catalog=CATALOG))

        # knotd first, so that mailns's start-up NOTIFY finds it listening.
        knot = Server("knotd", [args.knotd, "-c", kconf], kport, os.path.join(tmp, "knotd.log"))
        servers.append(knot)
        wait_until("knotd to listen", lambda: transfer_port_open(kport), 20, [knot])
        mailns = Server("mailns", [args.mailns, "serve", "-c", mconf], mport, os.path.join(tmp, "mailns.log"))
        servers.append(mailns)
        wait_until("mailns to answer", lambda: soa_serial(mport, "example.org."), 30, [mailns])

        zones = ["example.org.", "signed.test.", "parked.test.", CATALOG]
        served = {z: soa_serial(mport, z) for z in zones}
        c.check(all(served.values()), "mailns serves every zone, the catalog included", str(served))

        # 1. knotd picks up every zone: the catalog and its members.
        def knot_has_all():
            return all(soa_serial(kport, z) == served[z] for z in zones)
        try:
            wait_until("knotd to transfer every zone", knot_has_all, 60, servers)
            c.check(True, "knotd serves every zone with mailns's serials (members provisioned from the catalog)")
        except RuntimeError as e:
            c.check(False, "knotd serves every zone with mailns's serials", f"{e}\n{knot.log_tail()}")

        # 2. The same records on both sides.
        for z in zones:
            try:
                mine = axfr(mport, z, kr)
                theirs = axfr(kport, z)
                c.check(mine == theirs and len(mine) > 2, f"{z} AXFR from knotd and from mailns are identical "
                        f"({len(mine)} records)", diff_text(mine, theirs))
            except Exception as e:  # noqa: BLE001
                c.check(False, f"{z} AXFR from both", repr(e))
        c.check("NOTIFY signed.test. serial" in mailns.log_text() and "acknowledged" in mailns.log_text(),
                "mailns logged acknowledged NOTIFYs", mailns.log_tail())

        # 3. knotd's copy of the signed zone validates.
        try:
            signed = axfr(kport, "signed.test.")
            path = os.path.join(tmp, "signed.test.from-knotd")
            write(path, "\n".join(signed) + "\n")
            r = subprocess.run(["ldns-verify-zone", path], capture_output=True, text=True, timeout=60)
            c.check(r.returncode == 0 and any(" RRSIG " in l for l in signed) and any(" NSEC3 " in l for l in signed),
                    "knotd's copy of signed.test passes ldns-verify-zone (RRSIG and NSEC3 transferred)",
                    r.stdout + r.stderr)
        except Exception as e:  # noqa: BLE001
            c.check(False, "knotd's copy of signed.test passes ldns-verify-zone", repr(e))

        # 4. A change reaches knotd by NOTIFY and IXFR. The serial of a
        # master file is the operator's: bumped with the edit.
        zpath = os.path.join(tmp, "zones", "example.org.zone")
        with open(zpath) as f:
            text = f.read()
        old = str(served["example.org."])
        with open(zpath, "w") as f:
            f.write(text.replace(old, str(int(old) + 1), 1) + "added-by-test 300 IN A 192.0.2.200\n")
        r = subprocess.run([args.mailns, "reload", "-c", mconf], capture_output=True, text=True, timeout=60)
        c.check(r.returncode == 0, "mailns reload after editing example.org", r.stdout + r.stderr)
        new_serial = soa_serial(mport, "example.org.")
        c.check(new_serial and new_serial != served["example.org."], "example.org has a new serial at mailns",
                f"{served['example.org.']} -> {new_serial}")
        t0 = time.monotonic()
        try:
            wait_until("knotd to get the change", lambda: soa_serial(kport, "example.org.") == new_serial, 20, servers)
            took = time.monotonic() - t0
            lines = axfr(kport, "example.org.")
            c.check(any(l.startswith("added-by-test.example.org. 300 IN A 192.0.2.200") for l in lines),
                    f"knotd has the change {took:.1f} s after the reload (NOTIFY; its refresh is 7200 s)")
            c.check(axfr(mport, "example.org.", kr) == lines, "example.org still identical on both sides")
        except RuntimeError as e:
            c.check(False, "knotd gets the change", f"{e}\n{knot.log_tail()}")
        c.check(f"example.org.: IXFR serial {served['example.org.']} -> {new_serial} (1 version) to 127.0.0.1"
                in mailns.log_text() and "[example.org.] IXFR, incoming" in knot.log_text(),
                "knotd fetched it with IXFR (both logs)", mailns.log_tail(15))

        # 5. A new mail domain reaches knotd through the catalog alone.
        write(mconf, MAILNS_CONF.format(mport=mport, kport=kport, extra_domains=(
            "  - { domain: added.test, nameservers: [{name: ns1.example.org}, {name: ns2.example.net}], "
            "parked: true }\n")))
        r = subprocess.run([args.mailns, "reload", "-c", mconf], capture_output=True, text=True, timeout=60)
        c.check(r.returncode == 0, "mailns reload with a new mail domain", r.stdout + r.stderr)
        try:
            added = soa_serial(mport, "added.test.")
            wait_until("knotd to serve added.test", lambda: added and soa_serial(kport, "added.test.") == added, 30,
                       servers)
            c.check(axfr(mport, "added.test.", kr) == axfr(kport, "added.test."),
                    "knotd serves the new mail domain added.test (from the catalog), identical records")
        except RuntimeError as e:
            c.check(False, "knotd serves the new mail domain", f"{e}\n{knot.log_tail()}")

        # 6. No key, another address, a wrong key: nothing of the zone.
        rcode, an, _ = transfer_rcode(mport, "example.org.")
        c.check(rcode == 5 and an == 0, "AXFR without the key: REFUSED, no records", f"rcode {rcode}, {an} records")
        rcode, an, _ = transfer_rcode(mport, "example.org.", "IXFR", serial=1)
        c.check(rcode == 5 and an == 0, "IXFR without the key: REFUSED, no records", f"rcode {rcode}, {an} records")
        rcode, an, _ = transfer_rcode(mport, "example.org.", keyring_=kr, source="127.0.0.2")
        c.check(rcode == 5 and an == 0, "AXFR with the key from 127.0.0.2 (not a secondary): REFUSED, no records",
                f"rcode {rcode}, {an} records")
        rcode, an, _ = transfer_rcode(mport, "example.org.", keyring_=keyring(new_secret()))
        c.check(rcode == 9 and an == 0, "AXFR with a wrong secret: NOTAUTH, no records", f"rcode {rcode}, {an} records")
        rcode, an, _ = transfer_rcode(mport, "signed.test.", keyring_=keyring(secret, "hmac-sha512"),
                                      tsig_algorithm="hmac-sha512")
        c.check(rcode == 9 and an == 0, "AXFR with the key under another algorithm: NOTAUTH, no records",
                f"rcode {rcode}, {an} records")
        for s in servers:
            c.check(s.alive(), f"{s.name} is still running")
    finally:
        for s in servers:
            s.stop()
        if c.failures and servers:
            for s in servers:
                print(f"--- {s.name} log (last lines) ---\n{s.log_tail(60)}")
        if args.keep or c.failures:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"{c.count - c.failures} of {c.count} checks passed")
    return 1 if c.failures else 0


def transfer_port_open(port):
    import socket
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return True
    except OSError:
        return False


def diff_text(a, b):
    sa, sb = set(a), set(b)
    only_a = sorted(sa - sb)[:10]
    only_b = sorted(sb - sa)[:10]
    return f"only at mailns: {only_a}\nonly at knotd: {only_b}"


if __name__ == "__main__":
    sys.exit(main())
