#!/usr/bin/python3
"""Differential test: mailns against knotd on the same zone files.

Starts knotd and mailns on free loopback ports, both serving the zones in
tests/integration/zones/, sends a deterministic (seeded) corpus of queries to
both and compares the responses:

  * RCODE (extended RCODE included), opcode, and the AA, TC, RD and CD flags;
  * the question section byte for byte (the client's case, 0x20);
  * OPT: present or not, version, EDNS flags, advertised UDP payload, options;
  * answer, authority and additional as sets of RRsets: owner (lower-cased),
    type, TTL and the set of RDATAs. Order inside a section does not matter
    (RFC 2181 5: an RRset is a set; section order is not significant).

A response with TC=1 is compared on RCODE, flags, question and OPT only: the
client retries over TCP (RFC 1035 4.2.1, RFC 7766 5), so what a truncated UDP
answer carries is not a contract, and how much fits is a matter of each
server's packing. A mailns UDP answer longer than the client's limit is always
a failure.

Every difference is a failure unless a rule in INTENDED_DIFFERENCES
(difftest_rules.py) matches it; each rule names the RFC that makes mailns'
answer the right one and checks that mailns gives exactly that answer. The
rules, in short:

  id                                   mailns                      knotd 3.2             RFC
  meta-qtype                           NOTIMP (FORMERR for OPT)    NODATA, AA=1          6895 3.1, 1035 4.1.1, 6891 6.1.1
  no-wildcard-below-cut-in-additional  no glue from '*' below cut  expands it            1034 4.3.2 (3b before 3c)
  qclass-any-not-authoritative         QCLASS * answered, AA=0     AA=1                  1034 3.7.1
  cd-bit-copied                        CD copied                   CD cleared            4035 3.1.6
  rrset-lowest-ttl                     lowest TTL of a mixed set   last TTL read         2181 5.2
  complete-where-knotd-ran-out-of-room whole answer fits           TC / SOA dropped      1035 4.1.4, 2308 5
  dname-yxdomain                       YXDOMAIN + DNAME only       + target's data       6672 2.2

Not in the corpus: AXFR/IXFR, NOTIFY and UPDATE (ACL matters, tested with the
server), and CHAOS-class names knotd answers itself (id.server, version.bind).
ANY is in the corpus and needs no rule: knotd 3.2 also answers ANY with one
RRset, the lowest type at the name (RFC 8482 4.2), and so does mailns.

Usage: difftest.py --mailns PATH [--knotd PATH] [--count N] [--seed S]
Exit status 0 when there is no undocumented difference, 1 otherwise, 2 when
the servers could not be started.
"""

# The pieces: the servers, the transport, the comparison and main() are here;
# the query corpus and the test zones are in difftest_corpus.py, the
# documented differences (INTENDED_DIFFERENCES) in difftest_rules.py.

import argparse
import ctypes
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

import dns.flags
import dns.message
import dns.name
import dns.rcode

from difftest_corpus import ZONE_DIR, ZONES, Query, build_corpus
from difftest_rules import INTENDED_DIFFERENCES, opt_info, section_sets

OUR_UDP_PAYLOAD = 1232  # both servers advertise and cap UDP answers at this
TIMEOUT = 2.0


# ----------------------------------------------------------------------------
# Servers
# ----------------------------------------------------------------------------


def free_port():
    """A port free for both UDP and TCP on 127.0.0.1."""
    for _ in range(50):
        t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        t.bind(("127.0.0.1", 0))
        port = t.getsockname()[1]
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            u.bind(("127.0.0.1", port))
        except OSError:
            continue
        finally:
            u.close()
            t.close()
        return port
    raise RuntimeError("no free loopback port")


KNOT_CONF = """\
server:
    rundir: "{run}"
    listen: 127.0.0.1@{port}
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
    udp-max-payload: {payload}
    # mailns has no NSID (RFC 5001 is opt-in); knotd sends the hostname unless disabled
    nsid: ""
database:
    storage: "{run}"
log:
  - target: stderr
    any: warning
template:
  - id: default
    storage: "{zones}"
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
    semantic-checks: off
    # both servers answer DNS cookies (mailns by default)
    global-module: mod-cookies
zone:
{zone_list}
"""

MAILNS_CONF = """\
# written by difftest.py
server:
  listen: ["127.0.0.1:{port}"]
  threads: 1
zones:
{zone_list}
"""


def die_with_parent():
    """In the child before exec: get SIGTERM when this script dies, even by
    SIGKILL (a ctest timeout), so no server outlives the test."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


class Server:
    def __init__(self, name, argv, port, log_path):
        self.name = name
        self.port = port
        self.log_path = log_path
        self.log = open(log_path, "wb")
        self.proc = subprocess.Popen(argv, stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     start_new_session=True, preexec_fn=die_with_parent)

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)
        self.log.close()

    def log_tail(self, n=30):
        try:
            with open(self.log_path, "rb") as f:
                return b"\n".join(f.read().splitlines()[-n:]).decode(errors="replace")
        except OSError:
            return ""


def start_servers(args, tmp):
    zones = os.path.join(tmp, "zones")
    os.makedirs(zones)
    for _, f in ZONES:
        shutil.copy(os.path.join(ZONE_DIR, f), os.path.join(zones, f))
    knot_run = os.path.join(tmp, "knot")
    os.makedirs(knot_run)
    kport = free_port()
    kconf = os.path.join(tmp, "knot.conf")
    with open(kconf, "w") as f:
        f.write(KNOT_CONF.format(run=knot_run, port=kport, zones=zones, payload=OUR_UDP_PAYLOAD,
                                 zone_list="".join(f"  - domain: {o}\n    file: {z}\n" for o, z in ZONES)))
    mport = free_port()
    while mport == kport:
        mport = free_port()
    mconf = os.path.join(tmp, "mailns.yaml")
    with open(mconf, "w") as f:
        f.write(MAILNS_CONF.format(port=mport, zone_list="".join(
            f"  - origin: {o.rstrip('.')}\n    file: zones/{z}\n" for o, z in ZONES)))
    knot = Server("knotd", [args.knotd, "-c", kconf], kport, os.path.join(tmp, "knotd.log"))
    mailns = Server("mailns", [args.mailns, "serve", "-c", mconf, "--listen", f"127.0.0.1:{mport}"], mport,
                    os.path.join(tmp, "mailns.log"))
    return knot, mailns


def wait_ready(server, deadline):
    q = dns.message.make_query("example.org.", "SOA")
    while time.monotonic() < deadline:
        if not server.alive():
            raise RuntimeError(f"{server.name} exited with status {server.proc.returncode}:\n{server.log_tail()}")
        r = udp_exchange(server.port, q.to_wire(), timeout=0.2)
        if r is not None:
            return
        time.sleep(0.1)
    raise RuntimeError(f"{server.name} did not answer on 127.0.0.1:{server.port}:\n{server.log_tail()}")


# ----------------------------------------------------------------------------
# Transport
# ----------------------------------------------------------------------------


def udp_exchange(port, wire, timeout=TIMEOUT):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.settimeout(timeout)
        s.sendto(wire, ("127.0.0.1", port))
        qid = wire[:2]
        while True:
            data, _ = s.recvfrom(65535)
            if data[:2] == qid:
                return data
    except (socket.timeout, OSError):
        return None
    finally:
        s.close()


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def tcp_exchange(port, wire, timeout=TIMEOUT):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.settimeout(timeout)
            s.sendall(struct.pack("!H", len(wire)) + wire)
            hdr = recv_exact(s, 2)
            if hdr is None:
                return None
            return recv_exact(s, struct.unpack("!H", hdr)[0])
    except (socket.timeout, OSError):
        return None


# ----------------------------------------------------------------------------
# Comparison
# ----------------------------------------------------------------------------


def parse(wire):
    """dnspython Message of a response. dnspython rejects opcodes it has no
    name for, so the opcode bits are cleared first and compared raw."""
    if len(wire) >= 4 and wire[2] & 0x78:
        wire = wire[:2] + bytes([wire[2] & 0x87]) + wire[3:]
    return dns.message.from_wire(wire)


def describe_section(d):
    return ", ".join(f"{o} {t} ttl={ttl} x{len(rd)}" for (o, t), (ttl, rd) in sorted(d.items())) or "-"


def flags_text(m):
    return dns.flags.to_text(m.flags & (dns.flags.AA | dns.flags.TC)) or "-"


def compare(q, kw, mw):
    """Returns a list of differences (strings); empty when the answers agree."""
    if kw is None and mw is None:
        return []
    if kw is None or mw is None:
        return [f"only {'mailns' if kw is None else 'knotd'} answered"]
    diffs = []
    try:
        km = parse(kw)
    except Exception as e:  # noqa: BLE001 - any parse error is a finding
        return [f"knotd response does not parse: {e}"]
    try:
        mm = parse(mw)
    except Exception as e:  # noqa: BLE001
        return [f"mailns response does not parse: {e}"]

    if (kw[2] & 0x78) != (mw[2] & 0x78):
        diffs.append(f"opcode knotd={(kw[2] >> 3) & 15} mailns={(mw[2] >> 3) & 15}")
    if km.rcode() != mm.rcode():
        diffs.append(f"rcode knotd={dns.rcode.to_text(km.rcode())} mailns={dns.rcode.to_text(mm.rcode())}")
    for flag, name in ((dns.flags.AA, "AA"), (dns.flags.TC, "TC"), (dns.flags.RD, "RD"),
                       (dns.flags.CD, "CD")):
        if (km.flags & flag) != (mm.flags & flag):
            diffs.append(f"{name} knotd={int(bool(km.flags & flag))} mailns={int(bool(mm.flags & flag))}")
    if not (mm.flags & dns.flags.QR):
        diffs.append("mailns response has QR=0")
    if mm.id != km.id:
        diffs.append("mailns response id differs")
    # Question echoed byte for byte (client's case, RFC 1035 7.3 and the 0x20 practice).
    q_question = q.wire[12:12 + question_len(q.wire)]
    if mw[12:12 + len(q_question)] != q_question or mm.question != km.question:
        diffs.append("question not echoed exactly by mailns")
    if opt_info(km) != opt_info(mm):
        diffs.append(f"OPT knotd={opt_info(km)} mailns={opt_info(mm)}")
    truncated = bool(km.flags & dns.flags.TC) or bool(mm.flags & dns.flags.TC)
    if truncated:
        return diffs  # see module docstring: a TC=1 answer is compared on rcode/flags only
    for sec, kname in ((km.answer, "answer"), (km.authority, "authority"), (km.additional, "additional")):
        msec = {"answer": mm.answer, "authority": mm.authority, "additional": mm.additional}[kname]
        ks, ms = section_sets(sec), section_sets(msec)
        if ks != ms:
            diffs.append(f"{kname}: knotd [{describe_section(ks)}] mailns [{describe_section(ms)}]")
    # Owners equal to the QNAME carry the client's case (both servers compress
    # them to the question; a difference here means mailns lost the case).
    qn = dns.name.from_text(q.qname)
    for rrset in mm.answer:
        if rrset.name == qn and rrset.name.to_text() != qn.to_text():
            diffs.append(f"answer owner {rrset.name} does not keep the query's case {qn}")
            break
    return diffs


def question_len(wire):
    p = 12
    while wire[p] != 0:
        p += wire[p] + 1
    return p + 1 + 4 - 12


def udp_limit(q):
    """Largest UDP answer allowed: 512 without EDNS, else the client's size
    (at least 512, RFC 6891 6.2.5) capped by the servers' own 1232."""
    return 512 if q.edns is None else max(512, min(q.edns, OUR_UDP_PAYLOAD))


def explaining_rule(q, kw, mw, knot_port):
    """The intended difference that explains this pair of answers, if any.
    For a UDP query knotd's answer over TCP is attached as km.tcp_twin: what
    knotd says when room is no concern."""
    if kw is None or mw is None:
        return None
    try:
        km, mm = parse(kw), parse(mw)
        km.tcp_twin = None
        if not q.tcp:
            tw = tcp_exchange(knot_port, q.wire)
            km.tcp_twin = parse(tw) if tw is not None else None
    except Exception:  # noqa: BLE001 - unparseable answers are never explained
        return None
    return next((r for r in INTENDED_DIFFERENCES if r.applies(q) and r.explains(q, km, mm)), None)


# ----------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mailns", required=True, help="path of the mailns binary")
    ap.add_argument("--knotd", default=shutil.which("knotd") or "/usr/sbin/knotd")
    ap.add_argument("--count", type=int, default=2400, help="minimum number of queries")
    ap.add_argument("--seed", type=int, default=20240101)
    ap.add_argument("--tcp-every", type=int, default=7, help="send every Nth query over TCP too")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    ap.add_argument("-v", "--verbose", action="store_true", help="also list documented differences")
    args = ap.parse_args()

    for path in (args.mailns, args.knotd):
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            print(f"difftest: {path} is not an executable file", file=sys.stderr)
            return 2

    queries = build_corpus(args.seed, args.count, args.tcp_every)
    # SIGTERM (ctest, CI) unwinds through the finally below, which stops both servers.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    tmp = tempfile.mkdtemp(prefix="mailns-difftest-")
    knot = mailns = None
    try:
        knot, mailns = start_servers(args, tmp)
        deadline = time.monotonic() + 20
        wait_ready(knot, deadline)
        wait_ready(mailns, deadline)

        stats = {"queries": 0, "udp": 0, "tcp": 0, "same": 0, "documented": {}, "undocumented": 0,
                 "truncated": 0}
        undocumented = []
        for q in queries:
            transports = [False, True] if q.tcp else [False]
            for tcp in transports:
                exch = tcp_exchange if tcp else udp_exchange
                kw = exch(knot.port, q.wire)
                mw = exch(mailns.port, q.wire)
                stats["queries"] += 1
                stats["tcp" if tcp else "udp"] += 1
                qd = Query(**{**q.__dict__, "tcp": tcp})
                if mw is not None and len(mw) > 2 and (mw[2] & 0x02):
                    stats["truncated"] += 1
                diffs = compare(qd, kw, mw)
                if mw is not None and not tcp and len(mw) > udp_limit(qd):
                    # Never explained by a rule: a UDP answer over the limit is a bug.
                    stats["undocumented"] += 1
                    undocumented.append((qd, [f"mailns UDP answer of {len(mw)} octets exceeds the limit "
                                              f"{udp_limit(qd)} (RFC 1035 4.2.1, RFC 6891 6.2.5)"] + diffs))
                    continue
                if not diffs:
                    stats["same"] += 1
                    continue
                rule = explaining_rule(qd, kw, mw, knot.port)
                if rule is not None:
                    stats["documented"][rule.ident] = stats["documented"].get(rule.ident, 0) + 1
                    if args.verbose:
                        print(f"documented [{rule.ident}] {qd.describe()}: {'; '.join(diffs)}")
                    continue
                stats["undocumented"] += 1
                undocumented.append((qd, diffs))
            if not knot.alive() or not mailns.alive():
                who = knot if not knot.alive() else mailns
                print(f"difftest: {who.name} died during query {q.describe()}:\n{who.log_tail()}")
                return 1

        for qd, diffs in undocumented:
            print(f"DIFF {qd.describe()}")
            for d in diffs:
                print(f"    {d}")
        doc = ", ".join(f"{k}={v}" for k, v in sorted(stats["documented"].items())) or "none"
        print(f"difftest: {stats['queries']} exchanges ({len(queries)} queries; {stats['udp']} udp, "
              f"{stats['tcp']} tcp; {stats['truncated']} truncated), {stats['same']} identical, "
              f"documented differences: {doc}, undocumented differences: {stats['undocumented']}")
        return 1 if stats["undocumented"] else 0
    except RuntimeError as e:
        print(f"difftest: {e}", file=sys.stderr)
        return 2
    finally:
        for s in (knot, mailns):
            if s is not None:
                s.stop()
        if args.keep:
            print(f"difftest: kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
