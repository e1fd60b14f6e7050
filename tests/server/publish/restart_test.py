#!/usr/bin/env python3
"""Restarts and edits that cost nothing (issues 16 and 18), on loopback, with
dig and a NOTIFY receiver standing in for a secondary (dnspython):

- 100 signed mail domains (NSEC3) and a master-file zone (NSEC). A restart with
  nothing changed keeps every serial and every signature (each zone's AXFR is
  the same, byte for byte as dig prints it) and sends no NOTIFY.
- The zones' earliest signature expirations (mailns status --json) spread over
  more than half of refresh_before.
- One declaration changed while mailns is down: after the start only that
  zone has a new serial and only it is notified, and a secondary that was
  current before the restart gets an IXFR of that change, not the zone.
- One record changed and reloaded (a mail domain, and the master-file zone):
  the IXFR holds the old and new record, their signatures and the SOA
  records, nothing else.
- After two changes and a restart, a secondary two versions behind gets an
  IXFR of both (the journal kept in state_dir), not the zone.
- An unsigned master-file zone whose file did not change is taken from the
  archive at a start (once a start has recorded its file's stamp there), not
  parsed; changed while mailns is down, it is parsed and its new data served.
usage: restart_test.py --mailns PATH"""
import argparse, json, os, shutil, subprocess, sys, tempfile, time, unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from dig import dig_answers  # noqa: E402
from loopback import free_port  # noqa: E402
from notify_receiver import NotifyReceiver  # noqa: E402

ARGS = None
DOMAINS = [f"d{i:03d}.example" for i in range(100)]
REFRESH_BEFORE = 4 * 86400


def domain_entry(name, dmarc="none"):
    return (f"  - domain: {name}\n"
            f"    nameservers: [{{ name: ns1.{name}, ipv4: 192.0.2.53 }}]\n"
            f"    mail_hosts: [{{ name: mail.{name}, ipv4: 192.0.2.10 }}]\n"
            f"    dmarc: {{ policy: {dmarc}, rua: [postmaster@{name}] }}\n")


def plain_zone(www):
    return ("$ORIGIN plain.example.\n"
            "@ 300 IN SOA ns1 hostmaster 3 7200 3600 1209600 300\n"
            "@ 300 IN NS ns1\n"
            "ns1 300 IN A 192.0.2.53\n"
            f"www 300 IN A {www}\n")


def net_zone(serial, www="192.0.2.80"):
    return ("$ORIGIN example.net.\n"
            f"@ 300 IN SOA ns1 hostmaster {serial} 7200 3600 1209600 300\n"
            "@ 300 IN NS ns1\n"
            "ns1 300 IN A 192.0.2.53\n"
            f"www 300 IN A {www}\n"
            "mail 300 IN A 192.0.2.25\n")


class Restart(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="mailns-restart-")
        self.port = free_port()
        self.receiver = NotifyReceiver()
        self.dmarc = {d: "none" for d in DOMAINS}
        self.write_net_zone(7)
        self.write_plain_zone("192.0.2.90")
        self.write_config()
        self.proc = None
        self.log_path = f"{self.dir}/serve.log"

    def tearDown(self):
        self.stop()
        self.receiver.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def write_net_zone(self, serial, www="192.0.2.80"):
        with open(f"{self.dir}/example.net.zone", "w") as f:
            f.write(net_zone(serial, www))

    def write_plain_zone(self, www):
        with open(f"{self.dir}/plain.example.zone.tmp", "w") as f:
            f.write(plain_zone(www))
        os.replace(f"{self.dir}/plain.example.zone.tmp", f"{self.dir}/plain.example.zone")

    def plain_www(self):
        return [l.split()[4] for l in self.dig("www.plain.example", "A")]

    def from_archive_lines(self):
        return self.read_log().count("1 master-file zone taken from")

    def write_config(self):
        with open(f"{self.dir}/mailns.yaml", "w") as f:
            f.write(f"""server: {{ listen: [127.0.0.1:{self.port}], threads: 1, watch_files: false, state_dir: state }}
dnssec: {{ enabled: true, algorithm: ecdsap256sha256, keys: csk, denial: nsec3, key_dir: state/keys }}
secondaries: [{{ address: 127.0.0.1:{self.receiver.port} }}]
allow_transfer: [127.0.0.0/8]
zones:
  - origin: example.net
    file: example.net.zone
    dnssec: {{ enabled: true, algorithm: ecdsap256sha256, keys: csk, denial: nsec, key_dir: state/keys }}
  - {{ origin: plain.example, file: plain.example.zone, dnssec: {{ enabled: false }} }}
mail_domains:
""" + "".join(domain_entry(d, self.dmarc[d]) for d in DOMAINS))

    def start(self):
        self.log = open(self.log_path, "a")
        self.log.write("---- start\n")
        self.log.flush()
        self.proc = subprocess.Popen([ARGS.mailns, "serve", "-c", f"{self.dir}/mailns.yaml"], stdout=self.log,
                                     stderr=self.log)
        deadline = time.time() + 60
        pending = ["example.net", "plain.example"] + DOMAINS
        while pending and time.time() < deadline:
            if self.proc.poll() is not None:
                self.fail("mailns serve exited with %d:\n%s" % (self.proc.returncode, self.read_log()))
            pending = [z for z in pending if not self.dig(z, "SOA")]
            if pending:
                time.sleep(0.2)
        self.assertEqual(pending, [], self.read_log())

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=20)
        if self.proc:
            self.log.close()
        self.proc = None

    def read_log(self):
        with open(self.log_path) as f:
            return f.read()

    def dig(self, name, qtype, *extra):
        return dig_answers(self.port, name, qtype, *extra)

    def serial(self, zone):
        return int(self.dig(zone, "SOA")[0].split()[6])

    def axfr(self, zone):
        return sorted(self.dig(zone, "AXFR"))

    def everything(self):
        return {z: self.axfr(z) for z in ["example.net", "plain.example"] + DOMAINS}

    def notified_within(self, seconds, expect=None):
        """NOTIFYs received in `seconds` (sooner once `expect` zones are in)."""
        deadline, got = time.time() + seconds, []
        while time.time() < deadline:
            got += self.receiver.take()
            if expect is not None and {z for z, _ in got} >= expect:
                break
            time.sleep(0.1)
        return got

    def ixfr(self, zone, serial):
        return self.dig(zone, f"IXFR={serial}", "+tcp")

    def assert_small_ixfr(self, zone, old_serial, owner, rtype):
        """The IXFR from old_serial: SOA, old SOA, removed, new SOA, added, SOA; only the changed RRset
        and the SOA (and their signatures)."""
        records = self.ixfr(zone, old_serial)
        self.assertGreaterEqual(len(records), 4, records)
        self.assertEqual(records[1].split()[3], "SOA", records)  # an IXFR, not the whole zone
        self.assertEqual(int(records[1].split()[6]), old_serial, records)
        changed = set()
        for r in records:
            f = r.split()
            kind = f[3] if f[3] != "RRSIG" else "RRSIG/" + f[4]
            changed.add((f[0].rstrip(".").lower(), kind))
        apex = zone.lower()
        self.assertEqual(changed, {(apex, "SOA"), (apex, "RRSIG/SOA"), (owner, rtype), (owner, "RRSIG/" + rtype)},
                         "\n".join(records))
        # 4 SOA, and the old and new record with one signature each, and the SOA's signatures.
        self.assertEqual(len(records), 4 + 2 + 2 + 2, "\n".join(records))

    def test_restart_keeps_serials_and_signatures_and_an_edit_is_a_small_ixfr(self):
        self.start()
        first = self.notified_within(20, expect={"example.net", "plain.example", *DOMAINS})
        self.assertEqual({z for z, _ in first}, {"example.net", "plain.example", *DOMAINS})
        before = self.everything()
        serials = {z: self.serial(z) for z in ["example.net"] + DOMAINS}

        # Expirations spread over the refresh window (issue 16).
        st = subprocess.run([ARGS.mailns, "status", "-c", f"{self.dir}/mailns.yaml", "--json"], capture_output=True,
                            text=True, timeout=30)
        self.assertEqual(st.returncode, 0, st.stderr)
        expiries = [z["rrsig_expiry"] for z in json.loads(st.stdout)["zones"] if z["zone"] in DOMAINS]
        self.assertEqual(len(expiries), 100)
        self.assertGreater(max(expiries) - min(expiries), REFRESH_BEFORE / 2, sorted(expiries))

        # A restart with nothing changed: the same zones, signatures included, and no NOTIFY.
        self.stop()
        self.start()
        self.assertEqual(self.notified_within(3), [])
        self.assertIn("sending NOTIFY for 0 zones", self.read_log())
        after = self.everything()
        for z in before:
            self.assertEqual(after[z], before[z], z)

        # d007 changes while mailns is down: only it gets a new serial and a NOTIFY, and
        # the secondary at the old serial gets an IXFR of the change.
        self.stop()
        self.dmarc["d007.example"] = "quarantine"
        self.write_config()
        self.start()
        # The previous start recorded plain.example's file stamp (older than two
        # seconds by then) with its archived version: this one takes it from there.
        self.assertEqual(self.from_archive_lines(), 1, self.read_log())
        self.assertEqual(self.plain_www(), ["192.0.2.90"])
        got = self.notified_within(10, expect={"d007.example"})
        got += self.notified_within(2)
        self.assertEqual({z for z, _ in got}, {"d007.example"}, got)
        for z, s in serials.items():
            if z == "d007.example":
                self.assertGreater(self.serial(z), s)
            else:
                self.assertEqual(self.serial(z), s, z)
        self.assert_small_ixfr("d007.example", serials["d007.example"], "_dmarc.d007.example", "TXT")

        # One record changed and reloaded: a mail domain (NSEC3) and the master-file zone (NSEC).
        self.dmarc["d042.example"] = "reject"
        self.write_config()
        self.write_net_zone(8, www="192.0.2.81")
        r = subprocess.run([ARGS.mailns, "reload", "-c", f"{self.dir}/mailns.yaml"], capture_output=True, text=True,
                           timeout=60)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        got = self.notified_within(10, expect={"d042.example", "example.net"})
        got += self.notified_within(2)
        self.assertEqual({z for z, _ in got}, {"d042.example", "example.net"}, got)
        self.assert_small_ixfr("d042.example", serials["d042.example"], "_dmarc.d042.example", "TXT")
        self.assert_small_ixfr("example.net", serials["example.net"], "www.example.net", "A")
        for z in ["example.net", "d042.example", "d007.example"]:
            zone_text = "\n".join(self.dig(z, "AXFR"))
            path = f"{self.dir}/{z}.axfr"
            with open(path, "w") as f:
                f.write(zone_text + "\n")
            v = subprocess.run(["ldns-verify-zone", "-V", "2", path], capture_output=True, text=True, timeout=60)
            self.assertEqual(v.returncode, 0, v.stdout + v.stderr)

        # One more version of the master-file zone, then a restart: the journal was kept in
        # state_dir, so a secondary two versions behind still gets an IXFR of both changes.
        middle = self.serial("example.net")
        self.write_net_zone(9, www="192.0.2.82")
        r = subprocess.run([ARGS.mailns, "reload", "-c", f"{self.dir}/mailns.yaml", "example.net"],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertGreater(self.serial("example.net"), middle)
        self.stop()
        # plain.example changed while mailns is down, long enough ago for its stamp to be
        # trusted: it is parsed again, not taken from the archive.
        self.write_plain_zone("192.0.2.91")
        time.sleep(2.5)
        self.start()
        self.assertEqual(self.plain_www(), ["192.0.2.91"])
        self.assertEqual(self.from_archive_lines(), 1, self.read_log())
        records = self.ixfr("example.net", serials["example.net"])
        self.assertEqual(records[1].split()[3], "SOA", records)  # an IXFR, not the whole zone
        soas = [int(r.split()[6]) for r in records if r.split()[3] == "SOA"]
        self.assertEqual(soas[1:-1], [serials["example.net"], middle, middle, self.serial("example.net")], records)
        www = [r.split()[4] for r in records if r.split()[0] == "www.example.net." and r.split()[3] == "A"]
        self.assertEqual(www, ["192.0.2.80", "192.0.2.81", "192.0.2.81", "192.0.2.82"], records)
        self.assertRegex(self.read_log(), r"IXFR journal: \d+ differences of \d+ zones kept from before the restart")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--mailns", required=True)
    ARGS, rest = parser.parse_known_args()
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)
