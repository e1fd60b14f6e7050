"""dig against a server under test on loopback, for the server tests."""
import subprocess


def dig_answers(port, name, qtype, *extra):
    """The answer lines (no comments) of `dig @127.0.0.1 -p PORT NAME QTYPE EXTRA...`."""
    cmd = ["dig", "@127.0.0.1", "-p", str(port), "+time=2", "+tries=1", "+norec", "+noall", "+answer",
           name, qtype, *extra]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=30).stdout
    return [l for l in out.splitlines() if l and not l.startswith(";")]
