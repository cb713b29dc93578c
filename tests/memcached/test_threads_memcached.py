"""Lock modes, and the GIL being free while a batch waits on the network."""
import threading
import time

import pytest

from couchbase import LOCKMODE_EXC, LOCKMODE_NONE, LOCKMODE_WAIT, Couchbase
from couchbase.exceptions import NotFoundError, ObjectThreadError
from servers import FakeServer

pytestmark = pytest.mark.memcached


def run_threads(n, target):
    errors = []

    def wrap():
        try:
            target()
        except Exception as e:  # collected for the assertion
            errors.append(e)

    threads = [threading.Thread(target=wrap) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_default_lockmode_is_wait(memcached):
    assert Couchbase.connect(host="memcached://" + memcached.address).lockmode == LOCKMODE_WAIT


def test_lockmode_wait_serialises_threads_sharing_a_connection(memcached, uniq):
    conn = Couchbase.connect(host="memcached://" + memcached.address, lockmode=LOCKMODE_WAIT)
    conn.incr(uniq + "c", initial=0)

    def work():
        for _ in range(200):
            conn.incr(uniq + "c")

    assert run_threads(4, work) == []
    assert conn.get(uniq + "c").value == 800


def test_lockmode_exc_raises_object_thread_error_on_concurrent_use(uniq):
    with FakeServer("delay:0.3") as slow:
        conn = Couchbase.connect(host="memcached://" + slow.address, lockmode=LOCKMODE_EXC, timeout=2)

        def work():
            try:
                conn.get(uniq + "k")
            except NotFoundError:
                pass

        errors = run_threads(3, work)
        assert any(isinstance(e, ObjectThreadError) for e in errors)


def test_lockmode_none_does_no_locking(uniq):
    with FakeServer("delay:0.2") as slow:
        conn = Couchbase.connect(host="memcached://" + slow.address, lockmode=LOCKMODE_NONE, timeout=2)
        assert conn.lockmode == LOCKMODE_NONE
        assert not conn._session._lock.locked()


def test_threads_with_own_connections_overlap_their_round_trips(uniq):
    with FakeServer("delay:0.3") as slow:
        conns = [Couchbase.connect(host="memcached://" + slow.address, timeout=5) for _ in range(4)]
        for c in conns:  # connect outside the timed part
            c.get(uniq + "warm", quiet=True)
        it = iter(conns)
        lock = threading.Lock()

        def work():
            with lock:
                c = next(it)
            c.get(uniq + "k", quiet=True)

        t0 = time.monotonic()
        assert run_threads(4, work) == []
        elapsed = time.monotonic() - t0
        assert elapsed < 0.3 * 4 * 0.6, "round trips did not overlap: %.2fs" % elapsed


def test_deleting_connection_closes_its_sockets(memcached, uniq):
    import gc

    probe = Couchbase.connect(host="memcached://" + memcached.address)

    def count():
        return probe.stats()["curr_connections"][memcached.address]

    def settle(expected):
        deadline = time.monotonic() + 2
        while count() != expected and time.monotonic() < deadline:
            time.sleep(0.01)
        return count()

    before = count()
    conn = Couchbase.connect(host="memcached://" + memcached.address)
    conn.set(uniq + "k", 1)
    assert settle(before + 1) == before + 1
    gc.disable()
    try:
        del conn
        assert settle(before) == before
    finally:
        gc.enable()
