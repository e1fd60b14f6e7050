#!/usr/bin/env python3
"""Never dark (issue 12): every published version of every zone is kept in
state_dir/zones; a zone whose declaration or files break is served from its
last good version, after a restart too (same serial, same records, still
signed), and served anew once the files are fixed. Only a zone that never had
a good version is left out. check-config exits non-zero and names the file.
Loopback only (127.0.0.1).
usage: never_dark_test.py --mailns PATH"""
import argparse, json, os, shutil, socket, subprocess, sys, tempfile, time, unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from loopback import free_port  # noqa: E402

ARGS = None
NAMES = [("example.org", "SOA"), ("example.org", "MX"), ("example.org", "TXT"), ("s1._domainkey.example.org", "TXT"),
         ("_dmarc.example.org", "TXT"), ("mail.example.org", "A"), ("www.example.net", "A"), ("example.net", "SOA")]



def sh(*cmd):
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout


def archived_soa_serial(path):
    """The SOA serial of a zone archived in mailns's wire form (zone/zone_wire.hpp): "MLNSZON1", the
    origin, a record count, then the SOA record first (its RDATA: MNAME, RNAME, SERIAL, ...)."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:8] == b"MLNSZON1", data[:8]

    def skip_name(at):  # an uncompressed wire name
        while data[at]:
            at += data[at] + 1
        return at + 1
    at = 8 + 1 + data[8] + 4  # the origin, the count
    at += 1 + data[at]  # the SOA record's owner
    kind = int.from_bytes(data[at:at + 2], "big")
    assert kind == 6, kind
    at = skip_name(skip_name(at + 2 + 4 + 2))  # type, TTL, RDLENGTH; then MNAME, RNAME
    return int.from_bytes(data[at:at + 4], "big")


class NeverDark(unittest.TestCase):
    def setUp(self):
        self.dir = d = tempfile.mkdtemp(prefix="mailns-never-dark-")
        sh("openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", f"{d}/s1.pem")
        shutil.copy(f"{d}/s1.pem", f"{d}/s1.pem.saved")
        with open(f"{d}/example.net.zone", "w") as f:
            f.write(self.net_zone(7))
        self.port = free_port()
        self.conf = f"{d}/mailns.yaml"
        with open(self.conf, "w") as f:
            f.write(f"""server: {{ listen: [127.0.0.1:{self.port}], threads: 1, watch_files: false, state_dir: state }}
dnssec: {{ enabled: true, algorithm: ecdsap256sha256, keys: csk, denial: nsec3, key_dir: state/keys }}
zones:
  - {{ origin: example.net, file: example.net.zone }}
mail_domains:
  - domain: example.org
    ttl: 300
    nameservers: [{{ name: ns1.example.org, ipv4: 192.0.2.53 }}]
    mail_hosts: [{{ name: mail.example.org, ipv4: 192.0.2.10 }}]
    dkim: [{{ selector: s1, key: s1.pem }}]
    dmarc: {{ policy: none, rua: [postmaster@example.org] }}
    mta_sts: {{ mode: testing }}
""")
        self.proc = None
        self.log_path = f"{d}/serve.log"

    def tearDown(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    @staticmethod
    def net_zone(serial, broken=False):
        return ("$ORIGIN example.net.\n"
                f"@ 300 IN SOA ns1 hostmaster {serial} 7200 3600 1209600 300\n"
                "@ 300 IN NS ns1\n"
                "ns1 300 IN A 192.0.2.53\n"
                "www 300 IN A 192.0.2.80\n" + ("www 300 IN CNAME elsewhere.example.\n" if broken else ""))

    def start(self):
        self.log = open(self.log_path, "a")
        self.proc = subprocess.Popen([ARGS.mailns, "serve", "-c", self.conf], stdout=self.log, stderr=self.log)
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                with open(self.log_path) as f:
                    self.fail("mailns serve exited with %d:\n%s" % (self.proc.returncode, f.read()))
            if self.query("example.org", "SOA") and self.query("example.net", "SOA"):
                return
            time.sleep(0.1)
        with open(self.log_path) as f:
            self.fail("mailns did not answer for both zones:\n" + f.read())

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        if self.proc:
            self.log.close()
        self.proc = None

    def query(self, name, qtype, dnssec=False):
        cmd = ["dig", "@127.0.0.1", "-p", str(self.port), "+time=1", "+tries=1", "+norec", "+noall", "+answer",
               name, qtype] + (["+dnssec"] if dnssec else [])
        out = subprocess.run(cmd, capture_output=True, text=True).stdout
        return sorted(l for l in out.splitlines() if l and not l.startswith(";"))

    def answers(self):
        return {f"{n} {t}": self.query(n, t) for n, t in NAMES}

    def serial(self, zone):
        return int(self.query(zone, "SOA")[0].split()[6])

    def check_config(self):
        return subprocess.run([ARGS.mailns, "check-config", "-c", self.conf], capture_output=True, text=True)

    def reload(self):
        return subprocess.run([ARGS.mailns, "reload", "-c", self.conf], capture_output=True, text=True, timeout=60)

    def test_broken_files_keep_the_last_good_version_across_restarts(self):
        self.start()
        good = self.answers()
        self.assertTrue(good["s1._domainkey.example.org TXT"], good)
        serial_org, serial_net = self.serial("example.org"), self.serial("example.net")
        self.stop()
        self.assertTrue(os.path.exists(f"{self.dir}/state/zones/example.org.zone"))
        self.assertTrue(os.path.exists(f"{self.dir}/state/zones/example.net.zone"))

        # The DKIM key file disappears and the master file gets an error.
        os.remove(f"{self.dir}/s1.pem")
        with open(f"{self.dir}/example.net.zone", "w") as f:
            f.write(self.net_zone(8, broken=True))
        cc = self.check_config()
        self.assertNotEqual(cc.returncode, 0, cc.stdout + cc.stderr)
        self.assertIn("s1.pem", cc.stdout + cc.stderr)
        self.assertIn("example.net.zone", cc.stdout + cc.stderr)

        self.start()  # starts although both zones are broken: each has a last good version
        self.assertEqual(self.answers(), good)
        self.assertEqual(self.serial("example.org"), serial_org)
        self.assertEqual(self.serial("example.net"), serial_net)
        signed = self.query("s1._domainkey.example.org", "TXT", dnssec=True)
        self.assertTrue(any(l.split()[3] == "RRSIG" for l in signed), signed)  # still signed as it was
        with open(self.log_path) as f:
            log = f.read()
        self.assertIn("serving the last good version", log)
        self.assertIn("s1.pem", log)
        st = subprocess.run([ARGS.mailns, "status", "-c", self.conf, "--json"], capture_output=True, text=True,
                            timeout=30)
        self.assertEqual(st.returncode, 0, st.stdout + st.stderr)
        stale = {z["zone"]: z["last_good_version"] for z in json.loads(st.stdout)["zones"]}
        self.assertEqual(stale, {"example.net": True, "example.org": True})

        # The files come back: served anew by a reload. Their records are
        # those of the last good versions (example.net's file serial, 9, is
        # below the served one): the same versions, with the same serials
        # (nothing new for secondaries, issue 16).
        shutil.copy(f"{self.dir}/s1.pem.saved", f"{self.dir}/s1.pem")
        with open(f"{self.dir}/example.net.zone", "w") as f:
            f.write(self.net_zone(9))
        r = self.reload()
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(self.serial("example.org"), serial_org)
        self.assertEqual(self.serial("example.net"), serial_net)
        self.assertEqual(self.query("s1._domainkey.example.org", "TXT"), good["s1._domainkey.example.org TXT"])
        self.assertEqual(self.query("www.example.net", "A"), good["www.example.net A"])
        st = subprocess.run([ARGS.mailns, "status", "-c", self.conf, "--json"], capture_output=True, text=True,
                            timeout=30)
        self.assertFalse(any(z["last_good_version"] for z in json.loads(st.stdout)["zones"]), st.stdout)
        # The archive follows what is served.
        self.assertEqual(archived_soa_serial(f"{self.dir}/state/zones/example.net.zone"), self.serial("example.net"))

    def test_a_zone_that_never_had_a_good_version_is_left_out(self):
        os.remove(f"{self.dir}/s1.pem")
        self.start_expecting_example_net_only()

    def start_expecting_example_net_only(self):
        self.log = open(self.log_path, "a")
        self.proc = subprocess.Popen([ARGS.mailns, "serve", "-c", self.conf], stdout=self.log, stderr=self.log)
        deadline = time.time() + 30
        while time.time() < deadline and not self.query("example.net", "SOA"):
            if self.proc.poll() is not None:
                with open(self.log_path) as f:
                    self.fail("mailns serve exited:\n" + f.read())
            time.sleep(0.1)
        self.assertTrue(self.query("example.net", "SOA"))
        out = subprocess.run(["dig", "@127.0.0.1", "-p", str(self.port), "+time=1", "+tries=1", "example.org", "SOA"],
                             capture_output=True, text=True).stdout
        self.assertIn("status: REFUSED", out)
        self.assertFalse(os.path.exists(f"{self.dir}/state/zones/example.org.zone"))


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--mailns", required=True)
    ARGS, rest = p.parse_known_args()
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)
