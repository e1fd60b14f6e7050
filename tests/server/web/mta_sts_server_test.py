#!/usr/bin/env python3
"""The MTA-STS policy endpoint (issue 12, item 4; RFC 8461 3.3), end to end on
loopback (127.0.0.1): a test CA and certificates made with openssl, `mailns
serve` with mta_sts_server, and curl/python clients:
- the policy served equals `mailns mta-sts policy`, as text/plain, for each
  domain with the certificate chosen by SNI; other hosts and paths 404, other
  methods 405, a request body refused;
- testing -> enforce and `mailns reload` change both the policy served and the
  _mta-sts TXT id (dig), and a new certificate is served after the reload; a
  certificate that does not load fails the reload and the old one stays, and
  stops a start;
- a silent client and a client sending one byte a second are cut by the
  deadline while another client is served;
- policy_dir gets the policy written, and rewritten on reload.
usage: mta_sts_server_test.py --mailns PATH"""
import argparse, hashlib, os, shutil, socket, ssl, subprocess, sys, tempfile, threading, time, unittest

from test_ca import make_ca, make_cert

ARGS = None
POLICY_PATH = "/.well-known/mta-sts.txt"


def free_port(kind=socket.SOCK_DGRAM):
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def config(dns_port, web_port, mode_org="testing"):
    return f"""server: {{ listen: [127.0.0.1:{dns_port}], threads: 1, watch_files: false, state_dir: state }}
mta_sts_server:
  listen: 127.0.0.1:{web_port}
  certificates:
    - {{ cert: org.pem, key: org.key }}
    - {{ cert: net.pem, key: net.key }}
mail_domains:
  - domain: example.org
    nameservers: [{{ name: ns1.example.org, ipv4: 192.0.2.53 }}]
    mail_hosts: [{{ name: mail.example.org, ipv4: 192.0.2.10, tls: {{ cert: mx.pem, key: mx.key }} }}]
    mta_sts: {{ mode: {mode_org}, max_age: 86400, policy_dir: www }}
  - domain: example.net
    nameservers: [{{ name: ns1.example.net, ipv4: 192.0.2.54 }}]
    mail_hosts: [{{ name: mx1.example.net, ipv4: 192.0.2.20 }}, {{ name: mx2.example.net, ipv4: 192.0.2.21 }}]
    mta_sts: {{ mode: testing }}
"""


class MtaStsServer(unittest.TestCase):
    def setUp(self):
        self.dir = d = tempfile.mkdtemp(prefix="mailns-mta-sts-")
        make_ca(d)
        make_cert(d, "org", ["mta-sts.example.org"])
        make_cert(d, "net", ["*.example.net"])
        make_cert(d, "mx", ["mail.example.org"])  # enforce needs TLS on the mail host (lint)
        self.dns_port, self.web_port = free_port(), free_port(socket.SOCK_STREAM)
        self.conf = f"{d}/mailns.yaml"
        self.write_config()
        self.proc = None
        self.log_path = f"{d}/serve.log"

    def tearDown(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def write_config(self, mode_org="testing"):
        with open(self.conf, "w") as f:
            f.write(config(self.dns_port, self.web_port, mode_org))

    def start(self):
        self.log = open(self.log_path, "a")
        self.proc = subprocess.Popen([ARGS.mailns, "serve", "-c", self.conf], stdout=self.log, stderr=self.log)
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                self.fail("mailns serve exited with %d:\n%s" % (self.proc.returncode, self.serve_log()))
            if self.txt("_mta-sts.example.org") and self.curl("mta-sts.example.org")[0] == 200:
                return
            time.sleep(0.1)
        self.fail("mailns did not serve DNS and HTTPS:\n" + self.serve_log())

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        if self.proc:
            self.log.close()
        self.proc = None

    def serve_log(self):
        with open(self.log_path) as f:
            return f.read()

    def txt(self, name):
        out = subprocess.run(["dig", "@127.0.0.1", "-p", str(self.dns_port), "+time=1", "+tries=1", "+short", name,
                              "TXT"], capture_output=True, text=True).stdout
        return out.strip()

    def policy(self, domain):
        """What `mailns mta-sts policy` prints, CRLF line ends kept."""
        return subprocess.run([ARGS.mailns, "mta-sts", "policy", "-c", self.conf, domain], capture_output=True,
                              check=True).stdout.decode()

    def curl(self, host, path=POLICY_PATH, *extra, header_host=None):
        """(status, body, content type) of https://host:port/path, the name resolved to 127.0.0.1."""
        cmd = ["curl", "-sS", "--max-time", "5", "--cacert", f"{self.dir}/ca.pem", "--resolve",
               f"{host}:{self.web_port}:127.0.0.1", "-o", f"{self.dir}/body", "-w", "%{http_code} %{content_type}",
               f"https://{host}:{self.web_port}{path}", *extra]
        if header_host:
            cmd += ["-H", f"Host: {header_host}"]
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            return None, r.stderr, None
        status, _, ctype = r.stdout.partition(" ")
        with open(f"{self.dir}/body", newline="") as f:
            return int(status), f.read(), ctype

    def peer_certificate(self, sni, check_name=True):
        """SHA-256 of the certificate presented for this SNI (chained to the test CA)."""
        ctx = ssl.create_default_context(cafile=f"{self.dir}/ca.pem")
        ctx.check_hostname = check_name
        with socket.create_connection(("127.0.0.1", self.web_port), timeout=5) as s:
            with ctx.wrap_socket(s, server_hostname=sni) as t:
                return hashlib.sha256(t.getpeercert(binary_form=True)).hexdigest()

    def policy_file(self):
        with open(f"{self.dir}/www/mta-sts.example.org/.well-known/mta-sts.txt", newline="") as f:
            return f.read()

    def reload(self):
        return subprocess.run([ARGS.mailns, "reload", "-c", self.conf], capture_output=True, text=True, timeout=60)

    def test_policies_by_host_with_the_certificate_chosen_by_sni(self):
        self.start()
        for domain in ("example.org", "example.net"):
            status, body, ctype = self.curl(f"mta-sts.{domain}")
            self.assertEqual(status, 200, body)
            self.assertEqual(body, self.policy(domain))
            self.assertEqual(ctype, "text/plain")
        self.assertIn("mx: mx2.example.net\r\n", self.curl("mta-sts.example.net")[1])
        # HEAD: the headers only.
        r = subprocess.run(["curl", "-sS", "-I", "--max-time", "5", "--cacert", f"{self.dir}/ca.pem", "--resolve",
                            f"mta-sts.example.org:{self.web_port}:127.0.0.1",
                            f"https://mta-sts.example.org:{self.web_port}{POLICY_PATH}"], capture_output=True, text=True)
        self.assertIn("200", r.stdout.splitlines()[0])
        self.assertIn(f"content-length: {len(self.policy('example.org'))}", r.stdout.lower())
        # Not the policy: 404; not GET/HEAD: 405; a body: refused.
        self.assertEqual(self.curl("mta-sts.example.org", "/")[0], 404)
        self.assertEqual(self.curl("mta-sts.example.org", "/.well-known/other.txt")[0], 404)
        self.assertEqual(self.curl("mta-sts.example.org", header_host="mta-sts.unknown.example")[0], 404)
        self.assertEqual(self.curl("mta-sts.example.org", header_host="www.example.org")[0], 404)
        self.assertEqual(self.curl("mta-sts.example.org", POLICY_PATH, "-X", "DELETE")[0], 405)
        self.assertIn(self.curl("mta-sts.example.org", POLICY_PATH, "-d", "x=1")[0], (None, 400, 413))
        # An unknown SNI gets the first certificate (the default).
        self.assertEqual(self.peer_certificate("unknown.example", check_name=False), self.peer_certificate("mta-sts.example.org"))
        self.assertNotEqual(self.peer_certificate("mta-sts.example.net"), self.peer_certificate("mta-sts.example.org"))

    def test_reload_changes_the_policy_the_id_and_the_certificate(self):
        self.start()
        before_txt = self.txt("_mta-sts.example.org")
        self.assertIn("mode: testing\r\n", self.curl("mta-sts.example.org")[1])
        self.assertEqual(self.policy_file(), self.policy("example.org"))  # written at start
        self.assertFalse(os.path.exists(f"{self.dir}/www/mta-sts.example.net"))  # no policy_dir there
        old_cert = self.peer_certificate("mta-sts.example.org")
        self.write_config("enforce")
        make_cert(self.dir, "org", ["mta-sts.example.org"])  # a new certificate and key
        r = self.reload()
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        status, body, _ = self.curl("mta-sts.example.org")
        self.assertEqual(status, 200)
        self.assertIn("mode: enforce\r\n", body)
        self.assertEqual(body, self.policy("example.org"))
        after_txt = self.txt("_mta-sts.example.org")
        self.assertNotEqual(after_txt, before_txt)
        self.assertTrue(after_txt.startswith('"v=STSv1; id='), after_txt)
        self.assertEqual(self.policy_file(), body)  # policy_dir follows
        new_cert = self.peer_certificate("mta-sts.example.org")
        self.assertNotEqual(new_cert, old_cert)
        # A key that does not load: the reload fails, names the file, the certificates stay.
        with open(f"{self.dir}/org.key", "w") as f:
            f.write("not a key\n")
        r = self.reload()
        self.assertNotEqual(r.returncode, 0, r.stdout)
        self.assertIn(f"cannot load the private key {self.dir}/org.key", r.stdout + r.stderr)
        self.assertEqual(self.peer_certificate("mta-sts.example.org"), new_cert)
        self.assertEqual(self.curl("mta-sts.example.org")[0], 200)
        # ... and stops a start.
        self.stop()
        r = subprocess.run([ARGS.mailns, "serve", "-c", self.conf], capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("cannot load the private key", r.stderr)
        self.assertIn("not starting", r.stderr)

    def test_slow_clients_are_cut_by_the_deadline_while_others_are_served(self):
        self.start()
        silent = socket.create_connection(("127.0.0.1", self.web_port), timeout=30)
        dribble_done = {}

        def dribble():
            ctx = ssl.create_default_context(cafile=f"{self.dir}/ca.pem")
            started = time.time()
            try:
                with socket.create_connection(("127.0.0.1", self.web_port), timeout=30) as s:
                    with ctx.wrap_socket(s, server_hostname="mta-sts.example.org") as t:
                        request = b"GET " + POLICY_PATH.encode() + b" HTTP/1.1\r\nHost: mta-sts.example.org\r\n"
                        for i in range(40):  # at most 40 s; the deadline is 10 s
                            t.sendall(request[i % len(request):i % len(request) + 1])
                            time.sleep(1)
            except (OSError, ssl.SSLError):
                pass
            dribble_done["seconds"] = time.time() - started

        t = threading.Thread(target=dribble)
        t.start()
        started = time.time()
        # Meanwhile another client is served, more than once.
        for _ in range(3):
            self.assertEqual(self.curl("mta-sts.example.org")[0], 200)
            time.sleep(1)
        silent.settimeout(20)
        try:
            self.assertEqual(silent.recv(1), b"")  # closed by the server
        except ConnectionResetError:
            pass
        self.assertLess(time.time() - started, 15)
        t.join(timeout=40)
        self.assertFalse(t.is_alive())
        self.assertGreater(dribble_done["seconds"], 8)
        self.assertLess(dribble_done["seconds"], 15)
        silent.close()
        self.assertEqual(self.curl("mta-sts.example.org")[0], 200)


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("--mailns", required=True)
    ARGS, rest = p.parse_known_args()
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)


if __name__ == "__main__":
    main()
