"""Free loopback ports for the end-to-end tests (import with tests/server on sys.path)."""
import socket


def free_port(kind=socket.SOCK_DGRAM):
    """A port on 127.0.0.1 that nothing is bound to now, for UDP and TCP both (mailns binds both on
    it, and refuses a port another process holds with either). kind is kept for the callers that
    name the one they need; the port is free for both anyway."""
    for _ in range(50):
        first = socket.socket(socket.AF_INET, kind)
        first.bind(("127.0.0.1", 0))
        port = first.getsockname()[1]
        other = socket.socket(socket.AF_INET, socket.SOCK_STREAM if kind == socket.SOCK_DGRAM else socket.SOCK_DGRAM)
        try:
            other.bind(("127.0.0.1", port))
            return port
        except OSError:
            continue
        finally:
            other.close()
            first.close()
    raise RuntimeError("no loopback port free for both UDP and TCP")
