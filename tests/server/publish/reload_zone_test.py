#!/usr/bin/env python3
"""`mailns reload ZONE` (issue 16), on loopback with dig and a NOTIFY receiver
standing in for a secondary (dnspython):

- Signed zones: two master-file zones (NSEC3) and two mail domains, one with
  a DKIM key file. Two master files and the DKIM key change on disk; `mailns
  reload -c FILE example.net` serves only example.net's new data, with a new
  serial, a NOTIFY for it alone, an IXFR of just that change, and a zone that
  ldns-verify-zone accepts. The other changed zones, and the catalog zone,
  keep serving their old data and serial; `reload example.org` then takes
  the new DKIM key.
- A zone reloaded with nothing changed says unchanged and keeps its serial.
- An unknown zone name (alone or beside a known one) exits 1 with a message
  naming it, and nothing changes; a full `mailns reload` then takes the
  remaining change; the configuration file is parsed again for it (its
  stamp at the start was too fresh to trust), but not for the next full
  reload, which still takes a changed zone file; a zone added to the file is
  served after the next.
usage: reload_zone_test.py --mailns PATH"""
import argparse, base64, os, shutil, subprocess, sys, tempfile, time, unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from dig import dig_answers  # noqa: E402
from loopback import free_port  # noqa: E402
from notify_receiver import NotifyReceiver  # noqa: E402

ARGS = None
ZONES = ["example.net", "example.com", "example.org", "other.example"]
CATALOG = "catalog.mailns.invalid"


def master_zone(origin, serial, www):
    return (f"$ORIGIN {origin}.\n"
            f"@ 300 IN SOA ns1 hostmaster {serial} 7200 3600 1209600 300\n"
            "@ 300 IN NS ns1\n"
            "ns1 300 IN A 192.0.2.53\n"
            f"www 300 IN A {www}\n")


def ed25519_p(path):
    der = subprocess.run(["openssl", "pkey", "-in", path, "-pubout", "-outform", "DER"], capture_output=True,
                         check=True, timeout=30).stdout
    return base64.b64encode(der[-32:]).decode()


class ReloadZone(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="mailns-reload-zone-")
        self.conf = f"{self.dir}/mailns.yaml"
        self.port = free_port()
        self.receiver = NotifyReceiver()
        os.makedirs(f"{self.dir}/keys")
        self.new_dkim_key("dkim.pem")
        self.write_zone("example.net", 1, "192.0.2.80")
        self.write_zone("example.com", 1, "192.0.2.80")
        with open(self.conf, "w") as f:
            f.write(f"""server: {{ listen: [127.0.0.1:{self.port}], threads: 1, watch_files: false, state_dir: state }}
dnssec: {{ enabled: true, algorithm: ecdsap256sha256, keys: csk, denial: nsec3, key_dir: state/keys }}
secondaries: [{{ address: 127.0.0.1:{self.receiver.port} }}]
allow_transfer: [127.0.0.0/8]
catalog: {{ zone: {CATALOG} }}
zones:
  - {{ origin: example.net, file: example.net.zone }}
  - {{ origin: example.com, file: example.com.zone }}
mail_domains:
  - domain: example.org
    nameservers: [{{ name: ns1.example.org, ipv4: 192.0.2.53 }}]
    mail_hosts: [{{ name: mail.example.org, ipv4: 192.0.2.10 }}]
    dkim:
      - {{ selector: sel, key: keys/dkim.pem }}
  - domain: other.example
    nameservers: [{{ name: ns1.other.example, ipv4: 192.0.2.53 }}]
    mail_hosts: [{{ name: mail.other.example, ipv4: 192.0.2.10 }}]
""")
        self.log_path = f"{self.dir}/serve.log"
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen([ARGS.mailns, "serve", "-c", self.conf], stdout=self.log, stderr=self.log)
        deadline = time.time() + 60
        pending = list(ZONES)
        while pending and time.time() < deadline:
            if self.proc.poll() is not None:
                self.fail("mailns serve exited with %d:\n%s" % (self.proc.returncode, self.read_log()))
            pending = [z for z in pending if not self.dig(z, "SOA")]
            if pending:
                time.sleep(0.2)
        self.assertEqual(pending, [], self.read_log())
        self.notified_within(10, expect=set(ZONES) | {CATALOG})  # the start's NOTIFYs

    def tearDown(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=20)
        self.log.close()
        self.receiver.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def new_dkim_key(self, name):
        path = f"{self.dir}/keys/{name}"
        tmp = path + ".tmp"
        subprocess.run(["openssl", "genpkey", "-algorithm", "ed25519", "-out", tmp], check=True, capture_output=True,
                       timeout=30)
        os.replace(tmp, path)
        return ed25519_p(path)

    def write_zone(self, origin, serial, www):
        tmp = f"{self.dir}/{origin}.zone.tmp"
        with open(tmp, "w") as f:
            f.write(master_zone(origin, serial, www))
        os.replace(tmp, f"{self.dir}/{origin}.zone")

    def read_log(self):
        with open(self.log_path) as f:
            return f.read()

    def dig(self, name, qtype, *extra):
        return dig_answers(self.port, name, qtype, *extra)

    def serial(self, zone):
        return int(self.dig(zone, "SOA")[0].split()[6])

    def www(self, zone):
        return [l.split()[4] for l in self.dig(f"www.{zone}", "A")]

    def dkim_p(self):
        txt = "".join(self.dig("sel._domainkey.example.org", "TXT"))
        return txt.split("p=")[1].split('"')[0] if "p=" in txt else ""

    def reload(self, *zones):
        return subprocess.run([ARGS.mailns, "reload", "-c", self.conf, *zones], capture_output=True, text=True,
                              timeout=120)

    def notified_within(self, seconds, expect=None):
        deadline, got = time.time() + seconds, []
        while time.time() < deadline:
            got += [zone for zone, _ in self.receiver.take()]
            if expect is not None and set(got) >= expect:
                break
            time.sleep(0.1)
        return got

    def test_reload_one_zone_leaves_the_other_changes_for_later(self):
        serials = {z: self.serial(z) for z in ZONES + [CATALOG]}
        catalog = sorted(self.dig(CATALOG, "AXFR"))
        old_p = self.dkim_p()
        self.assertTrue(old_p)
        self.write_zone("example.net", 2, "192.0.2.81")
        self.write_zone("example.com", 2, "192.0.2.82")
        new_p = self.new_dkim_key("dkim.pem")
        self.assertNotEqual(new_p, old_p)

        r = self.reload("example.net")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("example.net: loaded, serial", r.stdout)
        self.assertIn("reload: ok (1 changed, 0 failed, 0 unchanged", r.stdout)
        self.assertEqual(self.www("example.net"), ["192.0.2.81"])
        self.assertGreater(self.serial("example.net"), serials["example.net"])
        rrsigs = [l for l in self.dig("www.example.net", "A", "+dnssec") if l.split()[3] == "RRSIG"]
        self.assertEqual(len(rrsigs), 1, rrsigs)
        # The other changed inputs are not looked at.
        self.assertEqual(self.www("example.com"), ["192.0.2.80"])
        self.assertEqual(self.dkim_p(), old_p)
        for z in ["example.com", "example.org", "other.example", CATALOG]:
            self.assertEqual(self.serial(z), serials[z], z)
        # The catalog lists the same zones: it stays as it was.
        self.assertEqual(sorted(self.dig(CATALOG, "AXFR")), catalog)
        # The secondary hears of example.net alone, and its IXFR is the change.
        got = self.notified_within(10, expect={"example.net"}) + self.notified_within(1.5)
        self.assertEqual(set(got), {"example.net"}, got)
        ixfr = self.dig("example.net", f"IXFR={serials['example.net']}", "+tcp")
        self.assertEqual(ixfr[1].split()[3], "SOA", ixfr)  # an IXFR, not the whole zone
        changed = {l.split()[0].rstrip(".") for l in ixfr if l.split()[3] in ("A", "AAAA", "TXT", "NS")}
        self.assertEqual(changed, {"www.example.net"}, "\n".join(ixfr))
        path = f"{self.dir}/example.net.axfr"
        with open(path, "w") as f:
            f.write("\n".join(self.dig("example.net", "AXFR")) + "\n")
        v = subprocess.run(["ldns-verify-zone", "-V", "2", path], capture_output=True, text=True, timeout=60)
        self.assertEqual(v.returncode, 0, v.stdout + v.stderr)

        # A mail domain: its DKIM key file is its input.
        r = self.reload("example.org")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("example.org: loaded, serial", r.stdout)
        self.assertEqual(self.dkim_p(), new_p)
        self.assertGreater(self.serial("example.org"), serials["example.org"])
        self.assertEqual(self.www("example.com"), ["192.0.2.80"])

        # Nothing changed since: unchanged, the same serial.
        now_net = self.serial("example.net")
        r = self.reload("example.net", "--verbose")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn(f"example.net: unchanged, serial {now_net}", r.stdout)
        self.assertEqual(self.serial("example.net"), now_net)

        # Unknown names: exit 1, a message that names them, nothing reloaded.
        r = self.reload("nosuch.example")
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("nosuch.example: not a zone of the configuration", r.stdout)
        r = self.reload("example.com", "nosuch.example")
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("nothing changed", r.stdout)
        self.assertEqual(self.www("example.com"), ["192.0.2.80"])
        self.assertEqual(self.serial("example.com"), serials["example.com"])

        # A full reload takes what is left. The configuration file was
        # written just before the start: a stamp taken then is not trusted
        # (a same-size rewrite within the timestamps' granularity would not
        # change it), so it is parsed again, now over two seconds old.
        time.sleep(max(0.0, 2.5 - (time.time() - os.stat(self.conf).st_ctime)))
        r = self.reload()
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("example.com: loaded", r.stdout)
        self.assertNotIn("example.net: loaded", r.stdout)
        self.assertEqual(self.www("example.com"), ["192.0.2.82"])
        self.assertGreater(self.serial("example.com"), serials["example.com"])
        self.assertEqual(self.serial("example.net"), now_net)
        self.assertEqual(self.reload_log_lines("not parsed again"), 0, self.read_log())
        # Unchanged since, with a settled stamp: not parsed, the zone file's
        # change still taken.
        self.write_zone("example.com", 3, "192.0.2.84")
        r = self.reload()
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("example.com: loaded", r.stdout)
        self.assertEqual(self.www("example.com"), ["192.0.2.84"])
        self.assertEqual(self.reload_log_lines("not parsed again"), 1, self.read_log())

        # A zone added to the configuration: the file changed, it is parsed.
        self.write_zone("added.example", 1, "192.0.2.83")
        with open(self.conf) as f:
            text = f.read()
        with open(self.conf + ".tmp", "w") as f:
            f.write(text.replace("zones:\n", "zones:\n  - { origin: added.example, file: added.example.zone }\n"))
        os.replace(self.conf + ".tmp", self.conf)
        r = self.reload()
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("added.example: added", r.stdout)
        self.assertEqual(self.www("added.example"), ["192.0.2.83"])
        self.assertEqual(self.reload_log_lines("not parsed again"), 1, self.read_log())

    def reload_log_lines(self, text):
        return sum(1 for line in self.read_log().splitlines() if "reload (" in line and text in line)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--mailns", required=True)
    ARGS, rest = parser.parse_known_args()
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)
