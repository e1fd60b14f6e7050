#!/usr/bin/env python3
"""DANE with a real SMTP client (issue 17): Postfix's `posttls-finger -l dane`
verifies mail.example.org, published by mailns with only `2 1 1` (DANE-TA:
the intermediate's key; the SMTP server sends leaf + intermediate) and with
only `3 0 1` (DANE-EE: the whole leaf certificate). Everything runs in a
network namespace made for the test, where
- mailns serves the signed example.org on 127.0.0.1:53 (MX mail.example.org,
  A 127.0.0.1, the TLSA records);
- a validating unbound on 127.0.0.2:53 (the MTA-STS test's configuration:
  stub-zone at mailns, the zone's DS as trust anchor) is the resolver of
  /etc/netns/<ns>/resolv.conf, with trust-ad so that the AD bit reaches
  Postfix;
- tests/synth/smtp_starttls_server.py listens on 127.0.0.1:25.
Each case also checks what must fail: the same record against a server that
sends no intermediate (2 1 1), or another certificate (3 0 1). posttls-finger
trusts no CA here (no -P/-F), so "Verified" can only come from DANE. Skips
(with the reason) only when network namespaces cannot be created; everything
made is removed in all cases.
usage: dane_posttls_test.py --mailns PATH"""
import argparse, os, shutil, subprocess, sys, tempfile, time, unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "server", "web"))
from mta_sts_query_test import unbound_config  # noqa: E402  the validating resolver of the MTA-STS test
from netns_harness import NetnsHarness  # noqa: E402

ARGS = None


def sh(*cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, check=True, **kw).stdout


def digest(pem, spki):
    """The TLSA data of a certificate, by the openssl CLI: SHA-256 of its DER or of its SPKI."""
    if spki:
        pub = subprocess.run(["openssl", "x509", "-in", pem, "-pubkey", "-noout"], capture_output=True, check=True).stdout
        der = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "DER"], input=pub, capture_output=True,
                             check=True).stdout
    else:
        der = subprocess.run(["openssl", "x509", "-in", pem, "-outform", "DER"], capture_output=True, check=True).stdout
    return subprocess.run(["openssl", "dgst", "-sha256", "-r"], input=der, capture_output=True,
                          check=True).stdout.split()[0].decode()


def config(cert, forms):
    quoted = ", ".join(f'"{f}"' for f in forms)
    return f"""server: {{ listen: [127.0.0.1:53], threads: 1, watch_files: false, state_dir: state }}
dnssec: {{ enabled: true, key_dir: state/keys }}
mail_domains:
  - domain: example.org
    ttl: 300
    nameservers: [{{ name: ns1.example.org, ipv4: 127.0.0.1 }}]
    mail_hosts: [{{ name: mail.example.org, ipv4: 127.0.0.1, tls: {{ cert: {cert}, tlsa: [{quoted}] }} }}]
"""


class DanePosttlsFinger(NetnsHarness, unittest.TestCase):
    def setUp(self):
        # glibc clears the AD bit unless told to trust the resolver (RFC 6840 5.8).
        self.start_namespace("mailns-dane-posttls", "trust-ad timeout:2 attempts:2")
        for name in ("a", "b"):
            sh(os.path.join(HERE, "make_test_chain.sh"), f"{self.dir}/{name}")
        # posttls-finger reads main.cf from MAIL_CONFIG: ours, not the system's.
        os.makedirs(f"{self.dir}/postfix")
        with open(f"{self.dir}/postfix/main.cf", "w") as f:
            f.write("compatibility_level = 3.6\nsmtp_dns_support_level = dnssec\n")

    def serve_dns(self, cert, forms):
        """mailns with example.org signed, and unbound validating it."""
        d = self.dir
        conf = f"{d}/mailns.yaml"
        with open(conf, "w") as f:
            f.write(config(cert, forms))
        ds = sh(ARGS.mailns, "dnssec", "ds", "-c", conf, "example.org")
        anchors = [" ".join(l.split()) for l in ds.splitlines() if l.split()[3:4] == ["DS"]]
        self.assertTrue(anchors, ds)
        with open(f"{d}/unbound.conf", "w") as f:
            f.write(unbound_config(d, anchors))
        sh("unbound-checkconf", f"{d}/unbound.conf")
        self.spawn("mailns", ARGS.mailns, "serve", "-c", conf)
        self.spawn("unbound", "unbound", "-d", "-c", f"{d}/unbound.conf")
        self.wait_for("a validated answer from unbound", lambda: " ad" in self.dig("+dnssec", "example.org", "SOA"),
                      ["mailns", "unbound"])
        tlsa = self.dig("+short", "_25._tcp.mail.example.org", "TLSA")
        self.assertIn(" ad", self.dig("+dnssec", "_25._tcp.mail.example.org", "TLSA"))
        return sorted(" ".join(l.split()[:3]) + " " + "".join(l.split()[3:]).lower() for l in tlsa.splitlines())

    def serve_smtp(self, cert, key):
        """The SMTP server with cert (a leaf, or leaf + chain); replaces the one running."""
        for p, log in self.procs:
            if "smtp_starttls_server.py" in " ".join(p.args):
                self.stop(p)
                log.close()
        self.procs = [(p, log) for p, log in self.procs if p.poll() is None]
        self.spawn("smtp", sys.executable, os.path.join(HERE, "smtp_starttls_server.py"), "--cert", cert, "--key", key)
        self.wait_for("the SMTP server", lambda: "listening" in self.log_of("smtp"), ["smtp"])
        with open(f"{self.dir}/smtp.log", "w"):
            pass  # the next wait sees only the new server's lines

    def finger(self):
        env = dict(os.environ, MAIL_CONFIG=f"{self.dir}/postfix")
        r = self.in_ns("posttls-finger", "-c", "-l", "dane", "-t", "10", "-T", "10", "example.org", env=env,
                       check=False, timeout=60)
        if os.environ.get("MAILNS_TEST_VERBOSE"):
            print(r.stdout + r.stderr)
        return r.stdout + r.stderr

    def test_two_one_one_with_the_chain_served(self):
        a = f"{self.dir}/a"
        published = self.serve_dns(f"{a}/fullchain.pem", ["2 1 1"])
        self.assertEqual(published, ["2 1 1 " + digest(f"{a}/intermediate.pem", spki=True)])
        self.serve_smtp(f"{a}/fullchain.pem", f"{a}/leaf.key")
        out = self.finger()
        self.assertIn("Matched DANE TA certificate at depth 1: 2 1 1", out, out + self.log_of("smtp"))
        self.assertIn("Verified TLS connection established to mail.example.org[127.0.0.1]:25", out, out)
        # DANE-TA needs the issuer in the chain the server sends.
        self.serve_smtp(f"{a}/leaf.pem", f"{a}/leaf.key")
        out = self.finger()
        self.assertIn("no matching DANE TLSA records", out, out)
        self.assertNotIn("Verified TLS connection", out)
        self.assertIn("Untrusted TLS connection established", out)

    def test_three_zero_one(self):
        a, b = f"{self.dir}/a", f"{self.dir}/b"
        published = self.serve_dns(f"{a}/fullchain.pem", ["3 0 1"])
        self.assertEqual(published, ["3 0 1 " + digest(f"{a}/leaf.pem", spki=False)])
        self.serve_smtp(f"{a}/leaf.pem", f"{a}/leaf.key")
        out = self.finger()
        self.assertIn("Matched DANE EE certificate at depth 0: 3 0 1", out, out + self.log_of("smtp"))
        self.assertIn("Verified TLS connection established to mail.example.org[127.0.0.1]:25", out, out)
        # Another certificate for the same name matches nothing.
        self.serve_smtp(f"{b}/fullchain.pem", f"{b}/leaf.key")
        out = self.finger()
        self.assertIn("no matching DANE TLSA records", out, out)
        self.assertNotIn("Verified TLS connection", out)
        self.assertIn("Untrusted TLS connection established", out)


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("--mailns", required=True)
    ARGS, rest = p.parse_known_args()
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)


if __name__ == "__main__":
    main()
