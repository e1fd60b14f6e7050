"""A secondary's NOTIFY port for the server tests: a thread that records the
(zone, serial) of each NOTIFY it gets on a loopback UDP port and
acknowledges it."""
import select
import socket
import threading

import dns.flags
import dns.message
import dns.opcode


class NotifyReceiver:
    """A secondary's NOTIFY port: records (zone, serial) and acknowledges."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.got = []
        self.lock = threading.Lock()
        self.stopping = False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.stopping:
            ready, _, _ = select.select([self.sock], [], [], 0.2)
            if not ready:
                continue
            data, peer = self.sock.recvfrom(65535)
            try:
                msg = dns.message.from_wire(data)
            except Exception:  # noqa: BLE001 - not ours to judge here
                continue
            if msg.opcode() != dns.opcode.NOTIFY or not msg.question:
                continue
            serial = None
            for rrset in msg.answer:
                for rr in rrset:
                    serial = getattr(rr, "serial", None)
            with self.lock:
                self.got.append((msg.question[0].name.to_text().rstrip("."), serial))
            reply = dns.message.make_response(msg)
            reply.flags |= dns.flags.AA
            self.sock.sendto(reply.to_wire(), peer)

    def take(self):
        with self.lock:
            got, self.got = self.got, []
        return got

    def close(self):
        self.stopping = True
        self.thread.join(timeout=5)
        self.sock.close()
