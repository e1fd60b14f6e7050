#!/usr/bin/env python3
"""mailns status (issue 13): uptime, per zone the serial, signatures' expiry,
keys, the next event, query counters that grow with the queries sent, the
last reload and its errors; --json parses and says the same. Loopback only.
usage: status_test.py --mailns PATH"""
import argparse, json, os, shutil, socket, subprocess, sys, tempfile, time, unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from loopback import free_port  # noqa: E402

ARGS = None



ZONE = ("$ORIGIN example.net.\n@ 300 IN SOA ns1 hostmaster 7 7200 3600 1209600 300\n"
        "@ 300 IN NS ns1\nns1 300 IN A 192.0.2.53\n")


class Status(unittest.TestCase):
    def setUp(self):
        self.dir = d = tempfile.mkdtemp(prefix="mailns-status-")
        with open(f"{d}/example.net.zone", "w") as f:
            f.write(ZONE)
        self.conf = f"{d}/mailns.yaml"
        self.log = open(f"{d}/serve.log", "w")
        for _ in range(5):  # a free port may be taken by a test running beside this one: try another
            self.port = free_port()
            with open(self.conf, "w") as f:
                f.write(f"server: {{ listen: [127.0.0.1:{self.port}], threads: 2, watch_files: false, "
                        "state_dir: state }\n"
                        "dnssec: { enabled: true, keys: ksk_zsk, key_dir: state/keys }\n"
                        "zones: [{ origin: example.net, file: example.net.zone }]\n")
            self.proc = subprocess.Popen([ARGS.mailns, "serve", "-c", self.conf], stdout=self.log, stderr=self.log)
            deadline = time.time() + 30
            while time.time() < deadline and self.proc.poll() is None and not self.dig("example.net"):
                time.sleep(0.1)
            if self.proc.poll() is None:
                return
        self.fail("mailns did not start: " + open(f"{d}/serve.log").read())

    def tearDown(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def dig(self, name, *extra):
        out = subprocess.run(["dig", "@127.0.0.1", "-p", str(self.port), "+time=1", "+tries=1", name, "SOA", *extra],
                             capture_output=True, text=True).stdout
        return "status: NOERROR" in out or "status: NXDOMAIN" in out

    def status(self, *extra):
        r = subprocess.run([ARGS.mailns, "status", "-c", self.conf, *extra], capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        return r.stdout

    def test_status_text_and_json(self):
        before = json.loads(self.status("--json"))
        for i in range(5):
            self.assertTrue(self.dig(f"nope{i}.example.net"))  # NXDOMAIN
        self.assertTrue(self.dig("example.net", "+tcp"))
        after = json.loads(self.status("--json"))
        nx = lambda s: s["queries"]["udp"]["rcode"].get("NXDOMAIN", 0)
        self.assertEqual(nx(after) - nx(before), 5)
        self.assertGreaterEqual(after["queries"]["tcp"]["rcode"].get("NOERROR", 0), 1)
        self.assertGreaterEqual(after["uptime_seconds"], 0)
        (z,) = after["zones"]
        self.assertEqual(z["zone"], "example.net")
        self.assertTrue(z["signed"])
        self.assertGreater(z["rrsig_expiry"], after["now"])
        self.assertEqual(sorted(k["role"] for k in z["keys"]), ["ksk", "zsk"])
        self.assertTrue(all(k["state"] == "active" for k in z["keys"]), z["keys"])
        self.assertEqual(after["next_event"], z["next_resign"])
        self.assertIn("re-sign example.net", after["next_event_what"])
        self.assertEqual(after["last_reload"], "")

        text = self.status()
        self.assertIn("example.net: serial %d, signed" % z["serial"], text)
        self.assertIn("last reload: none since the start", text)

        with open(f"{self.dir}/example.net.zone", "w") as f:
            f.write(ZONE + "www 300 IN CNAME a.example.\nwww 300 IN A 192.0.2.1\n")  # CNAME and other data
        r = subprocess.run([ARGS.mailns, "reload", "-c", self.conf], capture_output=True, text=True, timeout=60)
        self.assertNotEqual(r.returncode, 0, r.stdout)
        after = json.loads(self.status("--json"))
        self.assertIn("reload: failed", after["last_reload"])
        self.assertTrue(any("example.net" in e and "CNAME" in e for e in after["last_reload_errors"]),
                        after["last_reload_errors"])
        self.assertEqual(after["zones"][0]["serial"], z["serial"])  # still the last good version


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--mailns", required=True)
    ARGS, rest = p.parse_known_args()
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)
