"""Documented differences of the differential test (difftest.py): the
INTENDED_DIFFERENCES rules, each with the RFC that makes mailns' answer the
right one and a check that mailns gave exactly that answer, and the views of
a response they compare with (section_sets, opt_info), which difftest.py's
compare() uses too."""

from dataclasses import dataclass

import dns.flags
import dns.rcode
import dns.rdataclass
import dns.rdatatype

from difftest_corpus import ZONE_FACTS


# ----------------------------------------------------------------------------
# Responses as compared: sections as sets of RRsets, and the OPT record
# ----------------------------------------------------------------------------


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


def option_as_compared(o):
    """An option's wire value; for a COOKIE, the client cookie and the server
    cookie's length and version (each server makes its own from its secret)."""
    data = o.to_wire()
    if o.otype == 10 and len(data) > 8:
        return (o.otype, (data[:8], len(data) - 8, data[8]))
    return (o.otype, data)


def opt_info(m):
    """OPT as compared: version, all EDNS flags (DO and the unassigned Z bits,
    which a responder leaves zero: RFC 6891 6.1.4), payload and options."""
    if m.edns < 0:
        return None
    return (m.edns, m.ednsflags & 0xFFFF, m.payload, tuple(sorted(option_as_compared(o) for o in m.options)))


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


def _cookie_option(m):
    for o in m.options:
        if o.otype == 10:
            return o.to_wire()
    return None


def _processed_where_knot_said_badcookie(q, km, mm):
    # RFC 7873 5.2.3: with a client cookie alone the server may answer normally or BADCOOKIE;
    # mailns answers normally, with our server cookie for the client's.
    sent = dict(q.edns_options).get(10)
    mine = _cookie_option(mm)
    return (km.rcode() == dns.rcode.BADCOOKIE and mm.rcode() != dns.rcode.BADCOOKIE and sent is not None
            and len(sent) == 8 and mine is not None and len(mine) == 24 and mine[:8] == sent)


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
        "client-cookie-answered",
        "A query with a client cookie only (RFC 7873 5.2.3): 'the server chooses one of ... process "
        "the query normally' or send BADCOOKIE. knotd's mod-cookies sometimes answers BADCOOKIE (its "
        "badcookie policy); mailns answers the query and returns the client cookie with its server "
        "cookie, so a resolver gets its answer in one round trip and the cookie for the next.",
        lambda q: any(c == 10 for c, _ in q.edns_options) and not q.tcp,
        _processed_where_knot_said_badcookie,
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
