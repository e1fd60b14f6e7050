#!/usr/bin/env python3
"""Prometheus metrics (issue 13): server.metrics_listen serves /metrics that
`promtool check metrics` accepts; mailns_queries_total grows by the queries
sent; reloads, zones, serials, signature expiry, keys and DKIM selectors are
there; other paths are 404; a real Prometheus server scraping on loopback
sees the target up. Loopback only.
usage: metrics_test.py --mailns PATH"""
import argparse, json, os, re, shutil, socket, subprocess, sys, tempfile, time, unittest, urllib.request

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from loopback import free_port  # noqa: E402

ARGS = None



def fetch(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, ""


def sample(text, name, labels):
    m = re.search(r"^" + re.escape(name + "{" + labels + "}") + r" (\S+)$", text, re.M)
    return float(m.group(1)) if m else 0.0


class Metrics(unittest.TestCase):
    def setUp(self):
        self.dir = d = tempfile.mkdtemp(prefix="mailns-metrics-")
        subprocess.run(["openssl", "genpkey", "-algorithm", "ed25519", "-out", f"{d}/s1.pem"], check=True,
                       capture_output=True)
        self.port, self.mport = free_port(socket.SOCK_DGRAM), free_port()
        self.conf = f"{d}/mailns.yaml"
        with open(self.conf, "w") as f:
            f.write(f"""server: {{ listen: [127.0.0.1:{self.port}], threads: 2, watch_files: false, state_dir: state,
          metrics_listen: 127.0.0.1:{self.mport} }}
dnssec: {{ enabled: true, key_dir: state/keys }}
mail_domains:
  - domain: example.org
    nameservers: [{{ name: ns1.example.org, ipv4: 192.0.2.53 }}]
    mail_hosts: [{{ name: mail.example.org, ipv4: 192.0.2.10 }}]
    dkim: [{{ selector: s1, key: s1.pem, state: active }}]
""")
        self.log = open(f"{d}/serve.log", "w")
        self.proc = subprocess.Popen([ARGS.mailns, "serve", "-c", self.conf], stdout=self.log, stderr=self.log)
        self.url = f"http://127.0.0.1:{self.mport}/metrics"
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                if fetch(self.url)[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        self.prom = None

    def tearDown(self):
        if self.prom:
            self.prom.terminate()
            self.prom.wait(timeout=20)
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def dig(self, name, qtype="A"):
        subprocess.run(["dig", "@127.0.0.1", "-p", str(self.port), "+time=1", "+tries=1", name, qtype],
                       capture_output=True, text=True)

    def test_metrics_are_valid_and_count(self):
        status, before = fetch(self.url)
        self.assertEqual(status, 200)
        for i in range(7):
            self.dig(f"nx{i}.example.org")
        self.dig("example.org", "MX")
        status, after = fetch(self.url)
        self.assertEqual(status, 200)
        nx = 'transport="udp",rcode="NXDOMAIN"'
        self.assertEqual(sample(after, "mailns_queries_total", nx) - sample(before, "mailns_queries_total", nx), 7)
        self.assertGreaterEqual(sample(after, "mailns_queries_total", 'transport="udp",rcode="NOERROR"'), 1)
        for needle in ["mailns_zones 1", 'mailns_zone_serial{zone="example.org"}',
                       'mailns_zone_rrsig_expiry_timestamp_seconds{zone="example.org"}',
                       'mailns_dnssec_keys{zone="example.org",role="csk",state="active"} 1',
                       'mailns_dkim_selectors{zone="example.org",state="active"} 1',
                       'mailns_reloads_total{result="ok"} 0', "mailns_reload_duration_seconds_count 0",
                       'mailns_zone_last_good_version{zone="example.org"} 0']:
            self.assertIn(needle, after)
        check = subprocess.run(["promtool", "check", "metrics"], input=after, capture_output=True, text=True)
        self.assertEqual(check.returncode, 0, check.stdout + check.stderr)

        r = subprocess.run([ARGS.mailns, "reload", "-c", self.conf], capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn('mailns_reloads_total{result="ok"} 1', fetch(self.url)[1])
        self.assertEqual(fetch(f"http://127.0.0.1:{self.mport}/other")[0], 404)

    def test_prometheus_scrapes_it(self):
        pport = free_port()
        with open(f"{self.dir}/prometheus.yml", "w") as f:
            f.write(f"""global: {{ scrape_interval: 1s, scrape_timeout: 1s }}
scrape_configs:
  - job_name: mailns
    static_configs: [{{ targets: ["127.0.0.1:{self.mport}"] }}]
""")
        plog = open(f"{self.dir}/prometheus.log", "w")
        self.prom = subprocess.Popen(["prometheus", f"--config.file={self.dir}/prometheus.yml",
                                      f"--storage.tsdb.path={self.dir}/tsdb", f"--web.listen-address=127.0.0.1:{pport}"],
                                     stdout=plog, stderr=plog)
        health = None
        deadline = time.time() + 60
        while time.time() < deadline and health != "up":
            time.sleep(0.5)
            try:
                _, body = fetch(f"http://127.0.0.1:{pport}/api/v1/targets")
                targets = json.loads(body)["data"]["activeTargets"] if body else []
                health = targets[0]["health"] if targets else None
            except (OSError, ValueError, KeyError):
                continue
        plog.close()
        self.assertEqual(health, "up", open(f"{self.dir}/prometheus.log").read()[-2000:])


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--mailns", required=True)
    ARGS, rest = p.parse_known_args()
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)
