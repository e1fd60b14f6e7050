#!/usr/bin/env python3
"""A reload in the middle of an AXFR does not mix two versions (issue 6).

mailns serves a large zone; a slow client (small receive buffer, reading in
small pieces) starts an AXFR and stops after the first messages; the zone
file is changed (serial bumped, a marker record changed, records added and
removed) and `mailns reload` publishes the new version while the transfer
is still being written. The rest of the transfer must be the old version
from its first SOA to its last, and a new AXFR the new one.

Usage: xfr_reload_test.py --mailns PATH [--records N] [--keep]
"""

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

import dns.message
import dns.rdatatype

from xfr_util import Checks, Server, free_port, recv_exact, soa_serial, wait_until

CONF = """\
server: {{ listen: ["127.0.0.1:{port}"], threads: 2, watch_files: false }}
zones:
  - {{ origin: big.test, file: big.test.zone }}
allow_transfer: [127.0.0.3]
"""


def zone_text(serial, records, marker, extra):
    lines = ["$ORIGIN big.test.", "$TTL 3600", f"@ SOA ns1 hostmaster {serial} 7200 3600 1209600 300", "@ NS ns1",
             "ns1 A 192.0.2.1", f'marker TXT "{marker}"']
    for i in range(records):
        lines.append(f"h{i} A 10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}")
        lines.append(f'h{i} TXT "host {i} of the big test zone, version-independent text"')
    lines.extend(extra)
    return "\n".join(lines) + "\n"


def start_axfr(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # the server fills this at once, then waits for us
    s.bind(("127.0.0.3", 0))
    s.settimeout(30)
    s.connect(("127.0.0.1", port))
    q = dns.message.make_query("big.test.", "AXFR")
    wire = q.to_wire()
    s.sendall(len(wire).to_bytes(2, "big") + wire)
    return s


def read_message(s):
    n = int.from_bytes(recv_exact(s, 2), "big")
    return dns.message.from_wire(recv_exact(s, n), one_rr_per_rrset=True, question_only=False)


def records_of(msgs):
    out = []
    for m in msgs:
        for rrset in m.answer:
            for rd in rrset:
                out.append((rrset.name.to_text(), rrset.rdtype, rd.to_text()))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mailns", required=True)
    ap.add_argument("--records", type=int, default=40000)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()

    tmp = tempfile.mkdtemp(prefix="mailns-xfr-reload-")
    c = Checks()
    mailns = None
    try:
        port = free_port()
        zpath = os.path.join(tmp, "big.test.zone")
        with open(zpath, "w") as f:
            f.write(zone_text(100, args.records, "version one", ["gone A 192.0.2.7"]))
        conf = os.path.join(tmp, "mailns.yaml")
        with open(conf, "w") as f:
            f.write(CONF.format(port=port))
        mailns = Server("mailns", [args.mailns, "serve", "-c", conf], port, os.path.join(tmp, "mailns.log"))
        wait_until("mailns to answer", lambda: soa_serial(port, "big.test.") == 100, 60, [mailns])

        s = start_axfr(port)
        first = []
        for _ in range(2):
            first.append(read_message(s))
            time.sleep(0.2)
        c.check(first[0].answer[0].rdtype == dns.rdatatype.SOA and first[0].answer[0][0].serial == 100,
                "the transfer starts with the old SOA (serial 100)")
        time.sleep(0.5)
        c.check("to 127.0.0.3:" not in mailns.log_text(),
                "the transfer is not finished while the client is not reading (mailns has not logged its end)")

        with open(zpath, "w") as f:
            f.write(zone_text(101, args.records, "version two", ["new A 192.0.2.8"]))
        r = subprocess.run([args.mailns, "reload", "-c", conf], capture_output=True, text=True, timeout=120)
        c.check(r.returncode == 0 and "big.test: loaded, serial 101" in r.stdout,
                "mailns reload published serial 101 during the transfer", r.stdout + r.stderr)
        c.check(soa_serial(port, "big.test.") == 101, "new queries get serial 101")

        rest = []
        while True:
            m = read_message(s)
            rest.append(m)
            if m.answer and m.answer[-1].rdtype == dns.rdatatype.SOA:
                break
            if len(rest) > 10000:
                break
        s.close()
        recs = records_of(first + rest)
        soas = [rd for (_, t, rd) in recs if t == dns.rdatatype.SOA]
        markers = [rd for (n, t, rd) in recs if n == "marker.big.test." and t == dns.rdatatype.TXT]
        names = {n for (n, _, _) in recs}
        c.check(len(soas) == 2 and all(" 100 " in x for x in soas), "first and last SOA of the transfer: serial 100",
                str(soas))
        c.check(markers == ['"version one"'], "the marker record is the old one", str(markers))
        c.check("gone.big.test." in names and "new.big.test." not in names,
                "records of the old version only (removed one present, added one absent)")
        c.check(len(recs) == 2 * args.records + 5 + 1, f"every old record once: {len(recs)} records in "
                f"{len(first) + len(rest)} messages", f"expected {2 * args.records + 6}")
        c.check(len(first) + len(rest) > 10, "the transfer took many messages")

        s = socket.create_connection(("127.0.0.1", port), source_address=("127.0.0.3", 0), timeout=30)
        q = dns.message.make_query("big.test.", "AXFR").to_wire()
        s.sendall(len(q).to_bytes(2, "big") + q)
        msgs = []
        while True:
            m = read_message(s)
            msgs.append(m)
            if len(msgs) > 1 and m.answer and m.answer[-1].rdtype == dns.rdatatype.SOA or len(msgs) > 10000:
                break
        s.close()
        recs = records_of(msgs)
        markers = [rd for (n, t, rd) in recs if n == "marker.big.test." and t == dns.rdatatype.TXT]
        names = {n for (n, _, _) in recs}
        c.check(markers == ['"version two"'] and "new.big.test." in names and "gone.big.test." not in names,
                "a new AXFR sends the new version")
        log = mailns.log_text()
        c.check("big.test.: AXFR serial 100 to 127.0.0.3:" in log and "big.test.: AXFR serial 101 to 127.0.0.3:" in log,
                "mailns logged the complete transfers of serial 100 and 101")
        c.check(mailns.alive(), "mailns is still running")
    finally:
        if mailns:
            mailns.stop()
            if c.failures:
                print(f"--- mailns log ---\n{mailns.log_tail(40)}")
        if args.keep or c.failures:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"{c.count - c.failures} of {c.count} checks passed")
    return 1 if c.failures else 0


if __name__ == "__main__":
    sys.exit(main())
