#!/usr/bin/env python3
"""Crash consistency (issue 19): `mailns serve` under an LD_PRELOAD shim that
makes every fsync slow (fsync_delay_shim.c), killed with SIGKILL at random
moments, again and again, across key creation for new zones (at start and at
a reload; zones with a KSK and a ZSK and zones with a CSK), ZSK, KSK and
CSK rollovers (requested with `mailns dnssec rollover`,
carried out at start or at the running server's next re-sign), re-signing
(seconds-long signatures: a re-sign every few seconds) and reloads (SIGHUP).

Half of the kills land during a start (0-1.5 s after it), the others while
serving; a start after a kill during a start is never itself killed early, so
every kill is followed by a start that is checked. After every kill:
  - `mailns check-config` exits 0 and names exactly the leftovers the next
    start adopts or moves aside (compared with that start's log);
  - the next start serves every zone signed (SOA and DNSKEY with RRSIGs over
    DO=1 on loopback) within its normal start time;
  - every key ever seen in a zone's DNSKEY RRset is still in it (no rollover
    can finish within the test: the propagation delay is an hour);
  - no serial ever goes back;
  - the KSKs (flags 257) and the CDS change only after a KSK rollover
    request (the CDS never: a new KSK is not ready within the test).
The number of kills is --kills (default 50) within --budget seconds (default
150): when the budget runs out first the test says how many it did and
passes if at least --min-kills (default 30) were done.
Loopback only (127.0.0.1).
usage: crash_test.py --mailns PATH --shim PATH"""
import argparse
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

import dns.dnssec
import dns.flags
import dns.message
import dns.query
import dns.rdatatype

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from loopback import free_port  # noqa: E402

ARGS = None
START_TIMEOUT = 20  # seconds: a start under the slow disk takes 1-3 s
FSYNC_DELAY_MS = "200"
DECISION = re.compile(r"(\S+): (adopted as|the next start adopts it as|adopted into|the next start adopts it into|"
                      r"moved aside to|the next start moves it aside to) ")


def decisions(text):
    """{path: "adopt"|"aside"} named in a log or check-config's output."""
    out = {}
    for m in DECISION.finditer(text):
        out[m.group(1)] = "adopt" if "adopt" in m.group(2) else "aside"
    return out


def first_keys(text):
    """Zones whose first keys a start makes (its log) or will make (check-config)."""
    made = re.findall(r"(\S+?)\.?: (?:no DNSSEC keys yet|created DNSSEC keys)", text)
    return sorted(set(made))


def serial_greater_or_equal(a, b):
    """RFC 1982: a >= b."""
    return a == b or (0 < (a - b) % 2**32 < 2**31)


class CrashConsistency(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="mailns-crash-")
        self.port = free_port()
        self.conf = os.path.join(self.dir, "mailns.yaml")
        self.zones = ["mail0.test", "mail1.test", "mail2.test"]
        # Added during the run; the odd ones sign with a CSK (their own dnssec: keys: csk).
        self.spare = ["mail%d.test" % i for i in range(3, 11)]
        self.write_config()
        self.proc = None
        self.starts = 0
        self.rng = random.Random(int(os.environ.get("CRASH_SEED", str(int(time.time())))))
        # What was seen: per zone, every DNSKEY tag, the KSK tags, the CDS, the last serial.
        self.seen_tags = {}
        self.ksk_tags = {}
        self.cds = {}
        self.serials = {}
        self.ksk_requested = set()

    def tearDown(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if os.environ.get("CRASH_KEEP"):
            print("kept", self.dir, file=sys.stderr)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)

    def write_config(self):
        domains = ""
        for i, z in enumerate(self.zones):
            domains += f"""  - domain: {z}
    ttl: 60
    nameservers: [{{ name: ns1.{z}, ipv4: 192.0.2.{i + 1} }}]
    mail_hosts: [{{ name: mx.{z}, ipv4: 192.0.2.{i + 101} }}]
""" + ("    dnssec: { keys: csk }\n" if self.csk(z) else "")
        tmp = self.conf + ".new"
        with open(tmp, "w") as f:
            f.write(f"""server: {{ listen: [127.0.0.1:{self.port}], threads: 2, watch_files: false, state_dir: state }}
dnssec: {{ enabled: true, algorithm: ecdsap256sha256, keys: ksk_zsk, denial: nsec3, key_dir: state/keys,
          signature_validity: 15s, refresh_before: 11s }}
mail_domains:
{domains}""")
        os.replace(tmp, self.conf)

    @staticmethod
    def csk(zone):
        return int(zone[4:zone.index(".")]) % 2 == 1 and zone != "mail1.test"

    def mailns(self, *args):
        return subprocess.run([ARGS.mailns, *args], capture_output=True, text=True, timeout=60)

    def start(self):
        self.starts += 1
        self.log_path = os.path.join(self.dir, "serve-%03d.log" % self.starts)
        env = dict(os.environ, LD_PRELOAD=ARGS.shim, MAILNS_FSYNC_DELAY_MS=FSYNC_DELAY_MS)
        with open(self.log_path, "w") as log:
            self.proc = subprocess.Popen([ARGS.mailns, "serve", "-c", self.conf], stdout=log, stderr=log, env=env)
        self.started_at = time.monotonic()

    def log(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def ask(self, name, qtype):
        q = dns.message.make_query(name, qtype, want_dnssec=True, use_edns=0, payload=4096)
        return dns.query.udp(q, "127.0.0.1", port=self.port, timeout=0.5)

    def rrsets(self, name, qtype, tries=3):
        """(the RRset asked for, whether it came signed), or (None, False)."""
        for attempt in range(tries):
            try:
                r = self.ask(name, qtype)
                break
            except Exception:  # not answering yet, or a datagram lost on a busy machine
                if attempt == tries - 1:
                    return None, False
                time.sleep(0.05)
        want = dns.rdatatype.from_text(qtype)
        main = [s for s in r.answer if s.rdtype == want]
        sigs = [s for s in r.answer if s.rdtype == dns.rdatatype.RRSIG and s.covers == want]
        return (main[0] if main else None), bool(sigs)

    def wait_until_served_signed(self):
        deadline = self.started_at + START_TIMEOUT
        pending = list(self.zones)
        while pending:
            if self.proc.poll() is not None:
                self.fail("mailns serve exited with %d (start %d):\n%s" % (self.proc.returncode, self.starts, self.log()))
            if time.monotonic() > deadline:
                self.fail("start %d: %s not served signed within %d s:\n%s" %
                          (self.starts, ", ".join(pending), START_TIMEOUT, self.log()))
            soa, soa_signed = self.rrsets(pending[0], "SOA")
            dnskey, dnskey_signed = self.rrsets(pending[0], "DNSKEY")
            if soa is not None and soa_signed and dnskey is not None and dnskey_signed:
                pending.pop(0)
            else:
                time.sleep(0.05)
        self.slowest_start = max(getattr(self, "slowest_start", 0), time.monotonic() - self.started_at)

    def check_invariants(self):
        for z in self.zones:
            soa, _ = self.rrsets(z, "SOA")
            dnskey, _ = self.rrsets(z, "DNSKEY")
            cds, _ = self.rrsets(z, "CDS")
            self.assertIsNotNone(soa, z)
            self.assertIsNotNone(dnskey, z)
            serial = soa[0].serial
            if z in self.serials:
                self.assertTrue(serial_greater_or_equal(serial, self.serials[z]),
                                "%s: serial went back from %d to %d (start %d)" % (z, self.serials[z], serial, self.starts))
            self.serials[z] = serial
            tags = {dns.dnssec.key_id(k) for k in dnskey}
            lost = self.seen_tags.get(z, set()) - tags
            self.assertFalse(lost, "%s: published keys %s disappeared from DNSKEY (start %d):\n%s" %
                             (z, sorted(lost), self.starts, self.log()))
            self.seen_tags.setdefault(z, set()).update(tags)
            ksks = {dns.dnssec.key_id(k) for k in dnskey if k.flags == 257}
            if z in self.ksk_tags and z not in self.ksk_requested:
                self.assertEqual(ksks, self.ksk_tags[z], "%s: the KSKs changed without a KSK rollover request" % z)
            self.ksk_tags[z] = ksks
            cds_now = sorted(r.to_text() for r in cds) if cds is not None else []
            if z in self.cds:
                self.assertEqual(cds_now, self.cds[z], "%s: the CDS (the DS the parent takes) changed" % z)
            self.cds[z] = cds_now

    def check_config_matches_start(self):
        """check-config before a start: exit 0 and the same decisions as the start's log."""
        r = self.mailns("check-config", "-c", self.conf)
        self.assertEqual(r.returncode, 0, "check-config after a kill:\n" + r.stdout + r.stderr)
        return decisions(r.stdout + r.stderr), first_keys(r.stdout + r.stderr)

    # Actions that make the next kill land in an interesting place.
    def add_zone(self):
        if not self.spare:
            return None
        z = self.spare.pop(0)
        self.zones.append(z)
        self.write_config()
        return z

    def request_rollover(self):
        z = self.rng.choice(self.zones)
        role = [] if self.csk(z) else [self.rng.choice(["--zsk", "--zsk", "--ksk"])]
        r = self.mailns("dnssec", "rollover", "-c", self.conf, z, *role)
        if r.returncode == 0 and role != ["--zsk"]:
            self.ksk_requested.add(z)  # a KSK or CSK: new flags-257 keys may appear

    def test_sigkill_at_random_moments(self):
        budget_end = time.monotonic() + ARGS.budget
        kills = early = adopted = moved = 0
        last_was_early = True  # the very first start is checked too
        while kills < ARGS.kills and time.monotonic() < budget_end:
            before = self.rng.random()
            if before < 0.25:
                self.add_zone()          # its keys are made by this start
            elif before < 0.5:
                self.request_rollover()  # carried out by this start
            expected = self.check_config_matches_start()
            self.start()
            if not last_was_early and self.rng.random() < 0.5:
                # A kill during the start: signing, key creation, first writes.
                time.sleep(self.rng.uniform(0.0, 1.5))
                self.kill()
                kills += 1
                early += 1
                last_was_early = True
                # This start's decisions may be cut short; check-config next
                # time is compared with the next start instead.
                continue
            last_was_early = False
            self.wait_until_served_signed()
            got = decisions(self.log())
            expected, expected_first = expected
            self.assertEqual(first_keys(self.log()), expected_first,
                             "check-config and start %d disagree on which zones get their first keys:\n%s" %
                             (self.starts, self.log()))
            self.assertEqual(got, expected, "check-config and start %d disagree:\n%s" % (self.starts, self.log()))
            adopted += sum(1 for v in got.values() if v == "adopt")
            moved += sum(1 for v in got.values() if v == "aside")
            self.check_invariants()
            during = self.rng.random()
            if during < 0.3 and self.add_zone():
                self.proc.send_signal(signal.SIGHUP)  # a reload that makes the new zone's keys
            elif during < 0.6:
                self.request_rollover()               # done at the next re-sign (every few seconds)
            time.sleep(self.rng.uniform(0.0, 2.5))
            self.kill()
            kills += 1
        # The start after the last kill.
        self.check_config_matches_start()
        self.start()
        self.wait_until_served_signed()
        self.check_invariants()
        print("crash test: %d kills (%d during a start), %d starts, %d leftovers adopted, %d moved aside, %d zones, "
              "slowest start to all zones signed %.1f s" %
              (kills, early, self.starts, adopted, moved, len(self.zones), self.slowest_start), file=sys.stderr)
        self.assertGreaterEqual(kills, min(ARGS.kills, ARGS.min_kills),
                                "only %d kills fit in the time budget" % kills)
        self.kill()


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("--mailns", required=True)
    p.add_argument("--shim", required=True)
    p.add_argument("--kills", type=int, default=50)
    p.add_argument("--min-kills", type=int, default=30)
    p.add_argument("--budget", type=float, default=150)
    ARGS, rest = p.parse_known_args()
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)


if __name__ == "__main__":
    main()
