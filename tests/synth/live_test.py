#!/usr/bin/env python3
"""Live checks of the synthesized example (conf/example.yaml) through the real
server on a loopback port: ENT NODATA for _domainkey, the long RSA DKIM TXT
complete over UDP with EDNS 1232 and via TC + TCP without EDNS, the DKIM keys
accepted by opendkim-testkey (Debian opendkim-tools) through an unbound
stub-zone, the exported zones accepted by kzonecheck, and the MTA-STS id
matching the policy file.
usage: live_test.py --mailns PATH --conf conf/example.yaml"""
import argparse, base64, hashlib, os, socket, subprocess, sys, tempfile, time, unittest

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


class Live(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.port = free_port()
        cls.conf_dir = os.path.dirname(os.path.abspath(ARGS.conf))
        cls.proc = subprocess.Popen([ARGS.mailns, "serve", "-c", ARGS.conf, "--listen", "127.0.0.1:%d" % cls.port],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                cls.ask("example.org", "SOA")
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


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--mailns", required=True)
    p.add_argument("--conf", required=True)
    ARGS, rest = p.parse_known_args()
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)
