#!/usr/bin/env python3
"""A real MTA-STS client against mailns (issue 12, item 4): `mta-sts-query`
(Debian's postfix-mta-sts-resolver, aiodns + aiohttp, the system resolver and
OpenSSL's default CA paths) fetches example.org's policy in a network
namespace made for the test, where
- mailns serves the signed zone on 127.0.0.1:53 and the policy on
  127.0.0.1:443 (mta-sts.example.org -> CNAME mail.example.org -> 127.0.0.1);
- a validating unbound on 127.0.0.2:53 has a stub-zone for example.org at
  mailns and the zone's DS (`mailns dnssec ds`) as its trust anchor;
- /etc/netns/<ns>/resolv.conf points at unbound, SSL_CERT_FILE at the test CA.
The policy must be accepted (VALID) with mode enforce and the MX; then a
reload to testing must give a new id and the new policy. Skips (with the
reason) only when network namespaces cannot be created; everything made is
removed in all cases.
usage: mta_sts_query_test.py --mailns PATH"""
import argparse, os, shutil, signal, subprocess, sys, tempfile, time, unittest

from test_ca import make_ca, make_cert
from netns_harness import NetnsHarness  # noqa: E402

ARGS = None


def config(mode):
    return f"""server: {{ listen: [127.0.0.1:53], threads: 1, watch_files: false, state_dir: state }}
dnssec: {{ enabled: true, key_dir: state/keys }}
mta_sts_server:
  listen: 127.0.0.1:443
  certificates: [{{ cert: mta-sts.pem, key: mta-sts.key }}]
mail_domains:
  - domain: example.org
    nameservers: [{{ name: ns1.example.org, ipv4: 127.0.0.1 }}]
    mail_hosts: [{{ name: mail.example.org, ipv4: 127.0.0.1, tls: {{ cert: mx.pem, key: mx.key }} }}]
    mta_sts: {{ mode: {mode}, max_age: 86400, host: mail.example.org }}
"""


def unbound_config(d, anchors):
    lines = "\n".join(f'  trust-anchor: "{a}"' for a in anchors)
    return f"""server:
  interface: 127.0.0.2
  port: 53
  do-not-query-localhost: no
  do-daemonize: no
  username: ""
  chroot: ""
  directory: "{d}"
  pidfile: "{d}/unbound.pid"
  use-syslog: no
  logfile: ""
  verbosity: 1
  val-log-level: 2
  access-control: 127.0.0.0/8 allow
  module-config: "validator iterator"
{lines}
stub-zone:
  name: "example.org"
  stub-addr: 127.0.0.1@53
remote-control:
  control-enable: no
"""


class MtaStsQuery(NetnsHarness, unittest.TestCase):
    def setUp(self):
        self.start_namespace("mailns-mta-sts-query")

    def query(self):
        env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
        env["SSL_CERT_FILE"] = f"{self.dir}/ca.pem"
        r = self.in_ns("mta-sts-query", "-v", "debug", "example.org", env=env, check=False)
        return r.stdout + r.stderr

    def write_config(self, mode):
        with open(f"{self.dir}/mailns.yaml", "w") as f:
            f.write(config(mode))

    def test_mta_sts_query_accepts_the_policy(self):
        d = self.dir
        make_ca(d)
        make_cert(d, "mta-sts", ["mta-sts.example.org"])
        make_cert(d, "mx", ["mail.example.org"])
        self.write_config("enforce")
        conf = f"{d}/mailns.yaml"
        ds = subprocess.run([ARGS.mailns, "dnssec", "ds", "-c", conf, "example.org"], capture_output=True, text=True,
                            check=True).stdout
        anchors = [" ".join(l.split()) for l in ds.splitlines() if l.split()[3:4] == ["DS"]]
        self.assertTrue(anchors, ds)
        with open(f"{d}/unbound.conf", "w") as f:
            f.write(unbound_config(d, anchors))
        subprocess.run(["unbound-checkconf", f"{d}/unbound.conf"], check=True, capture_output=True)

        self.spawn("mailns", ARGS.mailns, "serve", "-c", conf)
        self.unbound = self.spawn("unbound", "unbound", "-d", "-c", f"{d}/unbound.conf")
        # Validated (ad) through unbound: the trust anchor and the signatures hold.
        self.wait_for("a validated answer from unbound", lambda: " ad" in self.dig("+dnssec", "example.org", "SOA"),
                      ["mailns", "unbound"])
        txt = self.dig("+short", "_mta-sts.example.org", "TXT").strip()
        self.assertTrue(txt.startswith('"v=STSv1; id='), txt)
        policy_id = txt.split("id=")[1].rstrip('";')

        out = self.query()
        self.assertIn("STSFetchResult.VALID", out, out + self.log_of("mailns"))
        self.assertIn(f"'{policy_id}'", out)
        self.assertIn("'mode': 'enforce'", out)
        self.assertIn("'mx': ['mail.example.org']", out)
        self.assertIn("'max_age': 86400", out)

        # A new policy: a new id, and the client gets the new one.
        self.write_config("testing")
        r = subprocess.run([ARGS.mailns, "reload", "-c", conf], capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        out = subprocess.run(["ip", "netns", "exec", self.ns, "dig", "@127.0.0.1", "+short", "+norec",
                              "_mta-sts.example.org", "TXT"], capture_output=True, text=True).stdout.strip()
        new_id = out.split("id=")[1].rstrip('";')
        self.assertNotEqual(new_id, policy_id)
        self.assertIn("'mode': 'testing'", self.fetch_after_cache(new_id))

    def fetch_after_cache(self, new_id):
        """The client's view once unbound has dropped its cache (SIGHUP: reload)."""
        self.unbound.send_signal(signal.SIGHUP)
        deadline = time.time() + 30
        out = ""
        while time.time() < deadline:
            out = self.query()
            if f"'{new_id}'" in out:
                return out
            time.sleep(0.5)
        self.fail("mta-sts-query never saw the new id " + new_id + ":\n" + out)


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("--mailns", required=True)
    ARGS, rest = p.parse_known_args()
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)


if __name__ == "__main__":
    main()
