#!/usr/bin/env python3
"""DNSSEC answers (zone/denial_proof, the encoder's RRSIGs) checked by a real
validator: a zone signed with ldns-signzone (NSEC, and NSEC3 with no salt and
0 iterations) is served by mailns from a master file, and delv, with the
zone's KSK as trust anchor, must fully validate positive answers, wildcard
expansions, DANE TLSA, NXDOMAIN, NODATA (ENTs included) and DS/no-DS at
cuts. Referrals are checked with dig only: delv would follow them to the
delegated servers' (non-loopback) addresses. DO=0 answers carry no DNSSEC
records. Loopback only.
usage: dnssec_answers_test.py --mailns PATH --zone tests/zone/data/signed-base.zone"""
import argparse, os, re, shutil, socket, subprocess, sys, tempfile, time, unittest

ARGS = None

POSITIVE = ["example.org MX", "example.org TXT", "foo._domainkey.example.org TXT", "x.wcname.example.org A",
            "_25._tcp.mail.example.org TLSA", "a.b.wild.example.org A", "sub.example.org DS",
            "mta-sts.example.org A", "example.org DNSKEY", "mail.example.org AAAA"]
NEGATIVE = ["nx.example.org A", "_domainkey.example.org TXT", "foo._domainkey.example.org A",
            "mail.example.org TXT", "_tcp.mail.example.org TLSA", "insecure.example.org DS",
            "x.mail.example.org A", "x.202404e._domainkey.example.org TXT", "zzz.example.org A",
            "a.wild.example.org AAAA", "example.org CAA"]


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


class Signed:
    """nsec3: False/True signs with ldns-signzone (NSEC/NSEC3) and serves the
    presigned file; a string ("nsec3", "compact") lets mailns sign online
    with that denial mode and takes the anchor from `mailns dnssec ds`."""

    def __init__(self, nsec3):
        self.dir = tempfile.mkdtemp(prefix="mailns-dnssec-")
        zone = os.path.join(self.dir, "example.org.zone")
        shutil.copy(ARGS.zone, zone)
        if isinstance(nsec3, str):
            conf = os.path.join(self.dir, "mailns.yaml")
            with open(conf, "w") as f:
                f.write("server: { threads: 1 }\ndnssec: { enabled: true, denial: %s, key_dir: %s/keys }\n"
                        "zones:\n  - { origin: example.org, file: %s }\n" % (nsec3, self.dir, zone))
            ds = subprocess.run([ARGS.mailns, "dnssec", "ds", "-c", conf, "example.org"], capture_output=True,
                                text=True, check=True).stdout
            pub = [l.split() for l in ds.splitlines() if "\tDNSKEY\t" in l][0][7]
            self.start(conf, pub)
            return
        key = subprocess.run(["ldns-keygen", "-a", "ECDSAP256SHA256", "-k", "example.org"], cwd=self.dir,
                             capture_output=True, text=True, check=True).stdout.strip()
        args = ["ldns-signzone", "-o", "example.org", "-f", zone + ".signed"]
        if nsec3:
            args += ["-n", "-t", "0"]
        subprocess.run(args + [zone, key], cwd=self.dir, check=True, capture_output=True)
        with open(os.path.join(self.dir, key + ".key")) as f:
            dnskey = [l for l in f if "DNSKEY" in l and not l.startswith(";")][0]
        pub = dnskey.split()[6]
        conf = os.path.join(self.dir, "mailns.yaml")
        with open(conf, "w") as f:
            f.write("server: { threads: 1 }\nzones:\n  - { origin: example.org, file: %s.signed }\n" % zone)
        self.start(conf, pub)

    def start(self, conf, pub):
        self.anchors = os.path.join(self.dir, "anchors.conf")
        with open(self.anchors, "w") as f:
            f.write('trust-anchors { example.org. static-key 257 3 13 "%s"; };\n' % pub)
        # A port found free can be taken by another test (ctest -j2) before
        # mailns binds it: mailns then refuses to start, and another is tried.
        for _ in range(5):
            if self.try_start(conf):
                return
        raise RuntimeError("mailns found each of 5 free ports taken before it could bind it")

    def try_start(self, conf):
        self.port = free_port()
        self.proc = subprocess.Popen([ARGS.mailns, "serve", "-c", conf, "--listen", "127.0.0.1:%d" % self.port],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        # Up to 30 s: creating keys ends with syncfs, which waits for every
        # write pending on the file system (slow while other tests run).
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                err = self.proc.stderr.read().decode(errors="replace")
                self.proc.stderr.close()
                if "is already served by another process" in err:
                    return False
                raise RuntimeError("mailns exited: " + err[-2000:])
            if "status: NOERROR" in self.dig("example.org", "SOA"):
                return True
            time.sleep(0.05)
        raise RuntimeError("mailns did not answer within 30 s")

    # A query lost while the machine is loaded (ctest -j2) is asked again,
    # as a resolver would: at most 3 tries, and what the last one said.
    def dig(self, *q):
        for _ in range(3):
            out = subprocess.run(["dig", "@127.0.0.1", "-p", str(self.port), "+norec", "+time=2", "+tries=1", *q],
                                 capture_output=True, text=True).stdout
            if "status:" in out:
                break
        return out

    def delv(self, name, qtype):
        for _ in range(3):
            r = subprocess.run(["delv", "-a", self.anchors, "+root=example.org", "@127.0.0.1", "-p",
                                str(self.port), name, qtype], capture_output=True, text=True, timeout=30)
            if "timed out" not in r.stdout + r.stderr:
                break
        return r

    def close(self):
        self.proc.terminate()
        self.proc.wait(timeout=5)
        shutil.rmtree(self.dir, ignore_errors=True)


class Base:
    nsec3 = False

    @classmethod
    def setUpClass(cls):
        cls.s = Signed(cls.nsec3)

    @classmethod
    def tearDownClass(cls):
        cls.s.close()

    def test_positive_answers_validate(self):
        for q in POSITIVE:
            r = self.s.delv(*q.split())
            self.assertIn("; fully validated", r.stdout + r.stderr, q + "\n" + r.stdout + r.stderr)

    def test_negative_answers_validate(self):
        for q in NEGATIVE:
            r = self.s.delv(*q.split())
            self.assertIn("; negative response, fully validated", r.stdout + r.stderr, q + "\n" + r.stdout + r.stderr)

    def test_secure_referral_carries_signed_ds(self):
        out = self.s.dig("+dnssec", "www.sub.example.org", "A")
        auth = out.split("AUTHORITY SECTION:")[1].split("\n\n")[0]
        self.assertRegex(auth, r"sub\.example\.org\.\s+\d+\s+IN\s+DS\s")
        self.assertRegex(auth, r"sub\.example\.org\.\s+\d+\s+IN\s+RRSIG\s+DS\s")
        self.assertIn("flags: qr;", out)  # a referral: not authoritative

    def test_insecure_referral_proves_no_ds(self):
        out = self.s.dig("+dnssec", "www.insecure.example.org", "A")
        auth = out.split("AUTHORITY SECTION:")[1].split("\n\n")[0]
        self.assertNotRegex(auth, r"\sDS\s")
        self.assertRegex(auth, r"\sIN\s+NSEC3?\s")
        self.assertRegex(auth, r"\sRRSIG\s+NSEC3?\s")

    def test_no_dnssec_records_without_do(self):
        for q in ["example.org MX", "nx.example.org A", "www.sub.example.org A"]:
            out = self.s.dig(*q.split())
            self.assertNotRegex(out, r"\sIN\s+(RRSIG|NSEC|NSEC3)\s", q)


class Nsec(Base, unittest.TestCase):
    nsec3 = False


class Nsec3(Base, unittest.TestCase):
    nsec3 = True


class MailnsSignedNsec3(Base, unittest.TestCase):
    nsec3 = "nsec3"


class MailnsSignedCompact(Base, unittest.TestCase):
    """RFC 9824: names that do not exist are NODATA with an NSEC whose bitmap
    holds NXNAME, signed at query time; delv validates them as negative."""
    nsec3 = "compact"

    def test_nxdomain_is_nodata_with_nxname(self):
        out = self.s.dig("+dnssec", "nx.example.org", "A")
        self.assertIn("status: NOERROR", out)
        self.assertRegex(out, r"nx\.example\.org\.\s+\d+\s+IN\s+NSEC\s+\\000\.nx\.example\.org\. RRSIG NSEC TYPE128")
        plain = self.s.dig("nx.example.org", "A")
        self.assertIn("status: NXDOMAIN", plain)  # without DO: a plain NXDOMAIN


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--mailns", required=True)
    p.add_argument("--zone", required=True)
    ARGS, rest = p.parse_known_args()
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)
