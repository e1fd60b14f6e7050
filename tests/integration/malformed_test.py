#!/usr/bin/python3
"""Malformed-packet test: hostile and odd messages against a running mailns.

Starts mailns on a free loopback port serving tests/integration/zones/, sends
each packet below and checks the outcome it must have: no answer at all
(RFC 1035 4.1.1 gives nothing to reply to: too short for a header, or a
response), FORMERR (the message cannot be parsed: RFC 1035 4.1.1 RCODE 1),
NOTIMP, BADVERS (RFC 6891 6.1.3) or REFUSED. After every packet the server must
still answer a valid query correctly.

Usage: malformed_test.py --mailns PATH
Exit status 0 when every case behaves, 1 otherwise, 2 when mailns could not
be started.
"""

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

HERE = os.path.dirname(os.path.abspath(__file__))
ZONE_DIR = os.path.join(HERE, "zones")
ZONES = [("example.org", "example.org.zone"), ("example.net", "example.net.zone"),
         ("child.example.net", "child.example.net.zone")]

NOERROR, FORMERR, SERVFAIL, NXDOMAIN, NOTIMP, REFUSED = 0, 1, 2, 3, 4, 5
BADVERS = 16
NO_ANSWER = "no answer"
TYPE_A, TYPE_SOA, TYPE_OPT, TYPE_TXT = 1, 6, 41, 16
CLASS_IN, CLASS_CH = 1, 3


def name_wire(name):
    out = b""
    for label in name.strip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\x00"


def header(qid=0x4242, flags=0x0000, qd=1, an=0, ns=0, ar=0):
    return struct.pack("!HHHHHH", qid, flags, qd, an, ns, ar)


def question(name="example.org", qtype=TYPE_SOA, qclass=CLASS_IN):
    return name_wire(name) + struct.pack("!HH", qtype, qclass)


def opt(payload=1232, version=0, do=False, owner=b"\x00", rdata=b"", rdlen=None):
    ttl = (version << 16) | (0x8000 if do else 0)
    return owner + struct.pack("!HHIH", TYPE_OPT, payload, ttl, len(rdata) if rdlen is None else rdlen) + rdata


def a_record(owner=b"\xc0\x0c"):
    return owner + struct.pack("!HHIH", TYPE_A, CLASS_IN, 300, 4) + bytes([192, 0, 2, 1])


def valid_query(qid=0x1111):
    return header(qid=qid, ar=1) + question() + opt()


def cases():
    """(name, packet, expected outcome, transport)."""
    long_name = b"".join(bytes([63]) + b"a" * 63 for _ in range(4)) + b"\x00"  # 257 octets
    two_labels = (bytes([63]) + b"b" * 63) * 2
    # question: 129 octets at offset 12; an answer owner of 128 octets + a pointer to it: 257 octets
    long_via_ptr = (header(an=1) + two_labels + b"\x00" + struct.pack("!HH", TYPE_A, CLASS_IN)
                    + two_labels + b"\xc0\x0c" + struct.pack("!HHIH", TYPE_A, CLASS_IN, 0, 4) + b"\x01\x02\x03\x04")
    yield "empty datagram", b"", NO_ANSWER, "udp"
    yield "truncated header (5 octets)", header()[:5], NO_ANSWER, "udp"
    yield "truncated header (11 octets)", header()[:11], NO_ANSWER, "udp"
    yield "header only, qdcount 1", header(), FORMERR, "udp"
    yield "truncated question name", header() + b"\x07exam", FORMERR, "udp"
    yield "question without qtype/qclass", header() + name_wire("example.org"), FORMERR, "udp"
    yield "question missing qclass", header() + name_wire("example.org") + b"\x00\x06", FORMERR, "udp"
    yield "compression pointer loop (to itself)", header() + b"\xc0\x0c" + struct.pack("!HH", 1, 1), FORMERR, "udp"
    yield "compression pointer loop (two pointers)", (header() + b"\x01a\xc0\x10\xc0\x0c"
                                                       + struct.pack("!HH", 1, 1)), FORMERR, "udp"
    yield "forward compression pointer", (header() + b"\xc0\x12" + struct.pack("!HH", 1, 1)
                                          + name_wire("example.org")), FORMERR, "udp"
    yield "pointer past the end", header() + b"\xc0\xff" + struct.pack("!HH", 1, 1), FORMERR, "udp"
    yield "label length 64 (0x40 extended label)", (header() + b"\x40" + b"a" * 64 + b"\x00"
                                                    + struct.pack("!HH", 1, 1)), FORMERR, "udp"
    yield "label type 0x80", header() + b"\x80abc\x00" + struct.pack("!HH", 1, 1), FORMERR, "udp"
    yield "name over 255 octets", header() + long_name + struct.pack("!HH", 1, 1), FORMERR, "udp"
    yield "name over 255 octets via pointer", long_via_ptr, FORMERR, "udp"
    yield "qdcount 0", header(qd=0), FORMERR, "udp"
    yield "qdcount 0 with EDNS", header(qd=0, ar=1) + opt(), FORMERR, "udp"
    yield "qdcount 2", header(qd=2) + question() + question("example.net"), FORMERR, "udp"
    yield "qdcount 2, one question present", header(qd=2) + question(), FORMERR, "udp"
    yield "OPT in the answer section", header(an=1) + question() + opt(), FORMERR, "udp"
    yield "OPT in the authority section", header(ns=1) + question() + opt(), FORMERR, "udp"
    yield "two OPT records", header(ar=2) + question() + opt() + opt(), FORMERR, "udp"
    yield "OPT with a non-root owner", header(ar=1) + question() + opt(owner=name_wire("example.org")), FORMERR, "udp"
    yield "OPT RDLENGTH past the end", header(ar=1) + question() + opt(rdlen=40), FORMERR, "udp"
    yield "arcount 1, nothing there", header(ar=1) + question(), FORMERR, "udp"
    yield "garbage after the question", header() + question() + b"\xde\xad\xbe\xef", FORMERR, "udp"
    yield "garbage after OPT", header(ar=1) + question() + opt() + b"\x00", FORMERR, "udp"
    yield "QR=1 (a response)", header(flags=0x8000) + question(), NO_ANSWER, "udp"
    yield "QR=1 with FORMERR-worthy body", header(flags=0x8000, qd=0), NO_ANSWER, "udp"
    yield "opcode IQUERY (1)", header(flags=1 << 11) + question(), NOTIMP, "udp"
    yield "opcode STATUS (2)", header(flags=2 << 11) + question(), NOTIMP, "udp"
    yield "opcode 3 (unassigned)", header(flags=3 << 11) + question(), NOTIMP, "udp"
    yield "opcode 15 (unassigned)", header(flags=15 << 11, ar=1) + question() + opt(), NOTIMP, "udp"
    yield "EDNS version 1", header(ar=1) + question() + opt(version=1), BADVERS, "udp"
    yield "EDNS version 255 with DO", header(ar=1) + question() + opt(version=255, do=True), BADVERS, "udp"
    yield "class CH", header() + question("example.org", TYPE_TXT, CLASS_CH), REFUSED, "udp"
    yield "class CH version.bind", header() + question("version.bind", TYPE_TXT, CLASS_CH), REFUSED, "udp"
    yield "class 0", header() + question("example.org", TYPE_A, 0), REFUSED, "udp"
    yield "name outside every zone", header() + question("example.com", TYPE_A), REFUSED, "udp"
    yield "root name", header() + question(".", TYPE_SOA), REFUSED, "udp"
    yield "QTYPE OPT", header() + question("example.org", TYPE_OPT), FORMERR, "udp"
    yield "EDNS payload 0 (treated as 512)", header(ar=1) + question() + opt(payload=0), NOERROR, "udp"
    yield "OPT with an unknown option", (header(ar=1) + question()
                                         + opt(rdata=struct.pack("!HH", 65001, 3) + b"abc")), NOERROR, "udp"
    yield "answer record in a query is skipped", header(an=1) + question() + a_record(), NOERROR, "udp"
    yield "TCP: truncated header", header()[:7], NO_ANSWER, "tcp"
    yield "TCP: pointer loop", header() + b"\xc0\x0c" + struct.pack("!HH", 1, 1), FORMERR, "tcp"
    yield "TCP: qdcount 2", header(qd=2) + question() + question("example.net"), FORMERR, "tcp"
    yield "TCP: QR=1", header(flags=0x8000) + question(), NO_ANSWER, "tcp"
    yield "TCP: garbage after question", header() + question() + b"\x01", FORMERR, "tcp"


def die_with_parent():
    """In the child before exec: SIGTERM when this script dies, even by SIGKILL."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def free_port():
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


def udp_send(port, pkt, timeout):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.settimeout(timeout)
        s.sendto(pkt, ("127.0.0.1", port))
        data, _ = s.recvfrom(65535)
        return data
    except socket.timeout:
        return None
    finally:
        s.close()


def tcp_send(port, pkt, timeout):
    """Sends one length-prefixed message; returns the response, or None when
    the server closes the connection or says nothing within timeout."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.settimeout(timeout)
            s.sendall(struct.pack("!H", len(pkt)) + pkt)
            hdr = b""
            while len(hdr) < 2:
                chunk = s.recv(2 - len(hdr))
                if not chunk:
                    return None
                hdr += chunk
            n = struct.unpack("!H", hdr)[0]
            data = b""
            while len(data) < n:
                chunk = s.recv(n - len(data))
                if not chunk:
                    return None
                data += chunk
            return data
    except (socket.timeout, ConnectionError):
        return None


def rcode_of(resp):
    """Full RCODE: header low 4 bits plus the OPT extended bits (RFC 6891 6.1.3)."""
    rc = resp[3] & 0x0F
    qd, an, ns, ar = struct.unpack("!HHHH", resp[4:12])
    p = 12
    try:
        for _ in range(qd):
            p = skip_name(resp, p) + 4
        for i in range(an + ns + ar):
            p = skip_name(resp, p)
            rtype, _, ttl, rdlen = struct.unpack("!HHIH", resp[p:p + 10])
            if rtype == TYPE_OPT and i >= an + ns:
                rc |= (ttl >> 24) << 4
            p += 10 + rdlen
    except (IndexError, struct.error):
        return None
    return rc


def skip_name(msg, p):
    while True:
        n = msg[p]
        if n & 0xC0 == 0xC0:
            return p + 2
        if n == 0:
            return p + 1
        p += n + 1


def check_response(pkt, resp, expected):
    if expected == NO_ANSWER:
        return None if resp is None else f"expected no answer, got {len(resp)} octets rcode {resp[3] & 15}"
    if resp is None:
        return f"expected rcode {expected}, got no answer"
    if len(resp) < 12:
        return f"response of {len(resp)} octets"
    if resp[:2] != pkt[:2]:
        return "response ID differs from the query's"
    if not resp[2] & 0x80:
        return "response has QR=0"
    rc = rcode_of(resp)
    if rc is None:
        return "response does not parse"
    if rc != expected:
        return f"expected rcode {expected}, got {rc}"
    if expected != NOERROR:
        an, ns = struct.unpack("!HH", resp[6:10])
        if an or ns:
            return f"error response carries {an} answer and {ns} authority records"
        if resp[2] & 0x04:
            return "error response has AA=1"
    return None


def check_alive(port, qid):
    resp = udp_send(port, valid_query(qid), 2.0)
    if resp is None:
        return "server no longer answers a valid query"
    if resp[:2] != struct.pack("!H", qid) or rcode_of(resp) != NOERROR or not resp[2] & 0x04:
        return "server gives a wrong answer to a valid query"
    if struct.unpack("!H", resp[6:8])[0] != 1:
        return "valid SOA query did not get one answer record"
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mailns", required=True)
    args = ap.parse_args()
    if not (os.path.isfile(args.mailns) and os.access(args.mailns, os.X_OK)):
        print(f"malformed_test: {args.mailns} is not an executable file", file=sys.stderr)
        return 2

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # unwind through finally: stop mailns
    tmp = tempfile.mkdtemp(prefix="mailns-malformed-")
    proc = None
    log = None
    try:
        os.makedirs(os.path.join(tmp, "zones"))
        for _, f in ZONES:
            shutil.copy(os.path.join(ZONE_DIR, f), os.path.join(tmp, "zones", f))
        port = free_port()
        conf = os.path.join(tmp, "mailns.yaml")
        with open(conf, "w") as f:
            f.write(f'server:\n  listen: ["127.0.0.1:{port}"]\n  threads: 1\nzones:\n')
            for origin, zf in ZONES:
                f.write(f"  - origin: {origin}\n    file: zones/{zf}\n")
        log = open(os.path.join(tmp, "mailns.log"), "wb")
        proc = subprocess.Popen([args.mailns, "serve", "-c", conf, "--listen", f"127.0.0.1:{port}"], stdout=log,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
                                preexec_fn=die_with_parent)
        deadline = time.monotonic() + 20
        while check_alive(port, 0x0001) is not None:
            if proc.poll() is not None or time.monotonic() > deadline:
                log.flush()
                with open(os.path.join(tmp, "mailns.log"), "rb") as lf:
                    tail = lf.read().decode(errors="replace")[-3000:]
                print(f"malformed_test: mailns did not start answering on port {port}:\n{tail}", file=sys.stderr)
                return 2
            time.sleep(0.1)

        failures = 0
        total = 0
        for i, (name, pkt, expected, transport) in enumerate(cases()):
            total += 1
            send = udp_send if transport == "udp" else tcp_send
            # A case that expects silence waits less; a reply would still arrive in time on loopback.
            resp = send(port, pkt, 0.5 if expected == NO_ANSWER else 2.0)
            problem = check_response(pkt, resp, expected)
            alive = check_alive(port, 0x2000 + i)
            if proc.poll() is not None:
                print(f"FAIL {name}: mailns exited with status {proc.returncode}")
                return 1
            for p in (problem, alive):
                if p:
                    failures += 1
                    print(f"FAIL {name}: {p}")
            if not problem and not alive:
                print(f"ok   {name}")
        print(f"malformed_test: {total} packets, {failures} failures")
        return 1 if failures else 0
    finally:
        if proc is not None and proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)
        if log:
            log.close()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
