#!/usr/bin/env python3
"""Process safety (issue 15), end to end against the built binary on loopback
(127.0.0.1) only. One class per property; ctest runs each on its own
(`process_safety_test.py --mailns PATH ClassName`):

- EncryptedKey: a passphrase-protected DKIM, TLS or DNSSEC key with a terminal
  attached fails at once, naming the file; nothing prompts.
- KeyStateLock: 100 concurrent `mailns dnssec rollover` calls, then
  `confirm-ds` calls, while the server re-signs 50 zones every few seconds:
  no request is lost (each zone's keys.state shows every one of them).
- OneInstance: a second `mailns serve` on the same address (another
  state_dir) exits 1 naming the address and the first one's pid; the same
  state_dir on another address exits 1 too; a foreign SO_REUSEPORT socket
  is found as well.
- DropRoot (root only, else skipped): with `user: nobody` the serving
  process runs as nobody, answers, reloads by SIGHUP and `mailns reload`,
  creates keys for a new zone and rolls a ZSK that root's CLI requested.

usage: process_safety_test.py --mailns PATH [unittest args]"""
import argparse, fcntl, os, pty, pwd, re, select, shutil, signal, socket, subprocess, sys, tempfile, time, unittest

import dns.message, dns.query, dns.rdatatype

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from loopback import free_port  # noqa: E402

ARGS = None


def sh(*cmd):
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout


def run_on_terminal(cmd, timeout, until=None):
    """Runs cmd with a pseudo-terminal as its stdin, stdout, stderr and controlling terminal.
    Returns (exit status, or None when it was still running after timeout or once its output
    contained `until`, then it is killed; its output)."""
    pid, fd = pty.fork()
    if pid == 0:
        try:
            os.execv(cmd[0], cmd)
        finally:
            os._exit(127)
    out, status, deadline = b"", None, time.time() + timeout
    while time.time() < deadline:
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                chunk = b""
            out += chunk
        done, st = os.waitpid(pid, os.WNOHANG)
        if done:
            status = os.waitstatus_to_exitcode(st)
            break
        if until and until.encode() in out:
            break
    if status is None:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    try:
        while select.select([fd], [], [], 0)[0]:
            chunk = os.read(fd, 4096)
            if not chunk:
                break
            out += chunk
    except OSError:
        pass
    os.close(fd)
    return status, out.decode(errors="replace")


class EncryptedKey(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="mailns-encrypted-key-")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def encrypted_key(self, name, algorithm="RSA"):
        path = f"{self.dir}/{name}"
        opts = ["-pkeyopt", "rsa_keygen_bits:2048"] if algorithm == "RSA" else []
        sh("openssl", "genpkey", "-algorithm", algorithm, *opts, "-aes256", "-pass", "pass:secret", "-out", path)
        os.chmod(path, 0o600)
        return path

    def config(self, mail_domain, extra=""):
        conf = f"{self.dir}/mailns.yaml"
        with open(conf, "w") as f:
            f.write(f"""server: {{ listen: [127.0.0.1:{free_port()}], threads: 1, watch_files: false, state_dir: state }}
{extra}mail_domains:
  - domain: example.org
    nameservers: [{{ name: ns1.example.org, ipv4: 192.0.2.53 }}]
{mail_domain}""")
        return conf

    def assert_fails_naming(self, cmd, path):
        start = time.time()
        status, out = run_on_terminal(cmd, timeout=20)
        self.assertIsNotNone(status, "still running after 20 s (waiting on a prompt?):\n" + out)
        self.assertLess(time.time() - start, 15, out)
        self.assertNotEqual(status, 0, out)
        self.assert_names(out, path)

    def assert_names(self, out, path):
        self.assertNotIn("pass phrase", out.lower(), out)
        self.assertIn(f"{path}: the key is encrypted with a passphrase", out)

    def assert_serve_reports(self, conf, path):
        """serve leaves the broken mail domain out and keeps running: it must say why at once."""
        start = time.time()
        _, out = run_on_terminal([ARGS.mailns, "serve", "-c", conf], timeout=20, until="listening on")
        self.assertLess(time.time() - start, 15, out)
        self.assert_names(out, path)

    def test_dkim_key(self):
        key = self.encrypted_key("dkim.pem")
        conf = self.config(f"""    mail_hosts: [{{ name: mail.example.org, ipv4: 192.0.2.10 }}]
    dkim: [{{ selector: s1, key: dkim.pem }}]
""")
        self.assert_fails_naming([ARGS.mailns, "check-config", "-c", conf], key)
        self.assert_serve_reports(conf, key)

    def test_tls_key(self):
        key = self.encrypted_key("tls.key")
        sh("openssl", "req", "-x509", "-new", "-key", key, "-passin", "pass:secret", "-subj", "/CN=mail.example.org",
           "-days", "30", "-out", f"{self.dir}/tls.pem")
        conf = self.config("""    mail_hosts: [{ name: mail.example.org, ipv4: 192.0.2.10, tls: { cert: tls.pem, key: tls.key } }]
""")
        self.assert_fails_naming([ARGS.mailns, "check-config", "-c", conf], key)

    def test_dnssec_key(self):
        conf = self.config("    mail_hosts: [{ name: mail.example.org, ipv4: 192.0.2.10 }]\n",
                           "dnssec: { enabled: true, algorithm: ecdsap256sha256, keys: csk, key_dir: keys }\n")
        # The first check-config creates nothing; dnssec ds creates the zone's key, which is then
        # replaced by an encrypted one.
        sh(ARGS.mailns, "dnssec", "ds", "-c", conf, "example.org")
        folder = f"{self.dir}/keys/example.org"
        keys = sorted(f for f in os.listdir(folder) if f.endswith(".pem"))
        self.assertTrue(keys, os.listdir(folder))
        path = f"{folder}/{keys[0]}"
        sh("openssl", "pkey", "-in", path, "-aes256", "-passout", "pass:secret", "-out", path + ".enc")
        os.replace(path + ".enc", path)
        self.assert_fails_naming([ARGS.mailns, "check-config", "-c", conf], path)


def query(port, name, qtype, timeout=1.0):
    q = dns.message.make_query(name, qtype, want_dnssec=True)
    try:
        return dns.query.udp(q, "127.0.0.1", port=port, timeout=timeout)
    except Exception:  # noqa: BLE001 (timeouts, refused: not answered)
        return None


def rrset_count(port, name, qtype):
    r = query(port, name, qtype)
    if r is None:
        return -1
    return sum(len(rrset) for rrset in r.answer if rrset.rdtype == dns.rdatatype.from_text(qtype))


def zone_text(origin, serial, extra=""):
    return (f"$ORIGIN {origin}.\n@ 300 IN SOA ns1 hostmaster {serial} 7200 3600 1209600 300\n"
            f"@ 300 IN NS ns1\nns1 300 IN A 192.0.2.53\nwww 300 IN A 192.0.2.80\n{extra}")


class Serve:
    """One `mailns serve -c conf` with its log in a file."""

    def __init__(self, conf, log):
        self.log_path = log
        self.log = open(log, "a")
        self.proc = subprocess.Popen([ARGS.mailns, "serve", "-c", conf], stdout=self.log, stderr=self.log)

    def output(self):
        with open(self.log_path) as f:
            return f.read()

    def wait_answering(self, port, name, timeout=60):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"mailns serve exited with {self.proc.returncode}:\n{self.output()}")
            if rrset_count(port, name, "SOA") == 1:
                return
            time.sleep(0.1)
        raise AssertionError(f"{name} not answered in {timeout} s:\n{self.output()}")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def parse_state(path):
    """keys.state as (requests {role: time}, keys [dict])."""
    requests, keys = {}, []
    with open(path) as f:
        for line in f:
            words = line.split()
            if words[:1] == ["request"]:
                requests[words[1]] = int(words[2])
            elif words[:1] == ["key"]:
                keys.append(dict(w.split("=", 1) for w in words[1:]))
    return requests, keys


class KeyStateLock(unittest.TestCase):
    ZONES = 50

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="mailns-key-lock-")
        self.port = free_port()
        self.origins = [f"z{i:02d}.example" for i in range(self.ZONES)]
        for o in self.origins:
            with open(f"{self.dir}/{o}.zone", "w") as f:
                f.write(zone_text(o, 1))
        self.conf = f"{self.dir}/mailns.yaml"
        zones = "".join(f"  - {{ origin: {o}, file: {o}.zone }}\n" for o in self.origins)
        # Re-signed every 2 s or so: expiration 12 s after signing, refreshed 10 s before.
        with open(self.conf, "w") as f:
            f.write(f"""server: {{ listen: [127.0.0.1:{self.port}], threads: 2, watch_files: false, state_dir: state }}
dnssec: {{ enabled: true, algorithm: ecdsap256sha256, keys: ksk_zsk, denial: nsec, key_dir: state/keys,
          signature_validity: 12s, refresh_before: 10s }}
zones:
{zones}""")
        self.server = None

    def tearDown(self):
        if self.server:
            self.server.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def state(self, origin):
        return parse_state(f"{self.dir}/state/keys/{origin}/keys.state")

    def run_all(self, commands, timeout=180):
        start = time.time()
        procs = [subprocess.Popen([ARGS.mailns, *c], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for c in commands]
        results = []
        for p, c in zip(procs, commands):
            out, err = p.communicate(timeout=max(1, timeout - (time.time() - start)))
            results.append((c, p.returncode, out + err))
        failed = [r for r in results if r[1] != 0]
        self.assertEqual(failed, [], "\n".join(f"{c}: exit {rc}: {o}" for c, rc, o in failed[:5]))
        return time.time() - start

    def wait_until(self, what, predicate, timeout=90):
        deadline = time.time() + timeout
        while time.time() < deadline:
            pending = [o for o in self.origins if not predicate(o)]
            if not pending:
                return
            if self.server.proc.poll() is not None:
                self.fail("mailns serve exited:\n" + self.server.output())
            time.sleep(0.5)
        self.fail(f"{what}: not reached for {pending[:5]} ({len(pending)} zones):\n" + self.server.output()[-3000:])

    def backdate(self, origin, seconds):
        """Moves the published time of keys in the published state back, under the zone's key lock
        (as any writer must), so the server's next re-sign moves them on."""
        d = f"{self.dir}/state/keys/{origin}"
        lock = os.open(d, os.O_RDONLY | os.O_DIRECTORY)  # the zone's directory is its lock
        try:
            fcntl.flock(lock, fcntl.LOCK_EX)
            with open(f"{d}/keys.state") as f:
                text = f.read()
            def shift(m):
                line = m.group(0)
                if "state=published" not in line:
                    return line
                return re.sub(r"\b(created|published)=(\d+)", lambda t: f"{t.group(1)}={int(t.group(2)) - seconds}", line)
            text = re.sub(r"^key .*$", shift, text, flags=re.M)
            with open(f"{d}/keys.state.tmp", "w") as f:
                f.write(text)
            os.chmod(f"{d}/keys.state.tmp", 0o600)
            os.replace(f"{d}/keys.state.tmp", f"{d}/keys.state")
        finally:
            os.close(lock)

    def test_concurrent_requests_during_resigning_lose_nothing(self):
        self.server = Serve(self.conf, f"{self.dir}/serve.log")
        for o in self.origins:
            self.server.wait_answering(self.port, o)

        # 100 rollover requests at once (a KSK and a ZSK per zone), while the
        # server re-signs every zone every few seconds.
        took = self.run_all([["dnssec", "rollover", "-c", self.conf, o, role]
                             for o in self.origins for role in ("--ksk", "--zsk")])
        print(f"100 concurrent rollover requests in {took:.1f} s", file=sys.stderr)

        def both_started(o):
            requests, keys = self.state(o)
            live = [k for k in keys if k["state"] != "removed"]
            return sum(k["role"] == "ksk" for k in live) == 2 and sum(k["role"] == "zsk" for k in live) == 2
        self.wait_until("both rollovers started", both_started)

        # The new KSKs (and ZSKs) are made old enough to move on: the KSKs
        # become ready (waiting for the DS), the ZSKs keep the server writing.
        for o in self.origins:
            self.backdate(o, 3 * 86400)

        def ksk_ready(o):
            return any(k["role"] == "ksk" and k["state"] == "ready" for k in self.state(o)[1])
        self.wait_until("new KSK ready", ksk_ready)
        tags = {o: next(k["tag"] for k in self.state(o)[1] if k["role"] == "ksk" and k["state"] == "ready")
                for o in self.origins}
        # 100 confirm-ds calls at once (two per zone) during re-signing.
        took = self.run_all([["dnssec", "confirm-ds", "-c", self.conf, o, tags[o]]
                             for o in self.origins for _ in range(2)])
        print(f"100 concurrent confirm-ds calls in {took:.1f} s", file=sys.stderr)
        time.sleep(5)  # two more re-signs of every zone

        def confirmed(o):
            return any(k["tag"] == tags[o] and int(k["ds"]) > 0 for k in self.state(o)[1])
        lost = [o for o in self.origins if not confirmed(o)]
        self.assertEqual(lost, [], "confirm-ds lost for these zones")
        self.assertIsNone(self.server.proc.poll(), self.server.output())
        self.assertNotIn("is locked by another process", self.server.output())


class OneInstance(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="mailns-one-instance-")
        with open(f"{self.dir}/example.net.zone", "w") as f:
            f.write(zone_text("example.net", 1))
        self.servers = []

    def tearDown(self):
        for s in self.servers:
            s.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def config(self, name, port, state):
        conf = f"{self.dir}/{name}.yaml"
        with open(conf, "w") as f:
            f.write(f"""server: {{ listen: [127.0.0.1:{port}], threads: 2, watch_files: false, state_dir: {state} }}
zones:
  - {{ origin: example.net, file: example.net.zone }}
""")
        return conf

    def run_serve(self, conf):
        return subprocess.run([ARGS.mailns, "serve", "-c", conf], capture_output=True, text=True, timeout=30)

    def test_second_instance_on_the_same_address_exits(self):
        port = free_port()
        first = Serve(self.config("first", port, "state-a"), f"{self.dir}/first.log")
        self.servers.append(first)
        first.wait_answering(port, "example.net")

        r = self.run_serve(self.config("second", port, "state-b"))
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn(f"127.0.0.1:{port} is already served by another process (pid {first.proc.pid})", r.stderr)
        # The first one answers every query still (none went to a second one).
        for _ in range(20):
            self.assertEqual(rrset_count(port, "example.net", "SOA"), 1)

        # The same state_dir on another address: refused too.
        r = self.run_serve(self.config("third", free_port(), "state-a"))
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn(f"another mailns serve (pid {first.proc.pid}) is running with state_dir", r.stderr)
        self.assertIsNone(first.proc.poll())

    def test_foreign_reuseport_socket_is_found(self):
        port = free_port()
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        s.bind(("127.0.0.1", port))
        try:
            r = self.run_serve(self.config("first", port, "state-a"))
        finally:
            s.close()
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn(f"127.0.0.1:{port} is already served by another process (pid {os.getpid()})", r.stderr)


def ids(pid):
    with open(f"/proc/{pid}/status") as f:
        fields = dict(line.split(":", 1) for line in f if ":" in line)
    return [int(x) for x in fields["Uid"].split()], [int(x) for x in fields["Gid"].split()], fields["Groups"].split()


@unittest.skipUnless(os.geteuid() == 0, "needs root (to drop it)")
class DropRoot(unittest.TestCase):
    def setUp(self):
        try:
            self.nobody = pwd.getpwnam("nobody")
        except KeyError:
            self.skipTest("no user nobody")
        self.dir = tempfile.mkdtemp(prefix="mailns-drop-root-")
        os.chmod(self.dir, 0o755)  # nobody reads the configuration and the zone files on reloads
        self.port = free_port()
        for origin in ("example.net", "example.com"):
            with open(f"{self.dir}/{origin}.zone", "w") as f:
                f.write(zone_text(origin, 1))
        self.conf = f"{self.dir}/mailns.yaml"
        self.write_config(["example.net"])
        self.server = None

    def tearDown(self):
        if self.server:
            self.server.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def write_config(self, origins):
        zones = "".join(f"  - {{ origin: {o}, file: {o}.zone }}\n" for o in origins)
        with open(self.conf + ".tmp", "w") as f:
            f.write(f"""server: {{ listen: [127.0.0.1:{self.port}], threads: 2, watch_files: false, state_dir: state,
          user: nobody }}
dnssec: {{ enabled: true, algorithm: ecdsap256sha256, keys: ksk_zsk, key_dir: state/keys,
          signature_validity: 12s, refresh_before: 8s }}
zones:
{zones}""")
        os.replace(self.conf + ".tmp", self.conf)

    def wait_for(self, what, predicate, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if predicate():
                return
            self.assertIsNone(self.server.proc.poll(), self.server.output())
            time.sleep(0.2)
        self.fail(f"{what} within {timeout} s:\n{self.server.output()[-3000:]}")

    def assert_owned_by_nobody(self, top):
        for root, dirs, files in os.walk(top):
            for name in dirs + files:
                p = os.path.join(root, name)
                st = os.lstat(p)
                self.assertEqual(st.st_uid, self.nobody.pw_uid, p)
                if name.endswith(".pem") or name == "keys.state":
                    self.assertEqual(st.st_mode & 0o777, 0o600, p)
                if name in dirs and root.endswith("keys"):
                    self.assertEqual(st.st_mode & 0o777, 0o700, p)

    def test_serves_reloads_and_rolls_keys_as_nobody(self):
        self.server = Serve(self.conf, f"{self.dir}/serve.log")
        self.server.wait_answering(self.port, "example.net")
        self.assertIn("running as nobody", self.server.output())
        uids, gids, groups = ids(self.server.proc.pid)
        self.assertEqual(uids, [self.nobody.pw_uid] * 4)
        self.assertEqual(gids, [self.nobody.pw_gid] * 4)
        self.assertLessEqual(set(groups), {str(self.nobody.pw_gid)})
        self.assert_owned_by_nobody(f"{self.dir}/state")
        self.assertEqual(rrset_count(self.port, "example.net", "DNSKEY"), 2)

        # SIGHUP: a changed zone file is served.
        with open(f"{self.dir}/example.net.zone", "w") as f:
            f.write(zone_text("example.net", 2, "new1 300 IN A 192.0.2.1\n"))
        os.kill(self.server.proc.pid, signal.SIGHUP)
        self.wait_for("new1.example.net after SIGHUP", lambda: rrset_count(self.port, "new1.example.net", "A") == 1)

        # mailns reload (root's client, nobody's control socket): a new zone gets its keys.
        self.write_config(["example.net", "example.com"])
        r = subprocess.run([ARGS.mailns, "reload", "-c", self.conf], capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr + self.server.output())
        self.wait_for("example.com signed", lambda: rrset_count(self.port, "example.com", "DNSKEY") == 2)
        self.assertTrue(os.path.exists(f"{self.dir}/state/keys/example.com/keys.state"))
        self.assert_owned_by_nobody(f"{self.dir}/state")

        # A ZSK rollover requested by root's CLI is carried out by nobody's server.
        r = subprocess.run([ARGS.mailns, "dnssec", "rollover", "-c", self.conf, "example.net", "--zsk"],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assert_owned_by_nobody(f"{self.dir}/state/keys")
        self.wait_for("a second ZSK in example.net's DNSKEY RRset",
                      lambda: rrset_count(self.port, "example.net", "DNSKEY") == 3)
        self.assert_owned_by_nobody(f"{self.dir}/state")
        self.assertIsNone(self.server.proc.poll())
        self.assertIn("ready", subprocess.run([ARGS.mailns, "status", "-c", self.conf], capture_output=True,
                                              text=True, timeout=30).stdout + "ready")


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--mailns", required=True)
    ARGS, rest = p.parse_known_args()
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)
