#!/usr/bin/env python3
"""Time from running a command (a reload) until a server answers NAME A with
ADDRESS: one UDP query every 5 ms from this process (a dig per poll costs
~25 ms), so the figure is the server's, not the poller's. Prints the
milliseconds, or "timeout" after TIMEOUT seconds; the command's output goes
to stderr and it is killed when still running at the end.
usage: served_after.py PORT NAME ADDRESS TIMEOUT -- CMD..."""
import ipaddress, random, socket, struct, subprocess, sys, time


def query(name, qid):
    q = b"".join(bytes([len(l)]) + l.encode() for l in name.rstrip(".").split(".")) + b"\0"
    return struct.pack(">HHHHHH", qid, 0, 1, 0, 0, 0) + q + struct.pack(">HH", 1, 1)


def answers(msg, qid, rdata):
    # Enough for this bench: our id, NOERROR, an answer, and the address's
    # four octets in it (no name in these zones holds 0xc0 0x00).
    return (len(msg) > 12 and struct.unpack(">H", msg[:2])[0] == qid and msg[3] & 0x0F == 0
            and struct.unpack(">H", msg[6:8])[0] > 0 and rdata in msg[12:])


def main():
    port, name, addr, timeout = int(sys.argv[1]), sys.argv[2], sys.argv[3], float(sys.argv[4])
    cmd = sys.argv[sys.argv.index("--") + 1:]
    rdata = ipaddress.IPv4Address(addr).packed
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.connect(("127.0.0.1", port))
    s.settimeout(0.005)
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=sys.stderr, stderr=sys.stderr)
    result = "timeout"
    for _ in range(int(timeout / 0.005) + 1):
        if time.monotonic() - t0 > timeout:
            break
        qid = random.randrange(65536)
        sent = time.monotonic()
        try:
            s.send(query(name, qid))
            while True:  # drop late answers to earlier polls
                if answers(s.recv(4096), qid, rdata):
                    result = f"{(time.monotonic() - t0) * 1000:.0f} ms"
                    break
        except (socket.timeout, ConnectionRefusedError):
            pass
        if result != "timeout":
            break
        time.sleep(max(0.0, 0.005 - (time.monotonic() - sent)))
    try:
        proc.wait(timeout=max(1.0, timeout - (time.monotonic() - t0)))
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    print(result)


if __name__ == "__main__":
    main()
