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

Every difference is a failure unless a rule in INTENDED_DIFFERENCES below
matches it; each rule names the RFC that makes mailns' answer the right one
and checks that mailns gives exactly that answer. The rules, in short:

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

import argparse
import ctypes
import os
import random
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

import dns.edns
import dns.flags
import dns.message
import dns.name
import dns.opcode
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.zone

HERE = os.path.dirname(os.path.abspath(__file__))
ZONE_DIR = os.path.join(HERE, "zones")
ZONES = [  # origin, file name in ZONE_DIR
    ("example.org.", "example.org.zone"),
    ("example.net.", "example.net.zone"),
    ("child.example.net.", "child.example.net.zone"),
]
OUR_UDP_PAYLOAD = 1232  # both servers advertise and cap UDP answers at this
TIMEOUT = 2.0

# Every data type a zone can hold that a client may plausibly ask for, the
# types present in the test zones, an unknown type (RFC 3597) and ANY.
QTYPES = [
    "A", "NS", "CNAME", "SOA", "PTR", "HINFO", "MX", "TXT", "RP", "AFSDB", "AAAA", "LOC", "SRV",
    "NAPTR", "KX", "CERT", "DNAME", "DS", "SSHFP", "IPSECKEY", "RRSIG", "NSEC", "DNSKEY", "DHCID",
    "NSEC3", "NSEC3PARAM", "TLSA", "SMIMEA", "HIP", "CDS", "CDNSKEY", "OPENPGPKEY", "CSYNC",
    "ZONEMD", "SVCB", "HTTPS", "SPF", "NID", "L32", "L64", "LP", "EUI48", "EUI64", "URI", "CAA",
    "TYPE65000", "TYPE65535", "ANY",
]
# QTYPEs that are not data types (RFC 6895 3.1): answered differently on purpose.
META_QTYPES = ["OPT", "TYPE128", "TKEY", "TSIG", "MAILB", "MAILA", "TYPE0"]
CORE_QTYPES = ["A", "AAAA", "MX", "TXT", "NS", "SOA", "DS", "CNAME", "ANY", "SRV", "TLSA", "HTTPS", "CAA",
               "DNSKEY", "TYPE65000"]
EDNS_CHOICES = [None, 512, 1232, 4096] * 4 + [0, 100, 511, 600, 1000, 1231, 1233, 1400, 65535]


# ----------------------------------------------------------------------------
# Intended differences. Each rule: an id, when it applies (the query), the RFC
# reason, and a check that mailns answered exactly as the RFC says. When the
# check passes, the difference is counted as documented; when it does not, it
# is reported as an undocumented difference like any other.
# ----------------------------------------------------------------------------


@dataclass
class Rule:
    ident: str
    reason: str
    applies: object  # (Query) -> bool
    explains: object  # (Query, knotd Message, mailns Message) -> bool: mailns gave exactly the RFC answer


def _meta_qtype(q):
    return q.qtype in (dns.rdatatype.TSIG, dns.rdatatype.TKEY, dns.rdatatype.MAILA, dns.rdatatype.MAILB,
                       128, 0, dns.rdatatype.OPT)


def _meta_ok(q, km, mm):
    want = dns.rcode.FORMERR if q.qtype == dns.rdatatype.OPT else dns.rcode.NOTIMP
    return (mm.rcode() == want and not (mm.flags & dns.flags.AA) and not mm.answer and not mm.authority
            and not any(r.rdtype != dns.rdatatype.OPT for r in mm.additional))


def _occluded_synthesis(name):
    """True when name lies below a zone cut and does not exist in the zone
    file: knotd's data for it can only come from a wildcard below the cut."""
    return any(name.is_subdomain(c) and name != c for c in ZONE_FACTS.cuts) and name not in ZONE_FACTS.names


def _occluded_additional_ok(q, km, mm):
    if km.rcode() != mm.rcode() or (km.flags ^ mm.flags) & (dns.flags.AA | dns.flags.TC):
        return False
    if section_sets(km.answer) != section_sets(mm.answer) or section_sets(km.authority) != section_sets(mm.authority):
        return False
    kept = [r for r in km.additional if not _occluded_synthesis(r.name)]
    return len(kept) < len(km.additional) and section_sets(kept) == section_sets(mm.additional)


def _same_except_flags(km, mm, mask):
    """Identical answers apart from the header flags in mask."""
    if km.rcode() != mm.rcode() or (km.flags ^ mm.flags) & ~mask & 0xFFFF or opt_info(km) != opt_info(mm):
        return False
    if (km.flags | mm.flags) & dns.flags.TC:
        return True  # truncated: compared on rcode and flags only
    return all(section_sets(a) == section_sets(b) for a, b in
               ((km.answer, mm.answer), (km.authority, mm.authority), (km.additional, mm.additional)))


def _same_but_aa(q, km, mm):
    want_cd = dns.flags.CD if q.cd else 0
    return (not mm.flags & dns.flags.AA and (mm.flags & dns.flags.CD) == want_cd
            and _same_except_flags(km, mm, dns.flags.AA | dns.flags.CD))


def _cd_copied(q, km, mm):
    return mm.flags & dns.flags.CD and _same_except_flags(km, mm, dns.flags.CD)


def _lowest_ttl_ok(q, km, mm):
    if km.rcode() != mm.rcode() or (km.flags ^ mm.flags) & ~dns.flags.CD & 0xFFFF:
        return False
    explained = False
    for a, b in ((km.answer, mm.answer), (km.authority, mm.authority), (km.additional, mm.additional)):
        ka, ma = section_sets(a), section_sets(b)
        if ka.keys() != ma.keys():
            return False
        for key in ka:
            (kt, kr), (mt, mr) = ka[key], ma[key]
            if kr != mr:
                return False
            if kt != mt:
                if ZONE_FACTS.mixed_ttl.get(key) != mt:
                    return False
                explained = True
    return explained


def _sections(m):
    return [section_sets(x) for x in (m.answer, m.authority, m.additional)]


def _complete_where_knot_ran_out(q, km, mm):
    tw = km.tcp_twin
    if tw is None or mm.flags & dns.flags.TC or km.rcode() != mm.rcode() or tw.rcode() != mm.rcode():
        return False
    if (tw.flags ^ mm.flags) & ~dns.flags.CD & 0xFFFF:
        return False
    knot_lost_room = bool(km.flags & dns.flags.TC) or _sections(km) != _sections(tw)
    return knot_lost_room and _sections(mm) == _sections(tw)


def _dname_yxdomain(q, km, mm):
    if mm.rcode() != dns.rcode.YXDOMAIN or km.rcode() != dns.rcode.YXDOMAIN or mm.authority or \
            any(r.rdtype != dns.rdatatype.OPT for r in mm.additional):
        return False
    if len(mm.answer) != 1 or mm.answer[0].rdtype != dns.rdatatype.DNAME:
        return False
    return mm.answer[0] in km.answer and not (km.flags ^ mm.flags) & ~dns.flags.CD & 0xFFFF


INTENDED_DIFFERENCES = [
    Rule(
        "meta-qtype",
        "QTYPE 0, OPT, TKEY, TSIG, MAILA, MAILB and the unassigned 128..248 are not data types "
        "(RFC 6895 3.1: Q-TYPEs and Meta-TYPEs, 0x0080-0x00FF and OPT). mailns answers NOTIMP "
        "(RFC 1035 4.1.1: 'does not support the requested kind of query'; RFC 1035 3.2.3 MAILA/MAILB "
        "are obsolete) and FORMERR for QTYPE=OPT, which is a pseudo-RR that may only appear in the "
        "additional section (RFC 6891 6.1.1); BIND does the same. knotd 3.2 treats them as data types "
        "and answers NODATA with AA=1, which claims authoritative knowledge of a type no zone can hold.",
        _meta_qtype,
        _meta_ok,
    ),
    Rule(
        "no-wildcard-below-cut-in-additional",
        "An MX/SRV/NS target below a zone cut that does not exist as a name (e.g. mx.sub.example.net "
        "with only '*.sub' below the cut 'sub'): knotd expands the occluded wildcard into the "
        "additional section. Data below a cut is not authoritative and the lookup stops at the cut "
        "before wildcards are considered (RFC 1034 4.3.2: step 3b, the referral, comes before 3c, the "
        "'*' label; RFC 4592 2.2.1 defines wildcard synthesis only for authoritative data), so mailns "
        "adds glue below a cut only for names that exist. Everything else in the response is identical.",
        lambda q: True,
        _occluded_additional_ok,
    ),
    Rule(
        "qclass-any-not-authoritative",
        "QCLASS * (255, RFC 1035 3.2.5): both servers answer from the IN data, but 'responses to "
        "QCLASS=* queries can never be authoritative' (RFC 1034 3.7.1), since a server cannot know "
        "every class. mailns clears AA; knotd 3.2 sets it. Everything else is identical.",
        lambda q: q.qclass == dns.rdataclass.ANY,
        _same_but_aa,
    ),
    Rule(
        "rrset-lowest-ttl",
        "An RRset written with different TTLs in the zone file (ttlmix: 300 and 600). RFC 2181 5.2 "
        "allows one TTL per RRset and says a receiver of a mixed set uses the lowest; mailns serves "
        "the lowest (and warns at load), knotd 3.2 the last one it read. Everything else is identical.",
        lambda q: True,
        _lowest_ttl_ok,
    ),
    Rule(
        "complete-where-knotd-ran-out-of-room",
        "A UDP answer that mailns fits whole within the size limit (RFC 1035 4.2.1, RFC 6891 6.2.5) "
        "while knotd either sets TC or silently drops the SOA of a negative answer (which RFC 2308 5 "
        "needs for negative caching): mailns compresses names against every earlier name, including "
        "the uncompressed targets in DNAME/SRV/SVCB RDATA (RFC 1035 4.1.4). The check: mailns' UDP "
        "answer equals knotd's own answer to the same query over TCP, and knotd's UDP answer does not.",
        lambda q: not q.tcp,
        _complete_where_knot_ran_out,
    ),
    Rule(
        "dname-yxdomain",
        "A name below a DNAME whose substitution would exceed 255 octets: RFC 6672 2.2 requires "
        "YXDOMAIN; mailns answers YXDOMAIN with the DNAME and nothing else. knotd 3.2 also returns "
        "YXDOMAIN but then goes on resolving the DNAME's target as if it were a CNAME target and "
        "appends what it finds there (data of another name, or a negative SOA).",
        lambda q: True,
        _dname_yxdomain,
    ),
    Rule(
        "cd-bit-copied",
        "A query with CD=1: 'the name server side MUST copy the setting of the CD bit from a query "
        "to the corresponding response' (RFC 4035 3.1.6); mailns does, knotd 3.2 clears it. "
        "Everything else is identical.",
        lambda q: q.cd,
        _cd_copied,
    ),
]


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
# Corpus
# ----------------------------------------------------------------------------


@dataclass
class Query:
    index: int
    qname: str  # presentation, in the case sent
    qtype: int
    qclass: int = dns.rdataclass.IN
    edns: object = None  # None or the advertised payload size
    do: bool = False
    rd: bool = False
    cd: bool = False
    tcp: bool = False
    opcode: int = 0
    edns_version: int = 0
    edns_options: tuple = ()  # (code, data) pairs
    edns_z: int = 0           # unassigned EDNS flag bits set by the client (RFC 6891 6.1.4: ignore)
    wire: bytes = b""

    def describe(self):
        e = "noedns" if self.edns is None else f"edns={self.edns}{'+do' if self.do else ''}"
        if self.edns is not None and self.edns_version:
            e += f" version={self.edns_version}"
        if self.edns_options:
            e += " options=" + ",".join(str(c) for c, _ in self.edns_options)
        if self.edns_z:
            e += f" z={self.edns_z:#x}"
        cls = "" if self.qclass == dns.rdataclass.IN else " " + dns.rdataclass.to_text(self.qclass)
        op = f" opcode={self.opcode}" if self.opcode else ""
        return (f"#{self.index} {self.qname}{cls} {dns.rdatatype.to_text(self.qtype)} {e}{op}"
                f"{' rd' if self.rd else ''}{' cd' if self.cd else ''} {'tcp' if self.tcp else 'udp'}")


class ZoneFacts:
    """Names, wildcards and zone cuts of the test zones (read with dnspython),
    and the lowest TTL of every RRset whose records were written with
    different TTLs."""
    names = frozenset()
    cuts = ()
    mixed_ttl = {}  # (owner lower-cased text, type text) -> lowest TTL
    dnames = ()


ZONE_FACTS = ZoneFacts()


def mixed_ttl_rrsets():
    """RRsets written with more than one TTL in one zone file (dnspython
    merges them silently, so the one-line-per-record test zones are read as
    text: owner, optional TTL, optional class, type)."""
    mixed = {}
    for origin, f in ZONES:
        seen = {}
        default_ttl, owner = 3600, None
        with open(os.path.join(ZONE_DIR, f)) as fh:
            for line in fh:
                fields = line.split(";", 1)[0].split()
                if not fields or fields[0] == "$ORIGIN":
                    continue
                if fields[0] == "$TTL":
                    default_ttl = int(fields[1])
                    continue
                if not line[0].isspace():
                    owner = dns.name.from_text(fields.pop(0), dns.name.from_text(origin)).to_text().lower()
                ttl = int(fields.pop(0)) if fields[0].isdigit() else default_ttl
                if fields[0] == "IN":
                    fields.pop(0)
                seen.setdefault((owner, fields[0].upper()), set()).add(ttl)
        mixed.update({k: min(v) for k, v in seen.items() if len(v) > 1})
    return mixed


def zone_names():
    """Every owner name in the test zones, plus the empty non-terminals."""
    names = set()
    wildcards, cuts, dnames = [], [], []
    for origin, f in ZONES:
        z = dns.zone.from_file(os.path.join(ZONE_DIR, f), origin=origin, relativize=False, check_origin=False)
        for name, node in z.nodes.items():
            names.add(name)
            n = name
            while n != z.origin and len(n) > len(z.origin):
                n = n.parent()
                names.add(n)
            if name.labels[0] == b"*":
                wildcards.append(name)
            if name != z.origin and node.get_rdataset(dns.rdataclass.IN, dns.rdatatype.NS):
                cuts.append(name)
            if node.get_rdataset(dns.rdataclass.IN, dns.rdatatype.DNAME):
                dnames.append(name)
    ZONE_FACTS.mixed_ttl = mixed_ttl_rrsets()
    ZONE_FACTS.names = frozenset(names)
    ZONE_FACTS.cuts = tuple(cuts)
    ZONE_FACTS.dnames = tuple(dnames)
    return sorted(names), wildcards, cuts


def random_label(rng, n=None):
    n = n or rng.randint(1, 12)
    return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789-") for _ in range(n)).strip("-") or "x"


def random_case(rng, text):
    return "".join(c.upper() if c.isalpha() and rng.random() < 0.5 else c for c in text)


def build_names(rng):
    names, wildcards, cuts = zone_names()
    out = [n.to_text() for n in names]
    for w in wildcards:
        parent = w.parent()
        out += [f"{random_label(rng)}.{parent}", f"a.b.{parent}", f"{random_label(rng)}.{random_label(rng)}.{parent}"]
    for c in cuts:
        out += [f"{random_label(rng)}.{c}", f"x.deep.{c}", f"ns1.{c}", f"a.b.c.{c}"]
    for d in ZONE_FACTS.dnames:
        out += [f"www.{d}", f"mail.{d}", f"a.b.{d}", f"{random_label(rng)}.{d}", f"*.{d}",
                # long enough that the substituted name exceeds 255 octets for longd (YXDOMAIN)
                ".".join(["e" * 40] * 3) + f".{d}"]
    for origin, _ in ZONES:
        out += [f"nx-{random_label(rng)}.{origin}", f"{random_label(rng)}.{random_label(rng)}.{origin}"]
    out += [
        "nx.a.b.c.ent.example.org.", "b.c.ent.example.org.", "c.ent.example.org.", "x.a.b.c.ent.example.org.",
        "nx._domainkey.example.org.", "a.b._domainkey.example.org.", "_domainkey.example.org.",
        "x.y.starent.example.org.", "*.starent.example.org.", "z.*.starent.example.org.",
        "foo.exists.wild.example.org.", "nx.mail.example.org.", "_tcp.mail.example.org.",
        "_443._tcp.mail.example.org.", "www.child.example.net.", "nx.child.example.net.",
        "deep.nx.child.example.net.",
        # below an ENT when the apex has a wildcard: the ENT is the closest encloser, no synthesis
        "nx.ent.example.net.", "nx.dkim.example.net.", "x.sel2.dkim.example.net.",
        # below a CNAME owner: NXDOMAIN, the CNAME is not applied to descendants
        "x.www.example.org.", "x.c1.example.net.", "a.b.loop1.example.net.",
        # odd labels: escaped dot, binary and upper-half octets, a lone '*' deeper down
        "a\\.b.example.org.", "\\200x.example.net.", "\\000.example.org.", "\\255\\254.wild.example.org.",
        "MAIL\\.example.org.", "*.*.wild.example.org.", "*.c.ent.example.org.", "**.wild.example.org.",
        # outside every zone we serve: REFUSED
        "example.com.", "www.example.com.", "org.", "net.", ".", "example.orgx.", "xexample.org.",
    ]
    # Long names near the 255-octet limit, inside a zone.
    long_name = ".".join(["a" * 63] * 3) + ".w.example.net."
    out.append(long_name)
    return sorted(set(out))


def make_wire(q, rng):
    m = dns.message.make_query(q.qname, q.qtype, rdclass=q.qclass,
                               use_edns=(q.edns_version if q.edns is not None else False),
                               payload=q.edns or 512, want_dnssec=q.do,
                               options=[dns.edns.GenericOption(c, d) for c, d in q.edns_options])
    if q.edns is not None:
        m.ednsflags |= q.edns_z
    m.id = rng.randrange(65536)
    m.flags = (dns.flags.RD if q.rd else 0) | (dns.flags.CD if q.cd else 0) | dns.opcode.to_flags(q.opcode)
    return m.to_wire()


def build_corpus(seed, count, tcp_every):
    rng = random.Random(seed)
    names = build_names(rng)
    queries = []

    def add(qname, qtype, qclass=dns.rdataclass.IN, edns=False, opcode=0, edns_version=0, edns_options=(),
            edns_z=0):
        edns = rng.choice(EDNS_CHOICES) if edns is False else edns
        q = Query(len(queries), random_case(rng, qname) if rng.random() < 0.7 else qname,
                  dns.rdatatype.from_text(qtype) if isinstance(qtype, str) else qtype, qclass, edns,
                  do=(edns is not None and rng.random() < 0.5), rd=rng.random() < 0.3,
                  cd=rng.random() < 0.05, opcode=opcode,
                  edns_version=edns_version, edns_options=edns_options, edns_z=edns_z)
        q.tcp = (len(queries) % tcp_every) == 0
        q.wire = make_wire(q, rng)
        queries.append(q)

    # Header and class variations at a few names (NOTIFY and UPDATE are left
    # to the server tests: they depend on ACLs, not on zone semantics).
    for n in ["example.org.", "www.example.org.", "nx.example.net.", "example.com."]:
        for c in (dns.rdataclass.CH, dns.rdataclass.HS, dns.rdataclass.NONE, dns.rdataclass.ANY):
            for t in ("A", "SOA", "TXT"):
                add(n, t, qclass=c)
        for v in (1, 2, 255):
            add(n, "SOA", edns=rng.choice([512, 1232, 4096]), edns_version=v)
        for op in (1, 2, 3, 6, 15):
            add(n, "A", opcode=op)
        # EDNS options neither server is configured for (RFC 6891 6.1.2: ignore what is not
        # understood): NSID, client subnet, cookie, padding, an unassigned code; unknown flag bits.
        for opts in (((3, b""),), ((8, bytes([0, 1, 24, 0, 192, 0, 2])),), ((10, bytes(range(8))),),
                     ((12, bytes(16)),), ((65001, b"xyz"), (3, b""))):
            add(n, "SOA", edns=rng.choice([512, 1232, 4096]), edns_options=opts)
        add(n, "SOA", edns=1232, edns_z=0x4000)
        add(n, "SOA", edns=1232, edns_z=0x0001)

    # Systematic part: every name with the core types.
    for n in names:
        for t in CORE_QTYPES:
            add(n, t)
    # Every type at a few names of each kind.
    for n in ["example.org.", "types.example.org.", "mail.example.org.", "sel1._domainkey.example.org.", "x.wild.example.org.",
              "c1.example.net.", "sub.example.net.", "child.example.net.", "c.ent.example.org."]:
        for t in QTYPES + META_QTYPES:
            add(n, t)
    # Random part.
    while len(queries) < count:
        add(rng.choice(names), rng.choice(QTYPES + ["ANY"] * 3 + ["A", "AAAA", "TXT", "MX"] * 3))
    return queries


# ----------------------------------------------------------------------------
# Comparison
# ----------------------------------------------------------------------------


def parse(wire):
    """dnspython Message of a response. dnspython rejects opcodes it has no
    name for, so the opcode bits are cleared first and compared raw."""
    if len(wire) >= 4 and wire[2] & 0x78:
        wire = wire[:2] + bytes([wire[2] & 0x87]) + wire[3:]
    return dns.message.from_wire(wire)


def section_sets(section):
    out = {}
    for rrset in section:
        if rrset.rdtype == dns.rdatatype.OPT:
            continue
        key = (rrset.name.to_text().lower(), dns.rdatatype.to_text(rrset.rdtype))
        rdatas = frozenset(rd.to_digestable() for rd in rrset)
        prev = out.get(key)
        if prev is not None:  # the same RRset split in pieces: merge
            rdatas = rdatas | prev[1]
        out[key] = (rrset.ttl, rdatas)
    return out


def describe_section(d):
    return ", ".join(f"{o} {t} ttl={ttl} x{len(rd)}" for (o, t), (ttl, rd) in sorted(d.items())) or "-"


def opt_info(m):
    """OPT as compared: version, all EDNS flags (DO and the unassigned Z bits,
    which a responder leaves zero: RFC 6891 6.1.4), payload and options."""
    if m.edns < 0:
        return None
    return (m.edns, m.ednsflags & 0xFFFF, m.payload, tuple(sorted((o.otype, o.to_wire()) for o in m.options)))


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
