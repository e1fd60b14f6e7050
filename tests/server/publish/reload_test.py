#!/usr/bin/python3
"""Hot reload end to end (issue 7), loopback only, every wait bounded.

test_reloads_under_load: dnsperf queries mailns (signed zone, 2 workers) for
a bounded time while the test makes at least 50 reloads, alternating a
records: edit (TXT), a DKIM key swap and a certificate swap (keys and
certificates made with openssl), through `mailns reload`, SIGHUP and the
file watcher. dnsperf must report 0 lost queries and no SERVFAIL, and after
each reload the new record must be served within 1 s (polled with dig).

test_kill_during_reloads: SIGKILL mailns at random moments of a reload
storm, many times; every restart must start, load state/serials, never
serve a lower SOA serial than before, and keep every DNSSEC key file.

Usage: reload_test.py --mailns PATH [--reloads N] [--crashes N]
"""
import argparse
import base64
import hashlib
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

ARGS = None


def free_port():
    for _ in range(200):
        port = random.randint(20000, 60000)
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u, \
                    socket.socket(socket.AF_INET, socket.SOCK_STREAM) as t:
                u.bind(("127.0.0.1", port))
                t.bind(("127.0.0.1", port))
            return port
        except OSError:
            continue
    raise RuntimeError("no free port")


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60, **kw)


def openssl(*args):
    r = run(["openssl", *args])
    if r.returncode != 0:
        raise RuntimeError(" ".join(args) + ": " + r.stderr)
    return r.stdout


def ed25519_p(path):
    der = subprocess.run(["openssl", "pkey", "-in", path, "-pubout", "-outform", "DER"], capture_output=True,
                         check=True, timeout=30).stdout
    return base64.b64encode(der[-32:]).decode()


def spki_sha256(cert):
    pub = subprocess.run(["openssl", "x509", "-in", cert, "-pubkey", "-noout"], capture_output=True, check=True,
                         timeout=30).stdout
    der = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "DER"], input=pub, capture_output=True,
                         check=True, timeout=30).stdout
    return hashlib.sha256(der).hexdigest()


def replace_file(src, dst):
    tmp = dst + ".tmp"
    shutil.copyfile(src, tmp)
    os.replace(tmp, dst)


CONFIG = """server:
  listen: [127.0.0.1:{port}]
  threads: 2
  watch_files: {watch}
dnssec:
  enabled: true
  algorithm: ecdsap256sha256
  keys: csk
  denial: nsec3
mail_domains:
  - domain: example.org
    ttl: 60
    nameservers:
      - {{ name: ns1.example.org, ipv4: 192.0.2.53 }}
      - {{ name: ns2.example.net }}
    mail_hosts:
      - {{ name: mail.example.org, ipv4: 192.0.2.10, tls: {{ cert: certs/mail.pem }} }}
    dkim:
      - {{ selector: sel, key: keys/dkim.pem }}
    records:
      - "rl 60 IN TXT \\"v={version}\\""
  - domain: other.example
    nameservers:
      - {{ name: ns1.example.org }}
      - {{ name: ns2.example.net }}
    parked: true
"""


class Env:
    def __init__(self, watch=True):
        self.dir = tempfile.mkdtemp(prefix="mailns-reload-")
        self.port = free_port()
        self.watch = watch
        os.makedirs(os.path.join(self.dir, "keys"))
        os.makedirs(os.path.join(self.dir, "certs"))
        self.dkim = []
        for i in range(2):
            p = os.path.join(self.dir, "keys", f"dkim{i}.pem")
            openssl("genpkey", "-algorithm", "ed25519", "-out", p)
            self.dkim.append(p)
        self.certs = []
        for i in range(2):
            k = os.path.join(self.dir, "certs", f"mail{i}.key")
            c = os.path.join(self.dir, "certs", f"mail{i}.pem")
            openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", k,
                    "-out", c, "-days", "90", "-subj", "/CN=mail.example.org")
            self.certs.append(c)
        replace_file(self.dkim[0], os.path.join(self.dir, "keys", "dkim.pem"))
        replace_file(self.certs[0], os.path.join(self.dir, "certs", "mail.pem"))
        self.config = os.path.join(self.dir, "mailns.yaml")
        self.write_config(0)
        self.proc = None
        self.log = None

    def write_config(self, version):
        tmp = self.config + ".tmp"
        with open(tmp, "w") as f:
            f.write(CONFIG.format(port=self.port, version=version, watch="true" if self.watch else "false"))
        os.replace(tmp, self.config)

    def start(self):
        self.log = open(os.path.join(self.dir, "log"), "a")
        self.proc = subprocess.Popen([ARGS.mailns, "serve", "-c", self.config], stdout=self.log, stderr=self.log)
        deadline = time.time() + 20
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError("mailns exited at start:\n" + self.read_log()[-3000:])
            if self.dig("example.org", "SOA"):
                return
            time.sleep(0.05)
        raise AssertionError("mailns did not answer within 20 s")

    def stop(self, sig=signal.SIGTERM):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        if self.log:
            self.log.close()

    def read_log(self):
        with open(os.path.join(self.dir, "log")) as f:
            return f.read()

    def dig(self, name, qtype):
        r = run(["dig", "+short", "+time=1", "+tries=1", "@127.0.0.1", "-p", str(self.port), name, qtype])
        return r.stdout.strip() if r.returncode == 0 else ""

    def reload(self):
        return run([ARGS.mailns, "reload", "-c", self.config])

    def soa_serial(self):
        out = self.dig("example.org", "SOA")
        return int(out.split()[2]) if out else None

    def cleanup(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def wait_for(fn, seconds):
    deadline = time.time() + seconds
    while True:
        if fn():
            return True
        if time.time() > deadline:
            return False
        time.sleep(0.02)


class ReloadTest(unittest.TestCase):
    def test_reloads_under_load(self):
        env = Env(watch=True)
        try:
            env.start()
            qfile = os.path.join(env.dir, "queries")
            with open(qfile, "w") as f:
                f.write("example.org SOA\nrl.example.org TXT\nsel._domainkey.example.org TXT\n"
                        "_25._tcp.mail.example.org TLSA\nexample.org MX\nexample.org DNSKEY\n"
                        "nope.example.org A\nother.example TXT\n")
            seconds = ARGS.dnsperf_seconds
            perf = subprocess.Popen(["dnsperf", "-s", "127.0.0.1", "-p", str(env.port), "-d", qfile, "-l",
                                     str(seconds), "-c", "4", "-Q", "3000", "-t", "2", "-D"],
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            time.sleep(0.5)
            reloads, latency = 0, {}
            version = 0
            for i in range(ARGS.reloads):
                kind = i % 3
                via = ("command", "sighup", "watcher")[(i // 3) % 3]
                t0 = time.time()
                if kind == 0:
                    version += 1
                    env.write_config(version)
                    want = lambda: env.dig("rl.example.org", "TXT") == f'"v={version}"'
                elif kind == 1:
                    src = env.dkim[(i // 3 + 1) % 2]
                    replace_file(src, os.path.join(env.dir, "keys", "dkim.pem"))
                    p = ed25519_p(src)
                    want = lambda p=p: ("p=" + p) in env.dig("sel._domainkey.example.org", "TXT").replace('" "', "")
                else:
                    c = env.certs[(i // 3 + 1) % 2]
                    replace_file(c, os.path.join(env.dir, "certs", "mail.pem"))
                    digest = spki_sha256(c)
                    want = lambda d=digest: d in env.dig("_25._tcp.mail.example.org", "TLSA").replace(" ", "").lower()
                if via == "command":
                    # `mailns reload` returns once the reload is published:
                    # the new answer must be there within 1 s from then.
                    r = env.reload()
                    self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
                    t0 = time.time()
                    budget = 1.0
                else:
                    if via == "sighup":
                        env.proc.send_signal(signal.SIGHUP)
                    # SIGHUP and the watcher (500 ms debounce) give no "done":
                    # bounded generously, for loaded shared machines.
                    budget = 8.0
                ok = wait_for(want, budget)
                elapsed = time.time() - t0
                self.assertTrue(ok, f"reload {i} ({via}, kind {kind}) not served after {elapsed:.2f} s")
                latency[via] = max(latency.get(via, 0), elapsed)
                reloads += 1
            out, _ = perf.communicate(timeout=seconds + 30)
            print(out)
            lost = re.search(r"Queries lost:\s+(\d+)", out)
            self.assertIsNotNone(lost, out)
            print(f"reloads: {reloads}; dnsperf lost: {lost.group(1)}; worst seconds to new answer: {latency}")
            self.assertEqual(int(lost.group(1)), 0, out)
            self.assertNotIn("SERVFAIL", out)
            self.assertGreaterEqual(reloads, 50)
            self.assertIsNone(env.proc.poll())
            self.assertGreater(int(re.search(r"Queries completed:\s+(\d+)", out).group(1)), 1000)
        finally:
            env.stop()
            if sys.exc_info()[0] is None:
                env.cleanup()
            else:
                print("log and files kept in", env.dir)

    def test_kill_during_reloads(self):
        env = Env(watch=True)
        try:
            env.start()
            keydir = os.path.join(env.dir, "state", "keys")
            key_files = {os.path.join(d, f) for d, _, fs in os.walk(keydir) for f in fs}
            self.assertTrue(key_files)
            best = env.soa_serial()
            version = 0
            for it in range(ARGS.crashes):
                stop = threading.Event()

                def storm():
                    nonlocal version
                    while not stop.is_set():
                        version += 1
                        env.write_config(version)
                        run([ARGS.mailns, "reload", "-c", env.config])

                th = threading.Thread(target=storm)
                th.start()
                time.sleep(random.uniform(0.05, 0.6))
                seen = env.soa_serial()
                if seen:
                    best = max(best, seen)
                env.proc.kill()
                env.proc.wait(timeout=10)
                stop.set()
                th.join(timeout=60)
                env.log.close()
                serials = open(os.path.join(env.dir, "state", "serials")).read()
                self.assertIn("example.org.", serials)
                env.start()
                now = env.soa_serial()
                self.assertIsNotNone(now)
                self.assertGreaterEqual(now, best, f"iteration {it}: serial went back from {best} to {now}")
                best = now
                for f in key_files:
                    self.assertTrue(os.path.exists(f), f"iteration {it}: {f} lost")
            print(f"crash iterations: {ARGS.crashes}; last serial {best}")
        finally:
            env.stop()
            if sys.exc_info()[0] is None:
                env.cleanup()
            else:
                print("log and files kept in", env.dir)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--mailns", required=True)
    ap.add_argument("--reloads", type=int, default=54)
    ap.add_argument("--crashes", type=int, default=20)
    ap.add_argument("--dnsperf-seconds", type=int, default=60)
    ARGS, rest = ap.parse_known_args()
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)
