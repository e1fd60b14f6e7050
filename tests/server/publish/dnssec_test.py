#!/usr/bin/python3
"""End-to-end tests of DNSSEC signing in the mailns binary.

Runs the mail domains of conf/example.yaml (paths made absolute) with a
`dnssec:` section and a temporary key_dir, and checks:
  - `mailns zone export --signed` of every zone passes ldns-verify-zone and
    kzonecheck, for ECDSA P-256 and Ed25519 with NSEC3 and NSEC (and RSA with
    a KSK and a ZSK);
  - `mailns dnssec ds` agrees with ldns-key2ds fed with the DNSKEY it prints,
    creates keys only where serve would, and gives the same DS on every run
    and after the server ran (keys reused), matching the DNSKEY it serves;
  - read-only commands (check-config, zone export) never create keys;
  - a corrupt key file: that zone is not served (REFUSED), the log names the
    file, the file is left as it was, the other zones are served;
  - with a seconds-long signature_validity the running server re-signs:
    the served SOA serial and the RRSIG inception change without a restart;
  - `mailns dnssec rollover` is picked up by the running server at its next
    re-sign (a second DNSKEY appears) and `mailns dnssec keys` shows it.
Checks of DO=1 answers (validation by delv/unbound) live in tests/integration.

Usage: dnssec_test.py --mailns PATH --example conf/example.yaml
"""
import argparse
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
import time
import unittest

import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import yaml

ARGS = None
ZONES = ["example.org", "parked.example", "2.0.192.in-addr.arpa", "8.b.d.0.1.0.0.2.ip6.arpa"]


def example_config(key_dir, dnssec, extra=""):
    """conf/example.yaml's mail domains and reverse zones with absolute file
    paths, plus the given dnssec: settings (a dict) and key_dir."""
    conf_dir = os.path.dirname(os.path.abspath(ARGS.example))
    with open(ARGS.example, encoding="utf-8") as f:
        doc = yaml.safe_load(f)

    def absolute(node):
        if isinstance(node, dict):
            return {k: (os.path.join(conf_dir, v) if k in ("cert", "next_key", "key") and isinstance(v, str)
                        else absolute(v)) for k, v in node.items()}
        if isinstance(node, list):
            return [absolute(v) for v in node]
        return node

    out = {
        "server": {"listen": ["127.0.0.1:53"], "threads": 2},
        "mail_domains": absolute(doc["mail_domains"]),
        "reverse_zones": doc["reverse_zones"],
        "dnssec": dict({"enabled": True, "key_dir": key_dir}, **dnssec),
    }
    return yaml.safe_dump(out, sort_keys=False) + extra


def mailns(*args, check=True):
    r = subprocess.run([ARGS.mailns, *args], capture_output=True, text=True, timeout=60)
    if check and r.returncode != 0:
        raise AssertionError("mailns %s failed (%d):\n%s%s" % (" ".join(args), r.returncode, r.stdout, r.stderr))
    return r


def free_port():
    for _ in range(200):
        port = random.randint(20000, 60000)
        socks = []
        try:
            for typ in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
                s = socket.socket(socket.AF_INET, typ)
                socks.append(s)
                s.bind(("127.0.0.1", port))
            return port
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise RuntimeError("no free port")


class Server:
    """`mailns serve` on a free loopback port; stderr kept in a file."""

    def __init__(self, config):
        self.log = tempfile.NamedTemporaryFile(prefix="mailns-dnssec-", suffix=".log", delete=False)
        for _ in range(5):
            self.port = free_port()
            self.proc = subprocess.Popen([ARGS.mailns, "serve", "-c", config, "--listen", "127.0.0.1:%d" % self.port],
                                         stdout=subprocess.DEVNULL, stderr=self.log)
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and self.proc.poll() is None and "listening on" not in self.stderr():
                time.sleep(0.05)
            if self.proc.poll() is None and "listening on" in self.stderr():
                return
            self.stop(keep_log=True)
        raise RuntimeError("mailns serve did not start:\n" + self.stderr())

    def stderr(self):
        with open(self.log.name, encoding="utf-8", errors="replace") as f:
            return f.read()

    def ask(self, name, qtype, dnssec=False):
        q = dns.message.make_query(name, qtype, want_dnssec=dnssec, use_edns=0, payload=4096)
        return dns.query.tcp(q, "127.0.0.1", port=self.port, timeout=3)

    def soa(self, name, dnssec=False):
        r = self.ask(name, "SOA", dnssec)
        soa = [rr for rrset in r.answer if rrset.rdtype == dns.rdatatype.SOA for rr in rrset]
        sigs = [rr for rrset in r.answer if rrset.rdtype == dns.rdatatype.RRSIG for rr in rrset]
        return (soa[0].serial if soa else None), sigs

    def stop(self, keep_log=False):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if not keep_log:
            os.unlink(self.log.name)


def ds_lines(text):
    return [l for l in text.splitlines() if l and not l.startswith(";") and "\tDS\t" in l]


def dnskey_lines(text):
    return [l for l in text.splitlines() if l and not l.startswith(";") and "\tDNSKEY\t" in l]


def ds_fields(line):
    """(owner, tag, algorithm, digest type, digest in lower case) of a DS line."""
    f = line.split()
    i = f.index("DS")
    return (f[0].lower(), int(f[i + 1]), int(f[i + 2]), int(f[i + 3]), "".join(f[i + 4:]).lower())


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


class Base(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="mailns-dnssec-test-")
        self.keys = os.path.join(self.dir, "keys")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def write_config(self, dnssec=None, name="mailns.yaml"):
        path = os.path.join(self.dir, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(example_config(self.keys, dnssec or {}))
        return path

    def create_keys(self, config):
        for z in ZONES:
            out = mailns("dnssec", "ds", "-c", config, z)
            self.assertIn("created them in", out.stderr)


class SignedExport(Base):
    def check_variant(self, dnssec):
        config = self.write_config(dnssec)
        self.create_keys(config)
        for z in ZONES:
            with self.subTest(zone=z, **dnssec):
                out = mailns("zone", "export", "-c", config, z, "--signed").stdout
                path = os.path.join(self.dir, z + ".signed")
                with open(path, "w", encoding="utf-8") as f:
                    f.write(out)
                self.assertIn("\tRRSIG\t", out)
                self.assertIn("\tDNSKEY\t", out)
                denial = dnssec.get("denial", "nsec3")
                self.assertEqual("\tNSEC3PARAM\t" in out, denial == "nsec3")
                self.assertEqual(re.search(r"\tNSEC\t", out) is not None, denial == "nsec")
                v = subprocess.run(["ldns-verify-zone", path], capture_output=True, text=True, timeout=60)
                self.assertEqual(v.returncode, 0, v.stdout + v.stderr + out)
                if shutil.which("kzonecheck"):
                    k = subprocess.run(["kzonecheck", "-o", z, "-d", "on", path], capture_output=True, text=True,
                                       timeout=60)
                    self.assertEqual(k.returncode, 0, k.stdout + k.stderr)

    def test_ecdsa_nsec3(self):
        self.check_variant({"algorithm": "ecdsap256sha256", "denial": "nsec3"})

    def test_ecdsa_nsec(self):
        self.check_variant({"algorithm": "ecdsap256sha256", "denial": "nsec"})

    def test_ed25519_nsec3(self):
        self.check_variant({"algorithm": "ed25519", "denial": "nsec3"})

    def test_ed25519_nsec(self):
        self.check_variant({"algorithm": "ed25519", "denial": "nsec"})

    def test_rsa_ksk_zsk(self):
        self.check_variant({"algorithm": "rsasha256", "keys": "ksk_zsk", "denial": "nsec3"})

    def test_unsigned_export_and_check_config_write_nothing(self):
        config = self.write_config()
        out = mailns("zone", "export", "-c", config, "example.org").stdout
        self.assertNotIn("RRSIG", out)
        self.assertNotIn("DNSKEY", out)
        r = mailns("check-config", "-c", config)
        self.assertIn("no DNSSEC keys yet", r.stderr)
        r = mailns("zone", "export", "-c", config, "example.org", "--signed", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("no DNSSEC keys yet", r.stderr)
        self.assertFalse(os.path.exists(self.keys), "a read-only command created " + self.keys)
        # With keys, check-config signs with them and says so.
        self.create_keys(config)
        r = mailns("check-config", "-c", config)
        self.assertIn("example.org. serial", r.stdout)
        self.assertIn("signed", r.stdout)

    def test_signed_export_of_an_unsigned_zone_is_refused(self):
        config = self.write_config({"enabled": False})
        r = mailns("zone", "export", "-c", config, "example.org", "--signed", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("DNSSEC is not enabled for example.org.", r.stderr)


class DsRecords(Base):
    def test_ds_matches_ldns_key2ds_and_is_stable(self):
        config = self.write_config({"algorithm": "ecdsap256sha256"})
        first = mailns("dnssec", "ds", "-c", config, "example.org")
        self.assertIn("had no DNSSEC keys; created them in", first.stderr)
        self.assertTrue(os.path.isfile(os.path.join(self.keys, "example.org", "keys.state")))
        # Only the zone asked about got keys.
        self.assertFalse(os.path.exists(os.path.join(self.keys, "parked.example")))
        ds = ds_lines(first.stdout)
        keys = dnskey_lines(first.stdout)
        self.assertEqual(len(ds), 1, first.stdout)
        self.assertEqual(len(keys), 1, first.stdout)
        self.assertIn("\t257 3 13 ", keys[0])  # flags (KSK/CSK), protocol, algorithm
        key_file = os.path.join(self.dir, "Kexample.org.key")
        with open(key_file, "w", encoding="utf-8") as f:
            f.write(keys[0] + "\n")
        ref = subprocess.run(["ldns-key2ds", "-n", "-2", key_file], capture_output=True, text=True, timeout=30)
        self.assertEqual(ref.returncode, 0, ref.stderr)
        self.assertEqual(ds_fields(ds[0]), ds_fields(ref.stdout.strip()))
        self.assertEqual(ds_fields(ds[0])[3], 2)  # SHA-256

        # Again: the same keys, nothing created.
        second = mailns("dnssec", "ds", "-c", config, "example.org")
        self.assertNotIn("created", second.stderr)
        self.assertEqual(ds_lines(second.stdout), ds)

        # The server signs with them (no new keys), serves that DNSKEY, and a
        # restart keeps them.
        for _ in range(2):
            srv = Server(config)
            try:
                self.assertNotIn("example.org.: created DNSSEC keys", srv.stderr())
                r = srv.ask("example.org", "DNSKEY")
                served = [rr.to_text() for rrset in r.answer if rrset.rdtype == dns.rdatatype.DNSKEY for rr in rrset]
                self.assertEqual(len(served), 1, r.to_text())
                # dnspython splits the base64 key into chunks.
                want = keys[0].split()[4:]
                got = served[0].split()
                self.assertEqual(got[:3], want[:3])
                self.assertEqual("".join(got[3:]), "".join(want[3:]))
            finally:
                srv.stop()
            self.assertEqual(ds_lines(mailns("dnssec", "ds", "-c", config, "example.org").stdout), ds)

    def test_ds_for_ed25519_matches_ldns_key2ds(self):
        config = self.write_config({"algorithm": "ed25519"})
        out = mailns("dnssec", "ds", "-c", config, "parked.example").stdout
        key_file = os.path.join(self.dir, "Kparked.key")
        with open(key_file, "w", encoding="utf-8") as f:
            f.write(dnskey_lines(out)[0] + "\n")
        ref = subprocess.run(["ldns-key2ds", "-n", "-2", key_file], capture_output=True, text=True, timeout=30)
        self.assertEqual(ref.returncode, 0, ref.stderr)
        self.assertEqual(ds_fields(ds_lines(out)[0]), ds_fields(ref.stdout.strip()))

    def test_ds_of_unknown_or_unsigned_zone(self):
        config = self.write_config({"enabled": False})
        r = mailns("dnssec", "ds", "-c", config, "example.org", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("DNSSEC is not enabled for example.org.", r.stderr)
        r = mailns("dnssec", "ds", "-c", config, "nowhere.example", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("serves no zone nowhere.example.", r.stderr)
        self.assertFalse(os.path.exists(self.keys))


class CorruptKey(Base):
    def test_zone_with_corrupt_key_is_not_served_and_the_file_is_kept(self):
        config = self.write_config()
        self.create_keys(config)
        zone_dir = os.path.join(self.keys, "parked.example")
        pem = [os.path.join(zone_dir, f) for f in os.listdir(zone_dir) if f.endswith(".pem")][0]
        with open(pem, "w", encoding="utf-8") as f:
            f.write("-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n")
        before = sha256(pem)
        srv = Server(config)
        try:
            log = srv.stderr()
            self.assertRegex(log, r"error.*parked\.example: " + re.escape(pem) + r": .*\(zone not served\)")
            self.assertEqual(srv.ask("parked.example", "SOA").rcode(), dns.rcode.REFUSED)
            serial, _ = srv.soa("example.org")
            self.assertIsNotNone(serial)
            self.assertEqual(srv.ask("www.example.org", "A").rcode(), dns.rcode.NOERROR)
        finally:
            srv.stop()
        self.assertEqual(sha256(pem), before)
        r = mailns("check-config", "-c", config, check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn(pem, r.stderr)
        r = mailns("dnssec", "keys", "-c", config, check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn(pem, r.stderr)
        self.assertEqual(sha256(pem), before)


class Resigning(Base):
    def test_running_server_resigns_with_a_new_serial(self):
        # Re-signed every 6 seconds: expiration 20 s after signing, refreshed 14 s before.
        config = self.write_config({"signature_validity": "20s", "refresh_before": "14s"})
        srv = Server(config)
        try:
            serial0, sigs0 = srv.soa("example.org", dnssec=True)
            self.assertIsNotNone(serial0)
            deadline = time.monotonic() + 20
            serial1, sigs1 = serial0, sigs0
            while time.monotonic() < deadline and serial1 == serial0:
                time.sleep(0.5)
                serial1, sigs1 = srv.soa("example.org", dnssec=True)
            self.assertNotEqual(serial1, serial0, srv.stderr())
            self.assertEqual((serial1 - serial0) % 2**32 < 2**31, True)  # greater, RFC 1982
            self.assertIn("re-signed", srv.stderr())
            # The query path answers DO=1 with RRSIGs once it supports them;
            # then the served signature must be the fresh one.
            if sigs0 and sigs1:
                self.assertGreater(sigs1[0].inception, sigs0[0].inception)
                self.assertGreater(sigs1[0].expiration, sigs0[0].expiration)
            # And the zone as the new signatures cover it still verifies.
            out = mailns("zone", "export", "-c", config, "example.org", "--signed").stdout
            path = os.path.join(self.dir, "resigned.zone")
            with open(path, "w", encoding="utf-8") as f:
                f.write(out)
            v = subprocess.run(["ldns-verify-zone", path], capture_output=True, text=True, timeout=60)
            self.assertEqual(v.returncode, 0, v.stdout + v.stderr)
        finally:
            srv.stop()

    def test_requested_rollover_is_started_by_the_running_server(self):
        config = self.write_config({"signature_validity": "20s", "refresh_before": "14s"})
        srv = Server(config)
        try:
            def dnskeys():
                r = srv.ask("parked.example", "DNSKEY")
                return [rr for rrset in r.answer if rrset.rdtype == dns.rdatatype.DNSKEY for rr in rrset]

            self.assertEqual(len(dnskeys()), 1)
            out = mailns("dnssec", "rollover", "-c", config, "parked.example").stdout
            self.assertIn("CSK rollover requested", out)
            self.assertIn("next re-sign", out)
            self.assertIn("rollover requested", mailns("dnssec", "keys", "-c", config).stdout)
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and len(dnskeys()) < 2:
                time.sleep(0.5)
            self.assertEqual(len(dnskeys()), 2, srv.stderr())
            keys = mailns("dnssec", "keys", "-c", config).stdout
            states = [l.split()[4] for l in keys.splitlines() if l.startswith("parked.example.")]
            self.assertEqual(sorted(states), ["active", "published"], keys)
            # A second request while this one runs is refused.
            r = mailns("dnssec", "rollover", "-c", config, "parked.example", check=False)
            self.assertEqual(r.returncode, 1)
            self.assertIn("already in progress", r.stderr)
        finally:
            srv.stop()

    def test_rollover_usage(self):
        config = self.write_config({"keys": "ksk_zsk"})
        r = mailns("dnssec", "rollover", "-c", config, "example.org", check=False)
        self.assertEqual(r.returncode, 1)  # no keys yet: nothing to roll, and none created
        self.assertIn("has no DNSSEC keys yet", r.stderr)
        self.assertFalse(os.path.exists(self.keys))
        mailns("dnssec", "ds", "-c", config, "example.org")
        r = mailns("dnssec", "rollover", "-c", config, "example.org", check=False)
        self.assertEqual(r.returncode, 2)
        self.assertIn("--ksk or --zsk", r.stderr)
        out = mailns("dnssec", "rollover", "-c", config, "example.org", "--zsk").stdout
        self.assertIn("ZSK rollover requested", out)


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("--mailns", required=True)
    p.add_argument("--example", required=True)
    ARGS, rest = p.parse_known_args()
    for tool in ("ldns-verify-zone", "ldns-key2ds"):
        if not shutil.which(tool):
            print("dnssec_test: %s is missing (Debian package ldnsutils)" % tool, file=sys.stderr)
            return 1
    prog = unittest.main(argv=[sys.argv[0]] + rest, exit=False, verbosity=2)
    return 0 if prog.result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
