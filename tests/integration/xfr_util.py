"""Shared helpers of the zone-transfer integration tests (xfr_*_test.py):
free loopback ports, servers started in their own session that die with
the test, TSIG-signed transfers with dnspython, and a check() that counts
failures instead of stopping at the first."""

import base64
import ctypes
import os
import signal
import socket
import subprocess
import time

import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.rdatatype
import dns.tsig
import dns.tsigkeyring
import dns.xfr
import dns.zone

KEY_NAME = "xfr-key."


def free_port(taken=()):
    """A port free for both UDP and TCP on 127.0.0.1."""
    for _ in range(100):
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
        if port not in taken:
            return port
    raise RuntimeError("no free loopback port")


def new_secret():
    return base64.b64encode(os.urandom(32)).decode()


def keyring(secret, algorithm="hmac-sha256"):
    return {dns.name.from_text(KEY_NAME): dns.tsig.Key(KEY_NAME, secret, algorithm)}


def die_with_parent():
    """In the child before exec: get SIGTERM when the test dies, even by
    SIGKILL (a ctest timeout), so no server outlives it."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


class Server:
    def __init__(self, name, argv, port, log_path, env=None):
        self.name = name
        self.port = port
        self.log_path = log_path
        self.log = open(log_path, "ab")
        self.proc = subprocess.Popen(argv, stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     start_new_session=True, preexec_fn=die_with_parent, env=env)

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)
        self.log.close()

    def log_text(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode(errors="replace")
        except OSError:
            return ""

    def log_tail(self, n=40):
        return "\n".join(self.log_text().splitlines()[-n:])


def soa_serial(port, zone, keyring_=None, timeout=1.0):
    """The zone's SOA serial as served on 127.0.0.1:port (TCP), or None."""
    q = dns.message.make_query(zone, "SOA")
    if keyring_:
        q.use_tsig(keyring_, keyname=KEY_NAME)
    try:
        r = dns.query.tcp(q, "127.0.0.1", port=port, timeout=timeout)
    except Exception:  # noqa: BLE001 - not up yet, refused, ...
        return None
    if r.rcode() != dns.rcode.NOERROR:
        return None
    for rrset in r.answer:
        if rrset.rdtype == dns.rdatatype.SOA:
            return rrset[0].serial
    return None


def wait_until(what, fn, timeout, servers=()):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for s in servers:
            if not s.alive():
                raise RuntimeError(f"{s.name} exited ({s.proc.returncode}) while waiting for {what}:\n{s.log_tail()}")
        v = fn()
        if v:
            return v
        time.sleep(0.2)
    raise RuntimeError(f"timed out after {timeout} s waiting for {what}")


def axfr(port, zone, keyring_=None, source=None, timeout=10):
    """Every record of an AXFR as a sorted list of master-file lines (the
    closing SOA left out), or raises dns.xfr/TransferError with the RCODE."""
    msgs = dns.query.xfr("127.0.0.1", zone, port=port, keyring=keyring_, keyname=KEY_NAME if keyring_ else None,
                         timeout=timeout, lifetime=timeout * 3, source=source, relativize=False)
    lines = []
    first_soa = None
    count = 0
    for m in msgs:
        for rrset in m.answer:
            for rd in rrset:
                count += 1
                # Owner names in lower case: a secondary may store them so
                # (knotd does), and DNS names compare without case.
                lines.append(f"{rrset.name.to_text().lower()} {rrset.ttl} IN {dns.rdatatype.to_text(rrset.rdtype)} "
                             f"{rd.to_text()}")
                if rrset.rdtype == dns.rdatatype.SOA and first_soa is None:
                    first_soa = lines[-1]
    # dns.query.xfr stops after the closing SOA; drop that one copy.
    if lines and first_soa is not None and lines[-1] == first_soa and lines.count(first_soa) >= 2:
        lines.pop()
    return sorted(lines)


def transfer_rcode(port, zone, rdtype="AXFR", keyring_=None, source=None, serial=None, tsig_algorithm=None):
    """Sends one AXFR/IXFR over TCP and returns (rcode, answer records,
    TSIG error) of the first answer message, verifying nothing."""
    q = dns.message.make_query(zone, rdtype)
    if rdtype == "IXFR":
        soa = dns.rrset.from_text(zone, 0, "IN", "SOA", f". . {serial} 0 0 0 0")
        q.authority.append(soa)
    if keyring_:
        q.use_tsig(keyring_, keyname=KEY_NAME, algorithm=tsig_algorithm or dns.tsig.HMAC_SHA256)
    wire = q.to_wire()
    s = socket.create_connection(("127.0.0.1", port), timeout=5, source_address=(source, 0) if source else None)
    try:
        s.sendall(len(wire).to_bytes(2, "big") + wire)
        head = recv_exact(s, 2)
        data = recv_exact(s, int.from_bytes(head, "big"))
    finally:
        s.close()
    # Parse without TSIG verification: NOTAUTH answers carry an unsigned TSIG.
    rcode = data[3] & 0xF
    ancount = int.from_bytes(data[6:8], "big")
    return rcode, ancount, data


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("connection closed")
        buf += chunk
    return buf


class Checks:
    def __init__(self):
        self.failures = 0
        self.count = 0

    def check(self, ok, what, detail=""):
        self.count += 1
        print(("ok   " if ok else "FAIL ") + what + ("" if ok or not detail else f"\n     {detail}"), flush=True)
        if not ok:
            self.failures += 1
        return ok
