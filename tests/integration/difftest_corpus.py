"""Query corpus of the differential test (difftest.py): the test zones, what
is known about them (names, zone cuts, DNAMEs, RRsets written with mixed
TTLs), and the deterministic, seeded list of queries sent to knotd and
mailns, each with its wire form.

Also holds the constants shared by difftest.py and difftest_rules.py (the
zone list and the QTYPE sets), so that no module imports difftest.py."""

import os
import random
from dataclasses import dataclass

import dns.edns
import dns.flags
import dns.message
import dns.name
import dns.opcode
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
        # EDNS options: NSID and client subnet, padding and an unassigned code neither server is
        # configured for (RFC 6891 6.1.2: ignore what is not understood), a client cookie both
        # answer (RFC 7873); unknown flag bits.
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
