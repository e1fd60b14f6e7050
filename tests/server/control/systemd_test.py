#!/usr/bin/env python3
"""systemd integration (issue 13): sd_notify messages arrive on a test socket
set as NOTIFY_SOCKET (READY=1 only once the zones answer, RELOADING=1 then
READY=1 around a reload, STOPPING=1 at SIGTERM, STATUS= each time), and the
unit file in conf/systemd passes `systemd-analyze verify`. Loopback only.
usage: systemd_test.py --mailns PATH --unit conf/systemd/mailns.service"""
import argparse, os, shutil, signal, socket, subprocess, sys, tempfile, time, unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from loopback import free_port  # noqa: E402

ARGS = None



class Systemd(unittest.TestCase):
    def setUp(self):
        self.dir = d = tempfile.mkdtemp(prefix="mailns-systemd-")
        self.port = free_port()
        with open(f"{d}/example.net.zone", "w") as f:
            f.write("$ORIGIN example.net.\n@ 300 IN SOA ns1 hostmaster 7 7200 3600 1209600 300\n"
                    "@ 300 IN NS ns1\nns1 300 IN A 192.0.2.53\n")
        self.conf = f"{d}/mailns.yaml"
        with open(self.conf, "w") as f:
            f.write(f"server: {{ listen: [127.0.0.1:{self.port}], threads: 1, watch_files: false, state_dir: state }}\n"
                    "dnssec: { enabled: true, key_dir: state/keys }\n"
                    "zones: [{ origin: example.net, file: example.net.zone }]\n")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(f"{d}/notify.sock")
        self.sock.settimeout(0.2)

    def tearDown(self):
        self.sock.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def messages_until(self, key, seconds):
        """Every message received until one contains key (or the time is up)."""
        got = []
        deadline = time.time() + seconds
        while time.time() < deadline:
            try:
                msg = self.sock.recv(4096).decode()
            except socket.timeout:
                continue
            got.append(dict(l.split("=", 1) for l in msg.splitlines() if "=" in l))
            if key in got[-1]:
                break
        return got

    def answers(self):
        out = subprocess.run(["dig", "@127.0.0.1", "-p", str(self.port), "+short", "+time=1", "+tries=1",
                              "example.net", "SOA"], capture_output=True, text=True).stdout
        return "hostmaster" in out

    def test_ready_reloading_stopping(self):
        env = dict(os.environ, NOTIFY_SOCKET=f"{self.dir}/notify.sock")
        log = open(f"{self.dir}/serve.log", "w")
        proc = subprocess.Popen([ARGS.mailns, "serve", "-c", self.conf], stdout=log, stderr=log, env=env)
        try:
            got = self.messages_until("READY", 30)
            self.assertTrue(got and got[-1].get("READY") == "1", got)
            self.assertTrue(self.answers(), "READY=1 before the zones answer")
            self.assertIn("serving 1 zones (1 signed)", got[-1].get("STATUS", ""))

            r = subprocess.run([ARGS.mailns, "reload", "-c", self.conf], capture_output=True, text=True, timeout=60)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            got = self.messages_until("READY", 10)
            self.assertEqual(got[0].get("RELOADING"), "1", got)
            self.assertIn("MONOTONIC_USEC", got[0])
            self.assertEqual(got[-1].get("READY"), "1", got)
            self.assertIn("reload: ok", got[-1].get("STATUS", ""))

            proc.send_signal(signal.SIGTERM)
            got = self.messages_until("STOPPING", 10)
            self.assertTrue(got and got[-1].get("STOPPING") == "1", got)
            self.assertEqual(proc.wait(timeout=10), 0)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            log.close()

    def test_unit_file_verifies(self):
        with open(ARGS.unit) as f:
            unit = f.read()
        self.assertIn("Type=notify", unit)
        self.assertIn("ExecReload=/usr/local/bin/mailns reload", unit)
        # systemd-analyze checks that the binary exists: point it at the one built.
        path = f"{self.dir}/mailns.service"
        with open(path, "w") as f:
            f.write(unit.replace("/usr/local/bin/mailns", os.path.abspath(ARGS.mailns)))
        r = subprocess.run(["systemd-analyze", "verify", path], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr.strip(), "", r.stderr)  # unknown keys are only warnings: none allowed


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--mailns", required=True)
    p.add_argument("--unit", required=True)
    ARGS, rest = p.parse_known_args()
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)
