"""Free loopback ports for the end-to-end tests (import with tests/server on sys.path)."""
import socket


def free_port():
    """A UDP port on 127.0.0.1 that nothing is bound to now (mailns binds UDP and TCP on it)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p
