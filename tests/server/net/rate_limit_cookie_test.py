#!/usr/bin/python3
"""End-to-end: response rate limiting and DNS cookies (issue 14, items 2 and 3).

A server with `rate_limit: {responses_per_second: 10, slip: 2}` takes a UDP
flood from one source (127.0.0.5): it must send at most the configured rate
in full answers plus slipped empty TC=1 answers, fewer bytes than it
received, while another network (127.0.1.9) is answered in full, TCP is
never limited, an exempt prefix is never limited, and a client presenting a
valid server cookie is not limited. Cookies round-trip with dig and kdig, a
forged server cookie gets a fresh one, a 5-byte cookie is FORMERR, the
secret survives a restart, and `cookies: false` sends none. Loopback only;
every loop is bounded in count and time.

Usage: rate_limit_cookie_test.py --mailns PATH --conf tests/server/data/plain.yaml
"""
import json
import os
import re
import shutil
import socket
import stat
import struct
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serve_test  # noqa: E402  (the Server helpers and the raw client)
from serve_test import build_query, header, start_server, write_config, run  # noqa: E402

HAVE_DIG = shutil.which("dig") is not None
HAVE_KDIG = shutil.which("kdig") is not None
RATE = 10
FLOOD_SECONDS = 2.0
FLOOD_QUERIES = 4000


def query_with_options(qid, name, qtype, options=b""):
    """A query with an OPT record carrying the given raw options."""
    msg = struct.pack("!HHHHHH", qid, 0, 1, 0, 0, 1)
    for label in name.rstrip(".").split("."):
        msg += bytes([len(label)]) + label.encode()
    msg += b"\x00" + struct.pack("!HH", qtype, 1)
    return msg + b"\x00" + struct.pack("!HHIH", 41, 1232, 0, len(options)) + options


def cookie_option(value):
    return struct.pack("!HH", 10, len(value)) + value


def returned_cookie(resp):
    """The COOKIE option's value in a response's OPT (its last record), or None."""
    for rdlen in range(0, len(resp) - 11):
        at = len(resp) - rdlen - 11
        if resp[at:at + 3] == b"\x00\x00\x29" and struct.unpack("!H", resp[at + 9:at + 11])[0] == rdlen:
            opts = resp[at + 11:]
            i = 0
            while i + 4 <= len(opts):
                code, n = struct.unpack("!HH", opts[i:i + 4])
                if code == 10:
                    return opts[i + 4:i + 4 + n]
                i += 4 + n
            return None
    return None


def udp_exchange(port, msg, source="127.0.0.1", timeout=2):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((source, 0))
        s.settimeout(timeout)
        s.sendto(msg, ("127.0.0.1", port))
        return s.recv(65535)


def flood(port, source, msg, count, seconds):
    """Sends count copies of msg from source within about `seconds`, reading answers as they come.
    Returns (sent, bytes_in, answers): answers are the raw responses received."""
    answers = []
    sent = 0
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((source, 0))
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        s.setblocking(False)
        start = time.monotonic()
        while sent < count and time.monotonic() - start < seconds + 1:
            target = min(count, int(count * (time.monotonic() - start) / seconds) + 1)
            while sent < target:
                try:
                    s.sendto(msg, ("127.0.0.1", port))
                    sent += 1
                except BlockingIOError:
                    break
            try:
                while True:
                    answers.append(s.recv(65535))
            except BlockingIOError:
                pass
            time.sleep(0.001)
        s.settimeout(0.5)
        try:
            while True:
                answers.append(s.recv(65535))
        except socket.timeout:
            pass
    return sent, sent * len(msg), answers


class RateLimit(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir, cls.config = write_config(
            "mailns-rrl-",
            "  threads: 2\n  rate_limit: { responses_per_second: %d, slip: 2, ipv4_prefix: 24, "
            "exempt: [127.0.3.0/24] }\n" % RATE)
        cls.srv, cls.port = start_server(cls.config)

    @classmethod
    def tearDownClass(cls):
        cls.srv.stop()
        shutil.rmtree(cls.dir)

    def test_flood_from_one_source_is_limited_others_answered(self):
        q = build_query(0x5151, "example.org", 15)  # MX, no EDNS: as an amplifier's victim sends
        start = time.monotonic()
        sent, bytes_in, answers = flood(self.port, "127.0.0.5", q, FLOOD_QUERIES, FLOOD_SECONDS)
        elapsed = time.monotonic() - start
        # Another network, during the same second, gets every answer in full.
        for i in range(5):
            r = header(udp_exchange(self.port, build_query(i, "example.org", 15), source="127.0.1.9"))
            self.assertEqual((r["tc"], r["an"]), (False, 1), "another network was limited")
        full = [a for a in answers if not header(a)["tc"]]
        slipped = [a for a in answers if header(a)["tc"]]
        bytes_out = sum(len(a) for a in answers)
        seconds = int(elapsed) + 2  # buckets refill each whole second, and start full
        self.assertGreater(sent, 1000)
        self.assertLessEqual(len(full), RATE * seconds, "more full answers than the rate allows")
        self.assertGreater(len(full), 0)
        # Every second limited response is slipped (some datagrams may be lost on a loaded machine).
        self.assertGreater(len(slipped), sent // 8)
        for a in slipped:
            self.assertEqual(header(a)["an"], 0)
        self.assertLess(bytes_out, bytes_in, "the server amplified")
        # Said in the log, at most once a second, and counted in the status.
        deadline = time.monotonic() + 3
        while "rate limit:" not in self.srv.stderr() and time.monotonic() < deadline:
            time.sleep(0.1)
        lines = [l for l in self.srv.stderr().splitlines() if "rate limit:" in l and "dropped" in l]
        self.assertTrue(lines, self.srv.stderr())
        self.assertLessEqual(len(lines), seconds + 2)
        self.assertRegex(lines[0], r"rate limit: \d+ responses dropped and \d+ slipped .*positive \d+")
        status = run([serve_test.ARGS.mailns, "status", "-c", self.config, "--json"])
        self.assertEqual(status.returncode, 0, status.stderr)
        self.assertGreater(json.loads(status.stdout)["queries"]["rate_limited"], 0)

    def test_tcp_is_never_limited(self):
        q = build_query(0x7777, "mail.example.org", 1)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("127.0.0.6", 0))
            s.settimeout(3)
            s.connect(("127.0.0.1", self.port))
            s.sendall((struct.pack("!H", len(q)) + q) * 100)
            for _ in range(100):
                r = header(serve_test.recv_framed(s))
                self.assertEqual((r["tc"], r["an"]), (False, 1))

    def test_exempt_prefix_is_never_limited(self):
        _, _, answers = flood(self.port, "127.0.3.1", build_query(1, "example.org", 15), 200, 0.5)
        self.assertGreaterEqual(len(answers), 190)  # loopback may drop a few under load, never limit
        self.assertFalse(any(header(a)["tc"] for a in answers))

    def test_valid_cookie_is_not_limited(self):
        client = bytes(range(1, 9))
        first = udp_exchange(self.port, query_with_options(1, "example.org", 15, cookie_option(client)),
                             source="127.0.4.1")
        cookie = returned_cookie(first)
        self.assertIsNotNone(cookie)
        self.assertEqual(len(cookie), 24)
        with_cookie = query_with_options(2, "example.org", 15, cookie_option(cookie))
        _, _, answers = flood(self.port, "127.0.4.1", with_cookie, 200, 0.5)
        self.assertGreaterEqual(len(answers), 190)
        self.assertFalse(any(header(a)["tc"] for a in answers), "a valid cookie was limited")
        # The client cookie alone proves nothing.
        _, _, answers = flood(self.port, "127.0.4.1", query_with_options(3, "example.org", 15, cookie_option(client)),
                              200, 0.5)
        self.assertLessEqual(len([a for a in answers if not header(a)["tc"]]), RATE * 2)


class Cookies(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir, cls.config = write_config("mailns-cookies-", "  threads: 2\n")
        cls.srv, cls.port = start_server(cls.config)

    @classmethod
    def tearDownClass(cls):
        cls.srv.stop()
        shutil.rmtree(cls.dir)

    def dig(self, *args):
        r = run(["dig", "@127.0.0.1", "-p", str(self.port), "+norec", "+time=2", "+tries=1"] + list(args))
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        return r.stdout

    @unittest.skipUnless(HAVE_DIG, "dig is not installed")
    def test_dig_cookie_round_trip_udp_and_tcp(self):
        for transport in ("+notcp", "+tcp"):
            out = self.dig("+cookie", transport, "example.org", "MX")
            m = re.search(r"COOKIE: ([0-9a-f]{48}) \(good\)", out)
            self.assertIsNotNone(m, out)
            again = self.dig("+cookie=" + m.group(1), transport, "example.org", "MX")
            self.assertIn("COOKIE: %s (good)" % m.group(1), again)  # young and valid: echoed
            self.assertIn("status: NOERROR", again)

    @unittest.skipUnless(HAVE_KDIG, "kdig is not installed")
    def test_kdig_cookie(self):
        r = run(["kdig", "@127.0.0.1", "-p", str(self.port), "+norec", "+time=2", "+retry=0", "+cookie",
                 "example.org", "MX"])
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        m = re.search(r"COOKIE: ([0-9a-f]{16})([0-9a-f]{32})", r.stdout, re.I)
        self.assertIsNotNone(m, r.stdout)
        self.assertTrue(m.group(2).startswith("01000000"), "version 1, reserved zero")

    @unittest.skipUnless(HAVE_DIG, "dig is not installed")
    def test_forged_server_cookie_gets_a_fresh_one(self):
        out = self.dig("+cookie", "example.org", "MX")
        good = re.search(r"COOKIE: ([0-9a-f]{48}) \(good\)", out).group(1)
        forged = good[:-4] + ("0000" if good[-4:] != "0000" else "1111")
        out = self.dig("+cookie=" + forged, "example.org", "MX")
        self.assertIn("status: NOERROR", out)
        fresh = re.search(r"COOKIE: ([0-9a-f]{48})", out).group(1)
        self.assertEqual(fresh[:16], good[:16])
        self.assertNotEqual(fresh, forged)

    def test_five_byte_cookie_is_formerr(self):
        r = udp_exchange(self.port, query_with_options(9, "example.org", 15, cookie_option(b"\x01\x02\x03\x04\x05")))
        self.assertEqual(header(r)["rcode"], 1)

    def test_cookie_only_request_gets_badcookie_then_noerror(self):
        client = b"\xaa" * 8
        opt = b"\x00" + struct.pack("!HHIH", 41, 1232, 0, 12) + cookie_option(client)
        r = udp_exchange(self.port, struct.pack("!HHHHHH", 5, 0, 0, 0, 0, 1) + opt)
        self.assertEqual(header(r)["rcode"], 23 & 0xF)  # BADCOOKIE, with EXTENDED-RCODE 1 in the OPT
        cookie = returned_cookie(r)
        opt = b"\x00" + struct.pack("!HHIH", 41, 1232, 0, 4 + len(cookie)) + cookie_option(cookie)
        r = udp_exchange(self.port, struct.pack("!HHHHHH", 6, 0, 0, 0, 0, 1) + opt)
        self.assertEqual(header(r)["rcode"], 0)

    def test_secret_is_kept_0600_and_survives_a_restart(self):
        path = os.path.join(self.dir, "state", "cookie_secret")
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
        client = bytes(range(8))
        cookie = returned_cookie(udp_exchange(self.port, query_with_options(1, "example.org", 15,
                                                                            cookie_option(client))))
        type(self).srv.stop()
        type(self).srv, type(self).port = start_server(self.config)
        echoed = returned_cookie(udp_exchange(self.port, query_with_options(2, "example.org", 15,
                                                                            cookie_option(cookie))))
        self.assertEqual(echoed, cookie, "the restarted server no longer knows its cookies")


class CookiesOff(unittest.TestCase):
    def test_no_cookie_sent(self):
        d, config = write_config("mailns-nocookies-", "  threads: 1\n  cookies: false\n")
        srv, port = start_server(config)
        try:
            r = udp_exchange(port, query_with_options(1, "example.org", 15, cookie_option(bytes(8))))
            self.assertEqual(header(r)["rcode"], 0)
            self.assertIsNone(returned_cookie(r))
            self.assertFalse(os.path.exists(os.path.join(d, "state", "cookie_secret")))
        finally:
            srv.stop()
            shutil.rmtree(d)


if __name__ == "__main__":
    serve_test.main()
