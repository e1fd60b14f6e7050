#!/usr/bin/env python3
"""Live checks of the synthesized example (conf/example.yaml) through the real
server on a loopback port: ENT NODATA for _domainkey, the long RSA DKIM TXT
complete over UDP with EDNS 1232 and via TC + TCP without EDNS, the DKIM keys
accepted by opendkim-testkey (Debian opendkim-tools) through an unbound
stub-zone, the exported zones accepted by kzonecheck, and the MTA-STS id
matching the policy file. Then seed 003's small domain (MX, SPF, DKIM, DMARC,
no certificate, no mta_sts): it passes check-config, is served and publishes
no MTA-STS; `dnssec ds` for a domain that is not served; check-config's
wording on a copy of the shipped example before its first start.
usage: live_test.py --mailns PATH --conf conf/example.yaml"""
import argparse, base64, hashlib, os, shutil, socket, subprocess, sys, tempfile, time, unittest

import dns.flags, dns.message, dns.query, dns.rcode, dns.rdatatype

ARGS = None


def free_port():
    for _ in range(50):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        t = socket.socket()
        try:
            t.bind(("127.0.0.1", port))
            return port
        except OSError:
            continue
        finally:
            t.close()
    raise RuntimeError("no free port")


def openssl(*args, stdin=None):
    return subprocess.run(["openssl", *args], input=stdin, capture_output=True, check=True).stdout


class Served(unittest.TestCase):
    """`mailns serve -c conf` on a free loopback port for the whole class."""

    @classmethod
    def serve(cls, conf, zone):
        cls.port = free_port()
        cls.proc = subprocess.Popen([ARGS.mailns, "serve", "-c", conf, "--listen", "127.0.0.1:%d" % cls.port],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                cls.ask(zone, "SOA")
                return
            except Exception:
                time.sleep(0.1)
        cls.proc.kill()
        raise RuntimeError("mailns did not start: " + cls.proc.stderr.read().decode())

    @classmethod
    def tearDownClass(cls):
        cls.proc.terminate()
        try:
            cls.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            cls.proc.kill()

    @classmethod
    def ask(cls, name, qtype, edns=0, payload=1232, tcp=False):
        q = dns.message.make_query(name, qtype, use_edns=edns, payload=payload)
        if tcp:
            return dns.query.tcp(q, "127.0.0.1", port=cls.port, timeout=2)
        # Raw exchange so a TC=1 answer is returned as it is.
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.settimeout(2)
            s.sendto(q.to_wire(), ("127.0.0.1", cls.port))
            wire, _ = s.recvfrom(65535)
        return dns.message.from_wire(wire, ignore_trailing=True, one_rr_per_rrset=False)


class Live(Served):
    @classmethod
    def setUpClass(cls):
        cls.conf_dir = os.path.dirname(os.path.abspath(ARGS.conf))
        cls.serve(ARGS.conf, "example.org")

    def rsa_p(self):
        der = openssl("pkey", "-in", os.path.join(self.conf_dir, "keys/dkim-rsa.pem"), "-pubout", "-outform", "DER")
        return base64.b64encode(der).decode()

    def test_domainkey_ent_is_nodata(self):
        r = self.ask("_domainkey.example.org", "TXT")
        self.assertEqual(r.rcode(), dns.rcode.NOERROR)
        self.assertTrue(r.flags & dns.flags.AA)
        self.assertEqual(len(r.answer), 0)
        self.assertEqual([rr.rdtype for rr in r.authority], [dns.rdatatype.SOA])

    def test_long_rsa_dkim_complete_over_udp_1232(self):
        r = self.ask("202404r._domainkey.example.org", "TXT", edns=0, payload=1232)
        self.assertFalse(r.flags & dns.flags.TC)
        txt = b"".join(r.answer[0][0].strings).decode()
        self.assertEqual(txt, "v=DKIM1; k=rsa; h=sha256; p=" + self.rsa_p())
        self.assertTrue(all(len(s) <= 255 for s in r.answer[0][0].strings))

    def test_long_rsa_dkim_without_edns_complete_or_tc_then_tcp(self):
        # A 2048-bit key's TXT (about 410 octets) still fits in 512: complete.
        # Anything larger must come with TC=1 and then complete over TCP.
        r = self.ask("202404r._domainkey.example.org", "TXT", edns=-1)
        if not r.flags & dns.flags.TC:
            self.assertEqual(b"".join(r.answer[0][0].strings).decode(),
                             "v=DKIM1; k=rsa; h=sha256; p=" + self.rsa_p())
        t = self.ask("202404r._domainkey.example.org", "TXT", edns=-1, tcp=True)
        self.assertFalse(t.flags & dns.flags.TC)
        self.assertEqual(b"".join(t.answer[0][0].strings).decode(), "v=DKIM1; k=rsa; h=sha256; p=" + self.rsa_p())

    def test_ed25519_dkim_matches_the_key(self):
        der = openssl("pkey", "-in", os.path.join(self.conf_dir, "keys/dkim-ed25519.pem"), "-pubout", "-outform", "DER")
        r = self.ask("202404e._domainkey.example.org", "TXT")
        txt = b"".join(r.answer[0][0].strings).decode()
        self.assertEqual(txt, "v=DKIM1; k=ed25519; h=sha256; p=" + base64.b64encode(der[-32:]).decode())

    def opendkim_testkey(self, selector, key):
        with tempfile.TemporaryDirectory() as d:
            ub = os.path.join(d, "unbound.conf")
            with open(ub, "w") as f:
                f.write('server:\n  do-not-query-localhost: no\n  module-config: "iterator"\n'
                        'stub-zone:\n  name: "example.org"\n  stub-addr: 127.0.0.1@%d\n' % self.port)
            conf = os.path.join(d, "opendkim.conf")
            with open(conf, "w") as f:
                f.write("ResolverConfiguration %s\n" % ub)
            return subprocess.run(["opendkim-testkey", "-d", "example.org", "-s", selector, "-k", key, "-x", conf,
                                   "-vvv"], capture_output=True, text=True, timeout=30)

    def test_opendkim_testkey_accepts_the_rsa_key(self):
        r = self.opendkim_testkey("202404r", os.path.join(self.conf_dir, "keys/dkim-rsa.pem"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("key OK", r.stdout + r.stderr)

    def test_opendkim_testkey_rejects_another_key(self):
        with tempfile.TemporaryDirectory() as d:
            other = os.path.join(d, "other.pem")
            openssl("genpkey", "-algorithm", "rsa", "-pkeyopt", "rsa_keygen_bits:2048", "-out", other)
            r = self.opendkim_testkey("202404r", other)
            self.assertNotEqual(r.returncode, 0)
            self.assertIn("keys do not match", r.stdout + r.stderr)

    # opendkim-testkey 2.11 (Debian 12) cannot load Ed25519 private keys
    # ("EVP_PKEY_get1_RSA() failed"); test_ed25519_dkim_matches_the_key
    # checks that selector against openssl instead.

    def test_exported_zones_pass_kzonecheck(self):
        for origin in ["example.org", "parked.example", "2.0.192.in-addr.arpa", "8.b.d.0.1.0.0.2.ip6.arpa"]:
            out = subprocess.run([ARGS.mailns, "zone", "export", "-c", ARGS.conf, origin], capture_output=True,
                                 text=True, check=True).stdout
            with tempfile.NamedTemporaryFile("w", suffix=".zone") as f:
                f.write(out)
                f.flush()
                r = subprocess.run(["kzonecheck", "-o", origin, f.name], capture_output=True, text=True)
                self.assertEqual(r.returncode, 0, origin + ": " + r.stdout + r.stderr)

    def test_mta_sts_id_is_derived_from_the_policy(self):
        policy = subprocess.run([ARGS.mailns, "mta-sts", "policy", "-c", ARGS.conf, "example.org"],
                                capture_output=True, check=True).stdout
        self.assertEqual(policy, b"version: STSv1\r\nmode: enforce\r\nmx: mail.example.org\r\nmax_age: 604800\r\n")
        want = "%020d" % int.from_bytes(hashlib.sha256(policy).digest()[:8], "big")
        r = self.ask("_mta-sts.example.org", "TXT")
        self.assertEqual(b"".join(r.answer[0][0].strings).decode(), "v=STSv1; id=" + want)

    def test_ptr_for_the_mail_host(self):
        r = self.ask("10.2.0.192.in-addr.arpa", "PTR")
        self.assertEqual(r.answer[0][0].target.to_text(), "mail.example.org.")


SMALL_DOMAIN = """\
mail_domains:
  - domain: example.com
    nameservers: [{ name: ns1.example.net }, { name: ns2.example.net }]
    mail_hosts: [{ name: mail.example.com, priority: 10, ipv4: 192.0.2.25 }]
    spf: { mechanisms: [], ip4: [192.0.2.25], all: fail }
    dkim: [{ selector: s1, key: %s }]
    dmarc: { policy: none, rua: [dmarc@example.com] }
"""


def mailns(*args):
    return subprocess.run([ARGS.mailns, *args], capture_output=True, text=True, timeout=60)


def assert_fails_saying(test, r, *fragments):
    """Exit status 1, nothing on stdout, every fragment on stderr."""
    test.assertEqual(r.returncode, 1, r.stderr)
    test.assertEqual(r.stdout, "")
    for f in fragments:
        test.assertIn(f, r.stderr)


class SmallDomain(Served):
    """Seed 003's "7 records" domain as its operator would declare it."""

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="mailns-small-")
        cls.conf = os.path.join(cls.dir, "small.yaml")
        key = os.path.join(os.path.dirname(os.path.abspath(ARGS.conf)), "keys/dkim-rsa.pem")
        with open(cls.conf, "w") as f:
            f.write(SMALL_DOMAIN % key)
        cls.serve(cls.conf, "example.com")

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def test_check_config_passes_without_a_finding(self):
        r = mailns("check-config", "-c", self.conf)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr, "")
        self.assertIn("OK: 1 zone (example.com. serial", r.stdout)

    def test_served_with_its_records_and_no_mta_sts(self):
        mx = self.ask("example.com", "MX")
        self.assertEqual([rr.exchange.to_text() for rr in mx.answer[0]], ["mail.example.com."])
        txt = self.ask("example.com", "TXT")
        self.assertIn(b"v=spf1 ip4:192.0.2.25 -all", [b"".join(rr.strings) for rr in txt.answer[0]])
        self.assertEqual(len(self.ask("s1._domainkey.example.com", "TXT").answer), 1)
        self.assertEqual(len(self.ask("_dmarc.example.com", "TXT").answer), 1)
        for name, qtype in (("_mta-sts.example.com", "TXT"), ("mta-sts.example.com", "CNAME"),
                            ("mta-sts.example.com", "A")):
            r = self.ask(name, qtype)
            self.assertEqual(r.rcode(), dns.rcode.NXDOMAIN, name + "\n" + r.to_text())
        export = mailns("zone", "export", "-c", self.conf, "example.com")
        self.assertEqual(export.returncode, 0, export.stderr)
        self.assertNotIn("mta-sts", export.stdout)

    def test_mta_sts_policy_says_none_is_declared(self):
        r = mailns("mta-sts", "policy", "-c", self.conf, "example.com")
        assert_fails_saying(self, r, "example.com declares no mta_sts", "mta_sts: { mode: testing }")


class DsOfUnservedDomain(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="mailns-ds-")
        self.keys = os.path.join(self.dir, "keys")
        key = os.path.join(os.path.dirname(os.path.abspath(ARGS.conf)), "keys/dkim-rsa.pem")
        self.conf = os.path.join(self.dir, "c.yaml")
        with open(self.conf, "w") as f:
            f.write("dnssec: { enabled: true, key_dir: keys }\n" + SMALL_DOMAIN % key +
                    "  - domain: broken.example\n    nameservers: [{ name: ns1.example.net }]\n"
                    "    mail_hosts: [{ name: mail.broken.example }]\n")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def test_unknown_domain(self):
        r = mailns("dnssec", "ds", "-c", self.conf, "nowhere.example")
        assert_fails_saying(self, r, "serves no zone nowhere.example. (its zones: example.com., broken.example.)")
        self.assertFalse(os.path.exists(self.keys))

    def test_domain_left_out_for_its_errors(self):
        r = mailns("dnssec", "ds", "-c", self.conf, "broken.example")
        assert_fails_saying(self, r, "broken.example. is not served because of these errors",
                            "error: broken.example: mail host mail.broken.example has no address")
        self.assertNotIn("example.com:", r.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.keys, "broken.example")))
        # The domain without errors still gets its DS.
        ok = mailns("dnssec", "ds", "-c", self.conf, "example.com")
        self.assertEqual(ok.returncode, 0, ok.stderr)
        self.assertIn("\tDS\t", ok.stdout)


class ShippedExampleBeforeItsFirstStart(unittest.TestCase):
    def test_check_config_says_the_keys_come_with_the_first_serve(self):
        with tempfile.TemporaryDirectory(prefix="mailns-example-") as d:
            conf_dir = os.path.join(d, "conf")
            shutil.copytree(os.path.dirname(os.path.abspath(ARGS.conf)), conf_dir,
                            ignore=shutil.ignore_patterns("state"))
            r = mailns("check-config", "-c", os.path.join(conf_dir, os.path.basename(ARGS.conf)))
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("example.org.: publishes 1 TLSA RRset (_25._tcp.mail.example.org.) for DANE, which needs "
                          "a signed zone (RFC 7672 2.2): DNSSEC is enabled but the zone has no keys yet "
                          "(`mailns serve` creates them on its first start, `mailns dnssec ds` before it); until "
                          "then its TLSA records are checked unsigned", r.stderr)
            self.assertNotIn("set dnssec: { enabled: true }", r.stderr)
            self.assertNotIn(": error:", r.stderr)
            self.assertFalse(os.path.exists(os.path.join(conf_dir, "state")))


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--mailns", required=True)
    p.add_argument("--conf", required=True)
    ARGS, rest = p.parse_known_args()
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)
