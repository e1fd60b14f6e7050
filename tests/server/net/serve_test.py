#!/usr/bin/python3
"""End-to-end tests of the mailns binary on loopback.

Starts `mailns serve` on a free random port of 127.0.0.1 (and ::1 when the
host has it), queries it with dig and kdig over UDP and TCP and with a small
raw client (TCP pipelining, idle timeout, connection limit), checks that
SIGTERM stops it with exit 0 within 2 s, and exercises check-config and
zone export. Every wait is bounded.

Usage: serve_test.py --mailns PATH --conf tests/server/data/plain.yaml
"""
import argparse
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
import unittest

ARGS = None
HAVE_DIG = shutil.which("dig") is not None
HAVE_KDIG = shutil.which("kdig") is not None


def free_port():
    """A port that is free for both UDP and TCP on 127.0.0.1 and ::1 right now."""
    for _ in range(200):
        port = random.randint(20000, 60000)
        socks = []
        try:
            for fam, host in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
                for typ in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
                    s = socket.socket(fam, typ)
                    socks.append(s)
                    try:
                        s.bind((host, port))
                    except OSError as e:
                        if fam == socket.AF_INET6 and e.errno in (97, 99):  # no IPv6 here
                            continue
                        raise
            return port
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise RuntimeError("no free port found")


def have_ipv6():
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


def build_query(qid, name, qtype, edns=False):
    msg = struct.pack("!HHHHHH", qid, 0, 1, 0, 0, 1 if edns else 0)
    for label in name.rstrip(".").split("."):
        msg += bytes([len(label)]) + label.encode()
    msg += b"\x00" + struct.pack("!HH", qtype, 1)
    if edns:
        msg += b"\x00" + struct.pack("!HHIH", 41, 1232, 0, 0)
    return msg


def header(msg):
    qid, flags, qd, an, ns, ar = struct.unpack("!HHHHHH", msg[:12])
    return {"id": qid, "qr": bool(flags & 0x8000), "aa": bool(flags & 0x0400), "tc": bool(flags & 0x0200),
            "rcode": flags & 0xF, "an": an, "ns": ns, "ar": ar}


def recv_exact(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ConnectionError("connection closed after %d of %d bytes" % (len(data), n))
        data += chunk
    return data


def recv_framed(sock):
    (length,) = struct.unpack("!H", recv_exact(sock, 2))
    return recv_exact(sock, length)


class Server:
    """A running `mailns serve`; stderr goes to a file we can read."""

    def __init__(self, config, listen=None, extra_args=()):
        self.log = tempfile.NamedTemporaryFile(prefix="mailns-serve-", suffix=".log", delete=False)
        cmd = [ARGS.mailns, "serve", "-c", config]
        for addr in listen or []:
            cmd += ["--listen", addr]
        cmd += list(extra_args)
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=self.log)

    def wait_ready(self, timeout=5.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            if "listening on" in self.stderr():
                return True
            time.sleep(0.02)
        return False

    def stderr(self):
        with open(self.log.name, encoding="utf-8", errors="replace") as f:
            return f.read()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        os.unlink(self.log.name)


def start_server(config, extra_listen=(), v6=False):
    """Starts a server on a random free loopback port, retrying when the port was taken meanwhile."""
    for _ in range(5):
        port = free_port()
        listen = ["127.0.0.1:%d" % port] + (["[::1]:%d" % port] if v6 else []) + list(extra_listen)
        srv = Server(config, listen)
        if srv.wait_ready():
            return srv, port
        err = srv.stderr()
        srv.stop()
        if "in use" not in err:
            raise AssertionError("mailns did not start:\n" + err)
    raise AssertionError("could not find a free port for mailns")


def write_config(prefix, server_yaml, extra_yaml=""):
    """A temporary directory with a config serving the example.org test zone; returns (dir, config path)."""
    d = tempfile.mkdtemp(prefix=prefix)
    zone = os.path.join(os.path.dirname(os.path.abspath(ARGS.conf)), "zones", "example.org.zone")
    path = os.path.join(d, "mailns.yaml")
    with open(path, "w") as f:
        f.write("server:\n%szones:\n  - origin: example.org\n    file: %s\n%s" % (server_yaml, zone, extra_yaml))
    return d, path


def run(cmd, timeout=10):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


class ServeExample(unittest.TestCase):
    """The example configuration, served on a random loopback port."""

    @classmethod
    def setUpClass(cls):
        cls.v6 = have_ipv6()
        cls.srv, cls.port = start_server(ARGS.conf, v6=cls.v6)

    @classmethod
    def tearDownClass(cls):
        cls.srv.stop()

    def udp(self, msg, host="127.0.0.1", family=socket.AF_INET):
        with socket.socket(family, socket.SOCK_DGRAM) as s:
            s.settimeout(2)
            s.sendto(msg, (host, self.port))
            return s.recv(65535)

    def dig(self, *args):
        r = run(["dig", "@127.0.0.1", "-p", str(self.port), "+norec", "+time=2", "+tries=1"] + list(args))
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        return r.stdout

    def kdig(self, *args):
        r = run(["kdig", "@127.0.0.1", "-p", str(self.port), "+norec", "+time=2", "+retry=0"] + list(args))
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        return r.stdout

    @unittest.skipUnless(HAVE_DIG, "dig is not installed")
    def test_dig_udp_mx_noerror_aa(self):
        out = self.dig("example.org", "MX")
        self.assertIn("status: NOERROR", out)
        self.assertRegex(out, r"flags: qr aa[ ;]")
        self.assertRegex(out, r"example\.org\.\s+3600\s+IN\s+MX\s+10 mail\.example\.org\.")
        self.assertIn("(UDP)", out)

    @unittest.skipUnless(HAVE_DIG, "dig is not installed")
    def test_dig_udp_nxdomain(self):
        out = self.dig("missing.example.org", "A")
        self.assertIn("status: NXDOMAIN", out)
        self.assertRegex(out, r"flags: qr aa[ ;]")

    @unittest.skipUnless(HAVE_DIG, "dig is not installed")
    def test_dig_tcp(self):
        out = self.dig("+tcp", "example.org", "MX")
        self.assertIn("status: NOERROR", out)
        self.assertRegex(out, r"flags: qr aa[ ;]")
        self.assertIn("(TCP)", out)
        out = self.dig("+tcp", "missing.example.org", "A")
        self.assertIn("status: NXDOMAIN", out)

    @unittest.skipUnless(HAVE_KDIG, "kdig is not installed")
    def test_kdig_udp_and_tcp(self):
        for mode in ("+notcp", "+tcp"):
            out = self.kdig(mode, "example.org", "MX")
            self.assertIn("status: NOERROR", out, mode)
            self.assertRegex(out, r"Flags: qr aa[ ;]", mode)
            out = self.kdig(mode, "missing.example.org", "A")
            self.assertIn("status: NXDOMAIN", out, mode)
        out = self.kdig("+tcp", "202404r._domainkey.example.org", "TXT")
        self.assertIn("IDAQAB", out)  # end of the 2048-bit key: the whole TXT came back

    @unittest.skipUnless(HAVE_DIG, "dig is not installed")
    def test_mail_record_set(self):
        expect = {
            ("example.org", "TXT"): "v=spf1 mx ra=postmaster -all",
            ("mail.example.org", "TXT"): "v=spf1 a ra=postmaster -all",
            ("_dmarc.example.org", "TXT"): "v=DMARC1; p=reject",
            ("_imap._tcp.example.org", "SRV"): "0 1 143 mail.example.org.",
            ("_submissions._tcp.example.org", "SRV"): "0 1 465 mail.example.org.",
            ("_25._tcp.mail.example.org", "TLSA"): "3 1 1 ",
            ("example.org", "CAA"): 'issue "letsencrypt.org"',
            ("autoconfig.example.org", "A"): "192.0.2.25",
            ("202404e._domainkey.example.org", "TXT"): "k=ed25519",
        }
        for (name, qtype), fragment in expect.items():
            out = self.dig(name, qtype)
            self.assertIn("status: NOERROR", out, name)
            self.assertIn(fragment, out, name)

    def test_tcp_pipelining_three_queries_one_write(self):
        queries = [(0x1111, "example.org", 15), (0x2222, "missing.example.org", 1), (0x3333, "mail.example.org", 28)]
        wire = b"".join(struct.pack("!H", len(q)) + q for q in (build_query(*x) for x in queries))
        with socket.create_connection(("127.0.0.1", self.port), timeout=3) as s:
            s.sendall(wire)  # all three before reading anything
            answers = [header(recv_framed(s)) for _ in queries]
        self.assertEqual([a["id"] for a in answers], [0x1111, 0x2222, 0x3333])
        self.assertEqual([a["rcode"] for a in answers], [0, 3, 0])
        self.assertTrue(all(a["qr"] and a["aa"] for a in answers))
        self.assertEqual(answers[0]["an"], 1)
        self.assertEqual(answers[2]["an"], 1)

    def test_tcp_queries_split_across_segments(self):
        q = build_query(0x4444, "example.org", 15)
        framed = struct.pack("!H", len(q)) + q
        with socket.create_connection(("127.0.0.1", self.port), timeout=3) as s:
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            for i in range(len(framed)):
                s.send(framed[i:i + 1])
                time.sleep(0.002)
            self.assertEqual(header(recv_framed(s))["id"], 0x4444)
            # The connection stays open for a second query.
            s.sendall(framed)
            self.assertEqual(header(recv_framed(s))["id"], 0x4444)

    def test_tcp_half_close_still_gets_answers(self):
        q = build_query(0x5555, "example.org", 15)
        with socket.create_connection(("127.0.0.1", self.port), timeout=3) as s:
            s.sendall((struct.pack("!H", len(q)) + q) * 2)
            s.shutdown(socket.SHUT_WR)
            self.assertEqual(header(recv_framed(s))["id"], 0x5555)
            self.assertEqual(header(recv_framed(s))["id"], 0x5555)
            self.assertEqual(s.recv(1), b"")  # then the server closes

    def test_udp_raw_and_ignored_response(self):
        a = header(self.udp(build_query(0x6666, "example.org", 15, edns=True)))
        self.assertEqual((a["id"], a["rcode"], a["aa"], a["ar"] >= 1), (0x6666, 0, True, True))
        # A message with QR set must not be answered (no reflection loops).
        resp = bytearray(build_query(0x7777, "example.org", 15))
        resp[2] |= 0x80
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.settimeout(0.5)
            s.sendto(bytes(resp), ("127.0.0.1", self.port))
            with self.assertRaises(socket.timeout):
                s.recv(512)

    def test_many_udp_queries_in_a_burst(self):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
            s.settimeout(2)
            ids = set(range(1, 201))
            for i in ids:
                s.sendto(build_query(i, "example.org", 15), ("127.0.0.1", self.port))
            got = set()
            try:
                while len(got) < len(ids):
                    got.add(header(s.recv(4096))["id"])
            except socket.timeout:
                pass
        self.assertEqual(got, ids)

    def test_ipv6_loopback(self):
        if not self.v6:
            self.skipTest("no IPv6 loopback on this host")
        a = header(self.udp(build_query(0x8888, "example.org", 15), "::1", socket.AF_INET6))
        self.assertEqual((a["id"], a["rcode"], a["aa"]), (0x8888, 0, True))
        with socket.create_connection(("::1", self.port), timeout=3) as s:
            q = build_query(0x9999, "example.org", 15)
            s.sendall(struct.pack("!H", len(q)) + q)
            self.assertEqual(header(recv_framed(s))["id"], 0x9999)

    def test_startup_log(self):
        log = self.srv.stderr()
        self.assertIn("[zone] loaded example.org. serial 2024040101, 27 records", log)
        self.assertIn("listening on 127.0.0.1:%d" % self.port, log)
        self.assertIn("2 worker threads", log)


class TcpLimits(unittest.TestCase):
    """Idle timeout and connection limit, with a config that sets them low."""

    @classmethod
    def setUpClass(cls):
        cls.dir, cls.config = write_config("mailns-limits-",
                                           "  threads: 1\n  tcp_idle_timeout: 1\n  tcp_max_connections: 2\n")
        cls.srv, cls.port = start_server(cls.config)

    @classmethod
    def tearDownClass(cls):
        cls.srv.stop()
        shutil.rmtree(cls.dir)

    def test_idle_connection_is_closed(self):
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as s:
            start = time.monotonic()
            self.assertEqual(s.recv(1), b"")
            elapsed = time.monotonic() - start
        self.assertGreater(elapsed, 0.5)
        self.assertLess(elapsed, 3.5)

    def test_full_table_evicts_the_connection_idle_longest(self):
        q = build_query(0x1234, "example.org", 15)
        framed = struct.pack("!H", len(q)) + q
        a = socket.create_connection(("127.0.0.1", self.port), timeout=3)
        b = socket.create_connection(("127.0.0.1", self.port), timeout=3)
        try:
            for s in (a, b):  # both are really established, served, then idle (a longest)
                s.sendall(framed)
                self.assertEqual(header(recv_framed(s))["id"], 0x1234)
            with socket.create_connection(("127.0.0.1", self.port), timeout=3) as c:
                c.sendall(framed)
                self.assertEqual(header(recv_framed(c))["id"], 0x1234)  # admitted: a made room
                self.assertEqual(a.recv(2), b"")
                b.sendall(framed[:3])  # b and c are now mid-message: nothing to evict
                c.sendall(framed[:3])
                time.sleep(0.2)
                with socket.create_connection(("127.0.0.1", self.port), timeout=3) as d:
                    try:
                        d.sendall(framed)
                        self.assertEqual(d.recv(2), b"")
                    except ConnectionResetError:
                        pass
                c.sendall(framed[3:])  # a message completed within tcp_io_timeout is answered
                self.assertEqual(header(recv_framed(c))["id"], 0x1234)
        finally:
            a.close()
            b.close()
            self.wait_until_admitted(framed)

    def wait_until_admitted(self, framed):
        """The server notices the closes above asynchronously: wait (bounded) until
        a newcomer is served, so that the next test starts with a free table."""
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    s.sendall(framed)
                    if header(recv_framed(s))["id"] == 0x1234:
                        return
            except (OSError, ValueError, KeyError, struct.error):
                pass
            time.sleep(0.05)
        self.fail("the server never freed its TCP table")

@unittest.skipUnless(HAVE_DIG, "dig not installed")
class Nsid(unittest.TestCase):
    """server.nsid (RFC 5001): sent to `dig +nsid`, to nobody else."""

    @classmethod
    def setUpClass(cls):
        cls.dir, cls.config = write_config("mailns-nsid-", "  threads: 1\n  nsid: ns1-fra\n")
        cls.srv, cls.port = start_server(cls.config)

    @classmethod
    def tearDownClass(cls):
        cls.srv.stop()
        shutil.rmtree(cls.dir)

    def dig(self, *opts):
        r = run(["dig", "@127.0.0.1", "-p", str(self.port), "example.org", "MX", "+time=2", "+tries=1"] + list(opts))
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("status: NOERROR", r.stdout)
        return r.stdout

    def test_dig_nsid_shows_it_over_udp_and_tcp(self):
        for transport in ("+notcp", "+tcp"):
            out = self.dig("+nsid", transport)
            self.assertRegex(out, r"NSID: .*\(\"ns1-fra\"\)", transport)

    def test_no_nsid_unless_asked(self):
        out = self.dig()
        self.assertIn("OPT PSEUDOSECTION", out)
        self.assertNotIn("NSID", out)


class Lifecycle(unittest.TestCase):
    def test_sigterm_exits_zero_within_two_seconds(self):
        srv, port = start_server(ARGS.conf)
        try:
            # An open TCP connection must not hold up the shutdown.
            conn = socket.create_connection(("127.0.0.1", port), timeout=3)
            start = time.monotonic()
            srv.proc.send_signal(signal.SIGTERM)
            rc = srv.proc.wait(timeout=5)
            elapsed = time.monotonic() - start
            conn.close()
            self.assertEqual(rc, 0, srv.stderr())
            self.assertLess(elapsed, 2.0)
            log = srv.stderr()
            self.assertIn("received SIGTERM; shutting down", log)
            self.assertIn("shutdown complete", log)
        finally:
            srv.stop()

    def test_sigint_exits_zero(self):
        srv, _ = start_server(ARGS.conf)
        try:
            srv.proc.send_signal(signal.SIGINT)
            self.assertEqual(srv.proc.wait(timeout=5), 0, srv.stderr())
            self.assertIn("received SIGINT", srv.stderr())
        finally:
            srv.stop()

    def test_zone_error_prevents_start(self):
        with tempfile.TemporaryDirectory(prefix="mailns-bad-") as d:
            with open(os.path.join(d, "bad.zone"), "w") as f:
                f.write("$ORIGIN example.org.\n@ 300 IN SOA ns1 h 1 1 1 1 1\nwww 300 IN A 999.0.0.1\n")
            cfg = os.path.join(d, "bad.yaml")
            with open(cfg, "w") as f:
                f.write("zones:\n  - origin: example.org\n    file: bad.zone\n")
            srv = Server(cfg, ["127.0.0.1:%d" % free_port()])
            try:
                self.assertEqual(srv.proc.wait(timeout=5), 1)
                self.assertIn("bad.zone:3:", srv.stderr())
                self.assertNotIn("listening on", srv.stderr())
            finally:
                srv.stop()

    def test_port_in_use_fails_cleanly(self):
        port = free_port()
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as blocker:
            blocker.bind(("127.0.0.1", port))  # no SO_REUSEPORT: mailns cannot share it
            srv = Server(ARGS.conf, ["127.0.0.1:%d" % port])
            try:
                self.assertEqual(srv.proc.wait(timeout=5), 1)
                # Found before binding (issue 15), with the blocker's pid.
                self.assertIn("127.0.0.1:%d is already served by another process (pid %d)" % (port, os.getpid()),
                              srv.stderr())
            finally:
                srv.stop()


class Commands(unittest.TestCase):
    def test_check_config_ok(self):
        r = run([ARGS.mailns, "check-config", "-c", ARGS.conf])
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stdout.strip().splitlines()
        self.assertEqual(len(lines), 1, r.stdout)
        self.assertIn("OK: 1 zone (example.org. serial 2024040101, 27 records); listen 127.0.0.1:5300", lines[0])

    def test_check_config_reports_every_error(self):
        with tempfile.TemporaryDirectory(prefix="mailns-cfg-") as d:
            cfg = os.path.join(d, "c.yaml")
            with open(cfg, "w") as f:
                f.write("server:\n  listen: [localhost:53]\n  threads: lots\n"
                        "transfers: {}\nzones:\n  - origin: example.org\n    file: missing.zone\n")
            r = run([ARGS.mailns, "check-config", "-c", cfg])
            self.assertEqual(r.returncode, 1)
            for fragment in (cfg + ":2: server.listen[0]", cfg + ":3: server.threads", cfg + ":4: unknown key 'transfers'",
                             cfg + ":7: zones[0].file"):
                self.assertIn(fragment, r.stderr)
            self.assertIn("4 errors", r.stderr)

    def test_zone_export(self):
        r = run([ARGS.mailns, "zone", "export", "-c", ARGS.conf, "example.org"])
        self.assertEqual(r.returncode, 0, r.stderr)
        first = r.stdout.splitlines()[0]
        self.assertRegex(first, r"^example\.org\.\s+3600\s+IN\s+SOA\s")
        self.assertRegex(r.stdout, r"example\.org\.\s+3600\s+IN\s+MX\s+10 mail\.example\.org\.")
        self.assertEqual(len([l for l in r.stdout.splitlines() if l.strip()]), 27)
        # The export is itself a loadable zone file with the same content.
        with tempfile.TemporaryDirectory(prefix="mailns-export-") as d:
            with open(os.path.join(d, "x.zone"), "w") as f:
                f.write(r.stdout)
            with open(os.path.join(d, "x.yaml"), "w") as f:
                f.write("zones:\n  - origin: example.org\n    file: x.zone\n")
            again = run([ARGS.mailns, "zone", "export", "-c", os.path.join(d, "x.yaml"), "example.org."])
            self.assertEqual(again.returncode, 0, again.stderr)
            self.assertEqual(again.stdout, r.stdout)

    def test_zone_export_unknown_origin(self):
        r = run([ARGS.mailns, "zone", "export", "-c", ARGS.conf, "example.com"])
        self.assertEqual(r.returncode, 1)
        self.assertIn("serves no zone example.com.", r.stderr)

    def test_usage_and_version(self):
        r = run([ARGS.mailns, "--version"])
        self.assertEqual(r.returncode, 0)
        self.assertRegex(r.stdout, r"^mailns \d+\.\d+\.\d+")
        for help_args in (["--help"], ["help"]):
            r = run([ARGS.mailns] + help_args)
            self.assertEqual(r.returncode, 0)
            self.assertIn("mailns serve -c FILE", r.stdout)
        for bad in ([], ["serve"], ["serve", "-c"], ["bogus"], ["check-config", "-c", ARGS.conf, "--what"],
                    ["serve", "-c", ARGS.conf, "--listen", "localhost:53"]):
            r = run([ARGS.mailns] + bad)
            self.assertEqual(r.returncode, 2, bad)
            self.assertIn("mailns", r.stderr, bad)
            self.assertEqual(r.stdout, "", bad)


def main():
    global ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument("--mailns", required=True)
    parser.add_argument("--conf", required=True)
    ARGS, rest = parser.parse_known_args()
    ARGS.mailns = os.path.abspath(ARGS.mailns)
    ARGS.conf = os.path.abspath(ARGS.conf)
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)


if __name__ == "__main__":
    main()
