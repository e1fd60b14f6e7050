#!/usr/bin/env python3
"""Logs that scale (issue 13): with 1000 zones (signed, keys created on this
first start) `mailns serve` logs at most 40 lines until it answers, and an
idle `mailns reload` prints at most 5 lines (`--verbose` lists every zone);
a changed zone is still named. Loopback only.
usage: log_scale_test.py --mailns PATH"""
import argparse, os, shutil, socket, subprocess, sys, tempfile, time, unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from loopback import free_port  # noqa: E402

ARGS = None
ZONES = 1000



def zone_text(origin, serial, extra=""):
    return (f"$ORIGIN {origin}.\n$TTL 3600\n"
            f"@ IN SOA ns1 hostmaster {serial} 7200 3600 1209600 300\n"
            "@ IN NS ns1\n@ IN MX 10 mail\nns1 IN A 192.0.2.53\nmail IN A 192.0.2.25\n"
            '@ IN TXT "v=spf1 mx -all"\n_dmarc IN TXT "v=DMARC1; p=reject"\n' + extra)


class LogScale(unittest.TestCase):
    def setUp(self):
        self.dir = d = tempfile.mkdtemp(prefix="mailns-log-scale-")
        self.port = free_port()
        lines = [f"server: {{ listen: [127.0.0.1:{self.port}], threads: 1, watch_files: false, state_dir: state }}",
                 "dnssec: { enabled: true, keys: csk, denial: nsec, key_dir: state/keys }", "zones:"]
        for i in range(ZONES):
            with open(f"{d}/z{i}.test.zone", "w") as f:
                f.write(zone_text(f"z{i}.test", 1))
            lines.append(f"  - {{ origin: z{i}.test, file: z{i}.test.zone }}")
        self.conf = f"{d}/mailns.yaml"
        with open(self.conf, "w") as f:
            f.write("\n".join(lines) + "\n")
        self.log = open(f"{d}/serve.log", "w")
        self.proc = subprocess.Popen([ARGS.mailns, "serve", "-c", self.conf], stdout=self.log, stderr=self.log)

    def tearDown(self):
        self.proc.terminate()
        self.proc.wait(timeout=20)
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def answers(self, name):
        out = subprocess.run(["dig", "@127.0.0.1", "-p", str(self.port), "+short", "+time=1", "+tries=1", name, "SOA"],
                             capture_output=True, text=True).stdout
        return "hostmaster" in out

    def reload(self, *extra):
        return subprocess.run([ARGS.mailns, "reload", "-c", self.conf, *extra], capture_output=True, text=True,
                              timeout=120)

    def test_start_and_idle_reload_stay_short(self):
        deadline = time.time() + 120
        while time.time() < deadline and not self.answers(f"z{ZONES - 1}.test"):
            self.assertIsNone(self.proc.poll(), "mailns serve exited")
            time.sleep(0.2)
        self.assertTrue(self.answers(f"z{ZONES - 1}.test"))
        with open(f"{self.dir}/serve.log") as f:
            start_lines = f.read().splitlines()
        self.assertLessEqual(len(start_lines), 40, "\n".join(start_lines[:60]))
        self.assertTrue(any("loaded 1000 zones" in l for l in start_lines), start_lines)

        r = self.reload()
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertLessEqual(len(r.stdout.splitlines()), 5, r.stdout)
        self.assertIn("1000 unchanged", r.stdout)

        r = self.reload("--verbose")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertGreaterEqual(len(r.stdout.splitlines()), ZONES, r.stdout[:500])

        with open(f"{self.dir}/z7.test.zone", "w") as f:
            f.write(zone_text("z7.test", 2, "www IN A 192.0.2.80\n"))
        r = self.reload()
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("z7.test: loaded", r.stdout)
        self.assertLessEqual(len(r.stdout.splitlines()), 5, r.stdout)


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--mailns", required=True)
    ARGS, rest = p.parse_known_args()
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)
