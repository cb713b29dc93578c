"""Taking turns on the conventional ports (REST 8091, KV 11210, memcached 11211/11212):
every test run on this machine that needs them holds one lock file and waits until the
ports are free."""
import contextlib
import fcntl
import socket
import time

LOCK = "/tmp/couchbase-sdk-tests-default-ports.lock"


def free(port):
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@contextlib.contextmanager
def fixed_ports(ports, timeout=60):
    """Hold the lock while the body runs, once every port of `ports` is free."""
    with open(LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        deadline = time.monotonic() + timeout
        while not all(free(p) for p in ports):
            if time.monotonic() > deadline:
                raise RuntimeError("ports %s stayed busy for %d s" % (ports, timeout))
            time.sleep(0.2)
        yield
