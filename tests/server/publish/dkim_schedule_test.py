#!/usr/bin/env python3
"""DKIM dates fire on time in `mailns serve` (issue 13, regression: the reload
thread compared the next date, always in the future, with now, so a date
passing never reloaded): a selector whose publish_at is a few seconds ahead
appears and one whose remove_at passes disappears, with no signal, no file
change and no `mailns reload`, and `mailns status` shows both states and
the next date. Dates are RFC 3339 date-times. Loopback only.
usage: dkim_schedule_test.py --mailns PATH"""
import argparse, datetime, os, shutil, socket, subprocess, sys, tempfile, time, unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from loopback import free_port  # noqa: E402

ARGS = None



def rfc3339(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class DkimSchedule(unittest.TestCase):
    def setUp(self):
        self.dir = d = tempfile.mkdtemp(prefix="mailns-dkim-schedule-")
        for k in ("new", "old"):
            subprocess.run(["openssl", "genpkey", "-algorithm", "ed25519", "-out", f"{d}/{k}.pem"], check=True,
                           capture_output=True)
        self.port = free_port()
        self.at = int(time.time()) + 4
        with open(f"{d}/mailns.yaml", "w") as f:
            f.write(f"""server: {{ listen: [127.0.0.1:{self.port}], threads: 1, watch_files: false, state_dir: state }}
mail_domains:
  - domain: example.org
    ttl: 60
    nameservers: [{{ name: ns1.example.org, ipv4: 192.0.2.53 }}]
    mail_hosts: [{{ name: mail.example.org, ipv4: 192.0.2.10 }}]
    mta_sts: {{ mode: testing }}
    dkim:
      - {{ selector: new, key: new.pem, publish_at: "{rfc3339(self.at)}" }}
      - {{ selector: old, key: old.pem, publish_at: "2020-01-01", retire_at: "2020-02-01T00:00:00+01:00",
           remove_at: "{rfc3339(self.at)}" }}
""")
        self.log = open(f"{d}/serve.log", "w")
        self.proc = subprocess.Popen([ARGS.mailns, "serve", "-c", f"{d}/mailns.yaml"], stdout=self.log,
                                     stderr=self.log)

    def tearDown(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def txt(self, selector):
        out = subprocess.run(["dig", "@127.0.0.1", "-p", str(self.port), "+short", "+time=1", "+tries=1",
                              f"{selector}._domainkey.example.org", "TXT"], capture_output=True, text=True).stdout
        return "v=DKIM1" in out

    def status(self):
        r = subprocess.run([ARGS.mailns, "status", "-c", f"{self.dir}/mailns.yaml"], capture_output=True, text=True,
                           timeout=30)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        return r.stdout

    def wait_for(self, cond, until):
        while time.time() < until:
            if cond():
                return True
            time.sleep(0.1)
        return cond()

    def test_dates_passing_change_what_is_published(self):
        self.assertTrue(self.wait_for(lambda: self.txt("old"), time.time() + 3), "the server did not start")
        self.assertFalse(self.txt("new"))  # not before its publish_at
        self.assertLess(time.time(), self.at, "the start took too long for this test's schedule")
        st = self.status()
        self.assertIn("dkim new: pending", st)
        self.assertIn("dkim old: retiring", st)
        self.assertIn("DKIM selector new of example.org becomes published", st)
        self.assertTrue(self.wait_for(lambda: self.txt("new"), self.at + 5), "publish_at passed, not published")
        self.assertTrue(self.wait_for(lambda: not self.txt("old"), self.at + 5), "remove_at passed, still published")
        st = self.status()
        self.assertIn("dkim new: published", st)
        self.assertIn("dkim old: retired", st)
        with open(f"{self.dir}/serve.log") as f:
            self.assertIn("scheduled date passed", f.read())


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--mailns", required=True)
    ARGS, rest = p.parse_known_args()
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)
