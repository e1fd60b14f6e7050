#!/usr/bin/python3
"""Writes the seed corpus of handle_query_fuzz into tests/fuzz/corpus/: valid
queries for the names of the fuzz target's zones (every answer shape: data,
NODATA, NXDOMAIN, wildcard, CNAME chain and loop, referral, TC) and invalid
ones (pointer loops, bad labels, wrong counts, misplaced OPT, ...).
Deterministic: re-running it gives the same files. Files named regress_*
are inputs the fuzzer once crashed on, kept as seeds; this script leaves
them alone."""

import os
import struct

import dns.flags
import dns.message
import dns.rdatatype

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")

VALID = [
    ("example.org", "SOA", None), ("example.org", "MX", 1232), ("example.org", "ANY", 4096),
    ("Mail.Example.ORG", "AAAA", None), ("_25._tcp.mail.example.org", "TLSA", 1232),
    ("sel1._domainkey.example.org", "TXT", None), ("nx._domainkey.example.org", "TXT", 1232),
    ("_domainkey.example.org", "TXT", 512), ("www.example.org", "A", None), ("c1.example.org", "A", 1232),
    ("c1.example.org", "ANY", None), ("cext.example.org", "A", None), ("cnx.example.org", "A", 4096),
    ("loop1.example.org", "A", None), ("a.wl.example.org", "A", 1232), ("x.y.wild.example.org", "TXT", None),
    ("q.cw.example.org", "MX", None), ("c.ent.example.org", "A", 1232), ("z.*.starent.example.org", "A", None),
    ("svc.example.org", "HTTPS", 1232), ("host.sub.example.org", "A", None), ("sub.example.org", "DS", 1232),
    ("sub.example.org", "NS", None), ("into-sub.example.org", "A", 1232), ("nothere.example.org", "A", None),
    ("manya.example.net", "A", None), ("manya.example.net", "A", 4096), ("big.example.net", "TXT", 1232),
    ("x.deleg.example.net", "A", None), ("example.net", "DNSKEY", 512), ("example.com", "A", None),
    ("www.old.example.org", "A", 1232), ("cdn.example.org", "A", None), ("x.dl1.example.org", "A", 512),
    ("eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee.eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee"
     ".longd.example.org", "A", None),
    ("example.org", "TYPE65000", None), ("example.org", "AXFR", None), ("example.org", "TSIG", None),
]


def valid(name, qtype, edns, qid):
    m = dns.message.make_query(name, qtype, use_edns=(edns is not None), payload=edns or 512,
                               want_dnssec=bool(edns and qid % 2))
    m.id = qid
    m.flags = 0 if qid % 3 else dns.flags.RD
    return m.to_wire()


def hdr(qd=1, an=0, ns=0, ar=0, flags=0):
    return struct.pack("!HHHHHH", 0x5151, flags, qd, an, ns, ar)


Q = b"\x07example\x03org\x00\x00\x06\x00\x01"
OPT = b"\x00\x00\x29\x04\xd0\x00\x00\x00\x00\x00\x00"

INVALID = {
    "short_header": hdr()[:7],
    "header_only": hdr(),
    "pointer_self": hdr() + b"\xc0\x0c\x00\x01\x00\x01",
    "pointer_forward": hdr() + b"\xc0\x12\x00\x01\x00\x01" + Q,
    "label_64": hdr() + b"\x40" + b"a" * 64 + b"\x00\x00\x01\x00\x01",
    "name_256": hdr() + (b"\x3f" + b"a" * 63) * 4 + b"\x00\x00\x01\x00\x01",
    "qdcount_0": hdr(qd=0),
    "qdcount_2": hdr(qd=2) + Q + Q,
    "opt_in_answer": hdr(an=1) + Q + OPT,
    "two_opts": hdr(ar=2) + Q + OPT + OPT,
    "trailing_garbage": hdr() + Q + b"\xff\xff",
    "qr_set": hdr(flags=0x8000) + Q,
    "opcode_5": hdr(flags=5 << 11) + Q,
    "edns_version_1": hdr(ar=1) + Q + OPT[:5] + b"\x00\x01" + OPT[7:],
    "class_ch": hdr() + b"\x07version\x04bind\x00\x00\x10\x00\x03",
    "qtype_opt": hdr() + b"\x07example\x03org\x00\x00\x29\x00\x01",
    "opt_rdlen_overrun": hdr(ar=1) + Q + OPT[:9] + b"\x00\x20",
    "answer_rr_compressed": hdr(an=1) + Q + b"\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04\x01\x02\x03\x04",
}


def opt_with(options):
    """OPT (payload 1232) whose RDATA is options."""
    return OPT[:9] + struct.pack("!H", len(options)) + options


# EDNS options the query path looks into (RFC 5001 NSID, RFC 7873 COOKIE)
# and ones it skips.
OPTIONS = {
    "nsid": hdr(ar=1) + Q + opt_with(b"\x00\x03\x00\x00"),
    "nsid_after_cookie": hdr(ar=1) + Q + opt_with(b"\x00\x0a\x00\x08" + b"\x01" * 8 + b"\x00\x03\x00\x00"),
    "nsid_not_empty": hdr(ar=1) + Q + opt_with(b"\x00\x03\x00\x02ab"),
    "option_length_overrun": hdr(ar=1) + Q + opt_with(b"\x00\x0a\x00\x08\x01\x02"),
    "cookie_client": hdr(ar=1) + Q + opt_with(b"\x00\x0a\x00\x08" + bytes(range(1, 9))),
    "cookie_server": hdr(ar=1) + Q + opt_with(b"\x00\x0a\x00\x18" + bytes(range(1, 9)) + b"\x01\x00\x00\x00"
                                              + b"\x6b\x49\xd2\x00" + b"\x55" * 8),
    "cookie_5_octets": hdr(ar=1) + Q + opt_with(b"\x00\x0a\x00\x05" + b"\x01" * 5),
    "cookie_41_octets": hdr(ar=1) + Q + opt_with(b"\x00\x0a\x00\x29" + b"\x01" * 41),
    "cookie_only_no_question": hdr(qd=0, ar=1) + opt_with(b"\x00\x0a\x00\x08" + b"\x02" * 8),
    "cookie_twice": hdr(ar=1) + Q + opt_with((b"\x00\x0a\x00\x08" + b"\x03" * 8) * 2),
}


def main():
    os.makedirs(OUT, exist_ok=True)
    for i, (name, qtype, edns) in enumerate(VALID):
        fname = f"valid_{i:02d}_{name.replace('*', 'star').lower()}_{qtype.lower()}_{edns or 'noedns'}"
        with open(os.path.join(OUT, fname), "wb") as f:
            f.write(valid(name, dns.rdatatype.from_text(qtype), edns, 0x1000 + i))
    for name, pkt in INVALID.items():
        with open(os.path.join(OUT, f"invalid_{name}"), "wb") as f:
            f.write(pkt)
    for name, pkt in OPTIONS.items():
        with open(os.path.join(OUT, f"options_{name}"), "wb") as f:
            f.write(pkt)
    print(f"wrote {len(VALID) + len(INVALID) + len(OPTIONS)} files to {OUT}")


if __name__ == "__main__":
    main()
