"""Ports for tests that need a port nothing listens on."""
import socket


def dead_port():
    """A loopback TCP port that refuses connections (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
