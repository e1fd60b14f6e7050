#!/usr/bin/python3
"""End-to-end: TCP exhaustion attacks on loopback (issue 14, item 1).

Slowloris-style clients open many connections and dribble a message: two
length bytes 0xffff, then one byte every 2.5 s, which never completes it.
Once from one address (300 connections from 127.0.0.3), once from 300
addresses (127.0.1.0/24 and 127.0.2.0/24), against tcp_max_connections 256,
so the second attack fills the table. Meanwhile legitimate TCP queries from
127.0.0.1 must keep succeeding (9 of 9 within 21 s, 2 s apart; a query
may be retried while the first attack connections await their
tcp_io_timeout) and an AXFR from
127.0.0.1 must complete. Every loop is bounded in count and time.

Usage: tcp_attack_test.py --mailns PATH --conf tests/server/data/plain.yaml
"""
import os
import shutil
import socket
import struct
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serve_test  # noqa: E402  (the Server helpers and the raw client)

HAVE_DIG = shutil.which("dig") is not None
DRIBBLE_INTERVAL = 2.5
ATTACK_SECONDS = 22.0


class Dribbler:
    """Connections that send 0xffff, then one byte every 2.5 s, until closed by the server or stop()."""

    def __init__(self, port, sources):
        self.port = port
        self.sources = sources
        self.socks = []
        self.closed_by_server = 0
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def open_all(self):
        for src in self.sources:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.settimeout(1.0)
            try:
                s.bind((src, 0))
                s.connect(("127.0.0.1", self.port))
                s.sendall(b"\xff\xff")
                s.setblocking(False)
                self.socks.append(s)
            except OSError:
                s.close()

    def run(self):
        end = time.monotonic() + ATTACK_SECONDS
        while not self.stop_event.wait(DRIBBLE_INTERVAL) and time.monotonic() < end:
            alive = []
            for s in self.socks:
                try:
                    s.send(b"\x00")
                    alive.append(s)
                except OSError:  # the server closed it
                    self.closed_by_server += 1
                    s.close()
            self.socks = alive

    def start(self):
        self.open_all()
        self.opened = len(self.socks)
        self.thread.start()

    def stop(self):
        self.stop_event.set()
        self.thread.join(timeout=5)
        for s in self.socks:
            s.close()


def tcp_query(port, qid, timeout=1.0):
    """One MX query over TCP from 127.0.0.1; True when answered with our id."""
    q = serve_test.build_query(qid, "example.org", 15)
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.settimeout(timeout)
            s.bind(("127.0.0.1", 0))
            s.connect(("127.0.0.1", port))
            s.sendall(struct.pack("!H", len(q)) + q)
            return serve_test.header(serve_test.recv_framed(s))["id"] == qid
    except (OSError, ConnectionError, struct.error):
        return False


def legitimate_queries(port, count=9, within=21.0, spacing=2.0):
    """count queries, each retried until answered, spaced by spacing s; how many were answered within `within` s."""
    end = time.monotonic() + within
    ok = 0
    for i in range(count):
        for _ in range(200):
            if time.monotonic() >= end or tcp_query(port, 0x4000 + i, timeout=1.0):
                break
            time.sleep(0.1)
        else:
            break
        if time.monotonic() >= end:
            break
        ok += 1
        time.sleep(spacing)
    return ok


def axfr_soa_count(port):
    r = subprocess.run(["dig", "@127.0.0.1", "-p", str(port), "-b", "127.0.0.1", "example.org", "AXFR",
                        "+time=3", "+tries=1"], capture_output=True, text=True, timeout=15)
    return sum(1 for line in r.stdout.splitlines() if "\tSOA\t" in line and not line.startswith(";"))


class TcpAttacks(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir, cls.config = serve_test.write_config(
            "mailns-attack-", "  threads: 2\n  tcp_idle_timeout: 10\n  tcp_io_timeout: 2\n"
            "  tcp_max_connections: 256\n  tcp_max_connections_per_address: 32\n",
            "allow_transfer: [127.0.0.1]\n")

    def setUp(self):
        self.srv, self.port = serve_test.start_server(self.config)

    def tearDown(self):
        self.srv.stop()

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir)

    def survive(self, sources, expect_closed):
        self.assertTrue(tcp_query(self.port, 0x1111), "no answer before the attack")
        attack = Dribbler(self.port, sources)
        attack.start()
        try:
            self.assertGreater(attack.opened, 0)
            ok = legitimate_queries(self.port)
            if HAVE_DIG:
                self.assertEqual(axfr_soa_count(self.port), 2, "AXFR during the attack did not complete")
        finally:
            attack.stop()
        self.assertEqual(ok, 9, "legitimate TCP queries answered during the attack")
        self.assertGreaterEqual(attack.closed_by_server, expect_closed)

    def test_one_address(self):
        # 32 admitted (the rest closed at once), each closed after tcp_io_timeout.
        self.survive(["127.0.0.3"] * 300, expect_closed=32)

    def test_many_addresses(self):
        sources = ["127.0.1.%d" % i for i in range(1, 151)] + ["127.0.2.%d" % i for i in range(1, 151)]
        self.survive(sources, expect_closed=256)


if __name__ == "__main__":
    serve_test.main()  # parses --mailns/--conf into serve_test.ARGS, runs this module's tests
