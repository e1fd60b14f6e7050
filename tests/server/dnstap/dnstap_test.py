#!/usr/bin/env python3
"""dnstap end-to-end (issue 13): mailns serve writes AUTH_QUERY and
AUTH_RESPONSE messages to fstrm_capture's unix socket; dnstap-ldns reads the
captured file back: exactly one AQ and one AR per query sent, names and
types matching, TCP queries marked TCP; `mailns status` counts the frames;
responses: false writes queries only; a collector that starts after mailns
still gets the queries; a changed dnstap: section needs a restart. Loopback only, every wait bounded.
usage: dnstap_test.py --mailns PATH"""
import argparse, json, os, re, shutil, signal, subprocess, sys, tempfile, time, unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from loopback import free_port  # noqa: E402

ARGS = None

ZONE = ("$ORIGIN example.net.\n@ 300 IN SOA ns1 hostmaster 7 7200 3600 1209600 300\n"
        "@ 300 IN NS ns1\nns1 300 IN A 192.0.2.53\n@ 300 IN MX 10 mx1\nmx1 300 IN A 192.0.2.25\n")
TYPES = ["A", "MX", "TXT", "AAAA"]
# dnstap-ldns's quiet format: DATE TIME TYPE ADDRESS PROTOCOL SIZE "NAME" CLASS TYPE
LINE = re.compile(r'^\S+ \S+ (AQ|AR) (\S+) (UDP|TCP) \d+b "([^"]+)" IN (\S+)$')


def wait_for(cond, seconds, what):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if cond():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {seconds} s waiting for {what}")


class Dnstap(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="mailns-dnstap-")
        self.sock = f"{self.dir}/dnstap.sock"
        self.capture_file = f"{self.dir}/capture.fstrm"
        self.port = free_port()
        with open(f"{self.dir}/example.net.zone", "w") as f:
            f.write(ZONE)
        self.procs = []

    def tearDown(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
                p.wait(timeout=10)
        shutil.rmtree(self.dir, ignore_errors=True)

    def start_capture(self):
        self.capture = subprocess.Popen(["fstrm_capture", "-t", "protobuf:dnstap.Dnstap", "-u", self.sock, "-w",
                                         self.capture_file], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.procs.append(self.capture)
        wait_for(lambda: os.path.exists(self.sock), 10, "fstrm_capture's socket")

    def write_conf(self, dnstap):
        self.conf = f"{self.dir}/mailns.yaml"
        with open(self.conf, "w") as f:
            f.write(f"server:\n  listen: [127.0.0.1:{self.port}]\n  threads: 2\n  watch_files: false\n"
                    f"  state_dir: state\n  dnstap: {dnstap}\n"
                    "zones: [{ origin: example.net, file: example.net.zone }]\n")

    def start_mailns(self, dnstap):
        self.write_conf(dnstap)
        self.log = open(f"{self.dir}/serve.log", "w")
        self.mailns = subprocess.Popen([ARGS.mailns, "serve", "-c", self.conf], stdout=self.log, stderr=self.log)
        self.procs.append(self.mailns)
        # The probes are logged too: they use a name the checks ignore.
        wait_for(lambda: self.dig("probe.example.net", "SOA"), 30, "mailns to answer")

    def dig(self, name, qtype, *extra):
        out = subprocess.run(["dig", "@127.0.0.1", "-p", str(self.port), "+time=1", "+tries=1", name, qtype, *extra],
                             capture_output=True, text=True, timeout=10).stdout
        return "status: NOERROR" in out or "status: NXDOMAIN" in out

    def status(self, *extra):
        r = subprocess.run([ARGS.mailns, "status", "-c", self.conf, *extra], capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout

    def send_queries(self, prefix, udp, tcp):
        """Queries q<i> over UDP and t<i> over TCP; returns {(name, type, proto)}."""
        sent = set()
        for i in range(udp):
            name, qtype = f"{prefix}q{i}.example.net.", TYPES[i % len(TYPES)]
            self.assertTrue(self.dig(name, qtype), name)
            sent.add((name, qtype, "UDP"))
        for i in range(tcp):
            name, qtype = f"{prefix}t{i}.example.net.", TYPES[i % len(TYPES)]
            self.assertTrue(self.dig(name, qtype, "+tcp"), name)
            sent.add((name, qtype, "TCP"))
        return sent

    def stop(self):
        """mailns first (its writer flushes on exit), then the collector (SIGTERM: it closes the file)."""
        self.mailns.send_signal(signal.SIGTERM)
        self.assertEqual(self.mailns.wait(timeout=20), 0)
        self.log.close()
        self.capture.send_signal(signal.SIGTERM)
        self.capture.wait(timeout=10)

    def read_capture(self):
        """[(kind, address, proto, name, type)] of every frame in the capture file."""
        r = subprocess.run(["dnstap-ldns", "-q", "-r", self.capture_file], capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        rows = []
        for line in r.stdout.splitlines():
            m = LINE.match(line)
            self.assertIsNotNone(m, f"unexpected dnstap-ldns line: {line!r}")
            rows.append(m.groups())
        return rows

    def by_kind(self, rows, kind, prefix):
        seen = [(n, t, p) for (k, a, p, n, t) in rows if k == kind and n.startswith(prefix)]
        for (k, a, p, n, t) in rows:
            self.assertEqual(a, "127.0.0.1", f"{k} {n}: address")
        return seen

    def test_one_query_and_one_response_per_query(self):
        self.start_capture()
        self.start_mailns("{ socket: dnstap.sock }")  # relative to the configuration
        sent = self.send_queries("", udp=20, tcp=6)
        counts = json.loads(self.status("--json"))["dnstap"]
        self.assertGreaterEqual(counts["sent"], 2 * len(sent))
        self.assertEqual(counts["dropped"], 0)
        self.assertRegex(self.status(), r"\n  dnstap: \d+ sent, 0 dropped\n")
        self.stop()
        rows = self.read_capture()
        for kind in ("AQ", "AR"):
            seen = self.by_kind(rows, kind, "q") + self.by_kind(rows, kind, "t")
            self.assertEqual(len(seen), len(sent), f"{kind}: {sorted(seen)}")
            self.assertEqual(set(seen), sent, kind)

    def test_queries_only(self):
        self.start_capture()
        self.start_mailns(f"{{ socket: {self.sock}, responses: false }}")
        sent = self.send_queries("", udp=5, tcp=2)
        self.stop()
        rows = self.read_capture()
        self.assertEqual(set(self.by_kind(rows, "AQ", "q") + self.by_kind(rows, "AQ", "t")), sent)
        self.assertEqual([r for r in rows if r[0] == "AR"], [])

    def test_a_changed_dnstap_section_needs_a_restart(self):
        self.start_capture()
        self.start_mailns(f"{{ socket: {self.sock} }}")
        self.write_conf(f"{{ socket: {self.sock}, responses: false }}")
        r = subprocess.run([ARGS.mailns, "reload", "-c", self.conf], capture_output=True, text=True, timeout=30)
        self.assertIn("needs a restart: dnstap", r.stdout + r.stderr)
        self.stop()

    def test_collector_started_after_mailns(self):
        self.start_mailns(f"{{ socket: {self.sock} }}")
        self.assertTrue(self.dig("early.example.net", "A"))  # nobody listens: not logged, not blocking
        self.start_capture()
        time.sleep(2.5)  # fstrm retries the socket every second
        sent = self.send_queries("late", udp=5, tcp=1)
        self.stop()
        rows = self.read_capture()
        self.assertEqual(set(self.by_kind(rows, "AQ", "late")), sent)
        self.assertEqual(set(self.by_kind(rows, "AR", "late")), sent)


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("--mailns", required=True)
    ARGS, rest = p.parse_known_args()
    for tool in ("fstrm_capture", "dnstap-ldns", "dig"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is missing: run scripts/install-deps.sh (fstrm-bin, dnstap-ldns, bind9-dnsutils)")
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)


if __name__ == "__main__":
    main()
