"""A server cannot make the client reserve what it announces: a 4 GB announcement fails
the socket with ProtocolError naming the server and the size, and the process stays
within 100 MiB of where it started, during the call and after it."""
import os
import threading
import time

import pytest

from couchbase import Couchbase
from couchbase.exceptions import InvalidError, ProtocolError
from fakeserver import HUGE_BODY, HUGE_TEXT
from servers import FakeServer, Memcached

pytestmark = [
    pytest.mark.memcached,
    pytest.mark.skipif(os.environ.get("CBC_SANITIZE") == "1",
                       reason="memory figures mean nothing under AddressSanitizer (shadow memory, quarantine)"),
]

MIB = 1 << 20
PAGE = os.sysconf("SC_PAGE_SIZE")


def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE


class PeakRss:
    """The highest resident size seen while the block runs, sampled every 2 ms."""

    def __enter__(self):
        self.peak = rss()
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._sample, daemon=True)
        self._t.start()
        return self

    def _sample(self):
        while not self._stop.wait(0.002):
            self.peak = max(self.peak, rss())

    def __exit__(self, *exc):
        self._stop.set()
        self._t.join()
        self.peak = max(self.peak, rss())


def connect(srv, text, monkeypatch, timeout=2.5):
    monkeypatch.setenv("COUCHBASE_TEXT_GETS", "1" if text else "0")
    return Couchbase.connect(host="memcached://" + srv.address, timeout=timeout)


@pytest.mark.parametrize("text", [False, True], ids=["binary", "text"])
def test_huge_announcement_fails_within_100_mib_and_gives_memory_back(text, monkeypatch):
    with FakeServer("huge") as srv:
        conn = connect(srv, text, monkeypatch)
        base = rss()
        with PeakRss() as peak:
            t0 = time.monotonic()
            with pytest.raises(ProtocolError) as ei:
                conn.get("k")
            elapsed = time.monotonic() - t0
        after = rss()
    assert peak.peak - base < 100 * MIB, "peak %d MiB above baseline" % ((peak.peak - base) // MIB)
    assert after - base < 100 * MIB
    assert elapsed < 2.5  # refused at the header, not buffered until the timeout


@pytest.mark.parametrize("text", [False, True], ids=["binary", "text"])
def test_huge_announcement_error_names_server_and_size(text, monkeypatch):
    with FakeServer("huge") as srv:
        conn = connect(srv, text, monkeypatch)
        with pytest.raises(ProtocolError) as ei:
            conn.get("k")
    msg = str(ei.value)
    assert srv.address in msg
    assert str(HUGE_TEXT if text else HUGE_BODY) in msg
    assert "max_response_size" in msg


@pytest.mark.parametrize("text", [False, True], ids=["binary", "text"])
def test_connection_works_after_a_huge_announcement(text, monkeypatch):
    with FakeServer("huge") as srv:  # only the first request gets the announcement
        conn = connect(srv, text, monkeypatch)
        with pytest.raises(ProtocolError):
            conn.get("k")
        assert conn.get("k", quiet=True).value is None


@pytest.mark.parametrize("text", [False, True], ids=["binary", "text"])
def test_max_response_size_bounds_real_values(text, monkeypatch, memcached, uniq):
    monkeypatch.setenv("COUCHBASE_TEXT_GETS", "1" if text else "0")
    conn = Couchbase.connect(host="memcached://" + memcached.address, max_response_size=4096)
    assert conn.max_response_size == 4096
    conn.set(uniq + "small", "x" * 1000)
    conn.set(uniq + "big", "x" * 5000)
    assert conn.get(uniq + "small").value == "x" * 1000
    with pytest.raises(ProtocolError) as ei:
        conn.get(uniq + "big")
    assert memcached.address in str(ei.value)
    conn.max_response_size = 0  # back to the default
    assert conn.max_response_size == 21 * MIB
    assert conn.get(uniq + "big").value == "x" * 5000


def test_max_response_size_rejects_a_bad_value(memcached):
    conn = Couchbase.connect(host="memcached://" + memcached.address)
    for bad in (-1, "10", 1.5, True):
        with pytest.raises(InvalidError):
            conn.max_response_size = bad
    assert conn.max_response_size == 21 * MIB


def test_large_values_under_the_bound_still_arrive(monkeypatch):
    # 20 MiB, the server's item limit: memcached started with -I 32m
    with Memcached(extra_args=["-I", "32m"], memory_mb=256) as mc:
        conn = Couchbase.connect(host="memcached://" + mc.address, timeout=10)
        value = os.urandom(20 * MIB - 512)
        from couchbase import FMT_BYTES
        conn.set("big", value, format=FMT_BYTES)
        assert conn.get("big").value == value
