#!/usr/bin/env python3
"""TLSA rollover through reloads (issue 7): a certificate renewed onto the key
that was published ahead as tls.next_key is a clean rollover; a certificate
with a key that was never published is reported loudly (DANE broken until the
TLSA TTL passes) and its record is published at once. `mailns tlsa status`
shows which published record matches which file. Loopback only.
usage: tlsa_rollover_test.py --mailns PATH"""
import argparse, os, shutil, socket, subprocess, sys, tempfile, time, unittest

ARGS = None


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def sh(*cmd):
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout


def spki_hex(path, is_cert):
    if is_cert:
        pub = subprocess.run(["openssl", "x509", "-in", path, "-pubkey", "-noout"], capture_output=True, check=True).stdout
        der = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "DER"], input=pub, capture_output=True, check=True).stdout
    else:
        der = subprocess.run(["openssl", "pkey", "-in", path, "-pubout", "-outform", "DER"], capture_output=True, check=True).stdout
    import hashlib
    return hashlib.sha256(der).hexdigest()



def tlsa_answer(port):
    """dig +short of the mail host's TLSA RRset; asked again (at most 3 tries)
    when no reply came (dig exits 9), as happens on a loaded machine."""
    for _ in range(3):
        r = subprocess.run(["dig", "@127.0.0.1", "-p", str(port), "+short", "+time=1", "+tries=1",
                            "_25._tcp.mail.example.org", "TLSA"], capture_output=True, text=True)
        if r.returncode != 9:
            break
    return r.stdout

class TlsaRollover(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="mailns-tlsa-")
        d = self.dir
        for k in ("a", "b", "c"):
            sh("openssl", "genpkey", "-algorithm", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", f"{d}/{k}.key")
            sh("openssl", "req", "-new", "-x509", "-key", f"{d}/{k}.key", "-out", f"{d}/{k}.pem", "-days", "30",
               "-subj", "/CN=mail.example.org")
        shutil.copy(f"{d}/a.pem", f"{d}/mail.pem")
        shutil.copy(f"{d}/b.key", f"{d}/next.key")
        self.port = free_port()
        self.conf = f"{d}/mailns.yaml"
        with open(self.conf, "w") as f:
            f.write(f"""server: {{ listen: [127.0.0.1:{self.port}], threads: 1, watch_files: false }}
mail_domains:
  - domain: example.org
    ttl: 300
    nameservers: [{{ name: ns1.example.org, ipv4: 192.0.2.53 }}]
    mail_hosts: [{{ name: mail.example.org, ipv4: 192.0.2.10, tls: {{ cert: mail.pem, next_key: next.key }} }}]
""")
        self.log = open(f"{d}/serve.log", "w")
        self.proc = subprocess.Popen([ARGS.mailns, "serve", "-c", self.conf], stdout=self.log, stderr=self.log)
        deadline = time.time() + 30  # a loaded machine (ctest -j) starts slowly
        while not self.tlsa() and time.time() < deadline and self.proc.poll() is None:
            time.sleep(0.05)

    def tearDown(self):
        self.proc.terminate()
        self.proc.wait(timeout=5)
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def tlsa(self):
        out = tlsa_answer(self.port)
        return sorted(l.split()[3].lower() + (l.split()[4].lower() if len(l.split()) > 4 else "")
                      for l in out.splitlines() if l.startswith("3 1 1"))

    def reload(self):
        return subprocess.run([ARGS.mailns, "reload", "-c", self.conf], capture_output=True, text=True, timeout=60)

    def status(self):
        return subprocess.run([ARGS.mailns, "tlsa", "status", "-c", self.conf], capture_output=True, text=True)

    def test_rollover_onto_next_key_then_unannounced_key(self):
        a, b, c = (spki_hex(f"{self.dir}/{k}.pem", True) for k in "abc")
        self.assertEqual(self.tlsa(), sorted([a, b]))
        st = self.status()
        self.assertEqual(st.returncode, 0, st.stdout + st.stderr)
        self.assertIn(a + "  matches the certificate", st.stdout)
        self.assertIn(b + "  matches the next key", st.stdout)

        # Renewal onto the pre-published key: clean rollover, next key now none.
        shutil.copy(f"{self.dir}/b.pem", f"{self.dir}/mail.pem")
        shutil.copy(f"{self.dir}/b.key", f"{self.dir}/next.key")
        r = self.reload()
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("TLSA rollover", r.stdout)
        self.assertNotIn("DANE IS BROKEN", r.stdout)
        self.assertEqual(self.tlsa(), [b])

        # A certificate on a key nobody announced: loud warning, published at once.
        shutil.copy(f"{self.dir}/c.pem", f"{self.dir}/mail.pem")
        r = self.reload()
        self.assertIn("DANE IS BROKEN until the TLSA TTL (300 s) passes", r.stdout)
        self.assertIn(c, self.tlsa())
        st = self.status()
        self.assertIn(c + "  matches the certificate", st.stdout)


class IssuerPinnedRenewal(unittest.TestCase):
    """A host that publishes only 2 1 1 (the intermediate's key, issue 17):
    a renewal on a new key from the same intermediate changes no record, so
    the reload must not cry DANE IS BROKEN, and `tlsa status` (3 1 1 only)
    does not list the host as broken."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="mailns-tlsa-ta-")
        d = self.dir
        chain = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "synth", "make_test_chain.sh")
        sh(chain, d)
        self.port = free_port()
        self.conf = f"{d}/mailns.yaml"
        with open(self.conf, "w") as f:
            f.write(f"""server: {{ listen: [127.0.0.1:{self.port}], threads: 1, watch_files: false }}
mail_domains:
  - domain: example.org
    ttl: 300
    nameservers: [{{ name: ns1.example.org, ipv4: 192.0.2.53 }}]
    mail_hosts: [{{ name: mail.example.org, ipv4: 192.0.2.10, tls: {{ cert: fullchain.pem, tlsa: ["2 1 1"] }} }}]
""")
        self.log = open(f"{d}/serve.log", "w")
        self.proc = subprocess.Popen([ARGS.mailns, "serve", "-c", self.conf], stdout=self.log, stderr=self.log)
        deadline = time.time() + 30  # a loaded machine (ctest -j) starts slowly
        while not self.tlsa() and time.time() < deadline and self.proc.poll() is None:
            time.sleep(0.1)

    def tearDown(self):
        self.proc.terminate()
        self.proc.wait(timeout=5)
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def tlsa(self):
        out = tlsa_answer(self.port)
        return sorted(" ".join(l.split()[:3]) + " " + "".join(l.split()[3:]).lower() for l in out.splitlines())

    def test_renewal_on_a_new_key_from_the_same_issuer(self):
        d = self.dir
        pinned = ["2 1 1 " + spki_hex(f"{d}/intermediate.pem", True)]
        self.assertEqual(self.tlsa(), pinned)
        # The renewed certificate: a new key, signed by the same intermediate.
        sh("openssl", "genpkey", "-algorithm", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", f"{d}/new.key")
        sh("openssl", "req", "-new", "-key", f"{d}/new.key", "-subj", "/CN=mail.example.org", "-out", f"{d}/new.csr")
        sh("openssl", "x509", "-req", "-in", f"{d}/new.csr", "-CA", f"{d}/intermediate.pem", "-CAkey",
           f"{d}/intermediate.key", "-CAcreateserial", "-days", "30", "-extfile", f"{d}/leaf.ext", "-out", f"{d}/new.pem")
        with open(f"{d}/fullchain.pem", "w") as f:
            f.write(open(f"{d}/new.pem").read() + open(f"{d}/intermediate.pem").read())
        r = subprocess.run([ARGS.mailns, "reload", "-c", self.conf], capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertNotIn("DANE IS BROKEN", r.stdout + r.stderr)
        self.assertEqual(self.tlsa(), pinned)
        st = subprocess.run([ARGS.mailns, "tlsa", "status", "-c", self.conf], capture_output=True, text=True)
        self.assertEqual(st.returncode, 0, st.stdout + st.stderr)
        self.assertNotIn("DANE IS BROKEN", st.stdout)


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--mailns", required=True)
    ARGS, rest = p.parse_known_args()
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)
