"""Real servers for tests and benchmarks: memcached processes on 127.0.0.1, stopped by PID."""
import os
import shutil
import signal
import socket
import subprocess
import time


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(port, timeout=10.0, host="127.0.0.1"):
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection((host, port), timeout=0.2):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError("nothing listens on %s:%d after %.1fs" % (host, port, timeout))
            time.sleep(0.01)


def memcached_binary():
    path = shutil.which("memcached") or ("/usr/bin/memcached" if os.path.exists("/usr/bin/memcached") else None)
    if path is None:
        raise RuntimeError("memcached is not installed: run `make test` (it installs the Debian package)")
    return path


class Memcached:
    """One memcached process on 127.0.0.1; `stop()`/`start()` keep the same port."""

    def __init__(self, port=None, memory_mb=64, cpu=None, extra_args=()):
        self.host = "127.0.0.1"
        self.extra_args = list(extra_args)
        self.port = port or free_port()
        self.memory_mb = memory_mb
        self.cpu = cpu  # pin the server to this CPU (benchmarks)
        self.proc = None

    @property
    def address(self):
        return "%s:%d" % (self.host, self.port)

    def start(self):
        cmd = [memcached_binary(), "-l", self.host, "-p", str(self.port), "-U", "0",
               "-m", str(self.memory_mb), "-c", "1024", "-t", "2"] + self.extra_args
        if os.geteuid() == 0:
            cmd += ["-u", "root"]
        self.proc = subprocess.Popen(cmd, preexec_fn=self._pin, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_listening(self.port)
        except RuntimeError:
            self.stop()
            raise
        return self

    def _pin(self):
        if self.cpu is not None and hasattr(os, "sched_setaffinity"):
            os.sched_setaffinity(0, {self.cpu})

    def stop(self):
        if self.proc is not None:
            try:
                os.kill(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait()
            self.proc = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


class FakeServer:
    """tests/fakeserver.py in its own process, for protocol faults."""

    def __init__(self, mode):
        self.mode = mode
        self.host = "127.0.0.1"
        self.port = free_port()
        self.proc = None

    @property
    def address(self):
        return "%s:%d" % (self.host, self.port)

    def __enter__(self):
        import sys

        script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fakeserver.py")
        self.proc = subprocess.Popen([sys.executable, script, str(self.port), self.mode])
        wait_listening(self.port)
        return self

    def __exit__(self, *exc):
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
