"""Free loopback ports for the end-to-end tests (import with tests/server on sys.path)."""
import socket


def free_port(kind=socket.SOCK_DGRAM):
    """A port on 127.0.0.1 that nothing is bound to now: UDP by default (mailns binds UDP and TCP on
    it), or kind=socket.SOCK_STREAM for a TCP-only listener."""
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p
