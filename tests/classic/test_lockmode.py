"""Lock modes: WAIT by default (the manual), EXC refuses a second thread, NONE never lets two
threads run on one C connection (misuse raises ObjectThreadError instead of corrupting
memory), and _thr_lockop takes and releases the lock by hand."""
import os
import subprocess
import sys
import threading

import pytest

from couchbase import LOCKMODE_EXC, LOCKMODE_NONE, LOCKMODE_WAIT, Couchbase
from couchbase.exceptions import ObjectThreadError

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _connect(request, server, **kw):
    if server == "memcached":
        return Couchbase.connect(host="memcached://%s" % request.getfixturevalue("memcached").address, **kw)
    cluster = request.getfixturevalue("mock_cluster")
    return Couchbase.connect(bucket="default", host="127.0.0.1", port=cluster.rest_port, **kw)


@pytest.fixture(params=["memcached", "mock"])
def server(request):
    return request.param


def _in_thread(fn):
    out = []

    def run():
        try:
            out.append(fn())
        except Exception as e:  # reported to the test
            out.append(e)

    t = threading.Thread(target=run)
    t.start()
    return t, out


def test_default_lockmode_is_wait(kv):
    assert kv.lockmode == LOCKMODE_WAIT


def test_unlock_gil_false_forces_lockmode_none(request, server):
    c = _connect(request, server, unlock_gil=False, lockmode=LOCKMODE_WAIT)
    assert c.lockmode == LOCKMODE_NONE and c.unlock_gil == 0


def test_exc_refuses_another_thread_while_locked(request, server, uniq):
    c = _connect(request, server, lockmode=LOCKMODE_EXC)
    assert c._thr_lockop(0) is True
    t, out = _in_thread(lambda: c.set(uniq + "a", 1))
    t.join(10)
    assert isinstance(out[0], ObjectThreadError)
    assert "LOCKMODE_WAIT" in str(out[0])
    c._thr_lockop(1)
    assert c.set(uniq + "a", 1).success


def test_wait_blocks_another_thread_until_released(request, server, uniq):
    c = _connect(request, server, lockmode=LOCKMODE_WAIT)
    c._thr_lockop(0)
    t, out = _in_thread(lambda: c.set(uniq + "a", 1))
    t.join(0.2)
    assert t.is_alive() and not out
    c._thr_lockop(1)
    t.join(10)
    assert out[0].success


def test_thr_lockop_under_lockmode_none_raises(request, server):
    c = _connect(request, server, lockmode=LOCKMODE_NONE)
    with pytest.raises(ObjectThreadError):
        c._thr_lockop(0)
    with pytest.raises(ObjectThreadError):
        c._thr_lockop(1)


def test_thr_lockop_release_without_holding_raises(request, server):
    c = _connect(request, server, lockmode=LOCKMODE_EXC)
    with pytest.raises(ObjectThreadError):
        c._thr_lockop(1)


def test_lockmode_none_second_thread_is_refused_not_run(request, server, uniq):
    c = _connect(request, server, lockmode=LOCKMODE_NONE)
    c._core._lock.acquire()  # as if another thread were inside an operation right now
    try:
        with pytest.raises(ObjectThreadError) as ei:
            c.set(uniq + "a", 1)
        assert "LOCKMODE_NONE" in str(ei.value)
    finally:
        c._core._lock.release()
    assert c.set(uniq + "a", 1).success


def test_invalid_lockmode_is_an_argument_error(request, server):
    from couchbase.exceptions import ArgumentError

    with pytest.raises(ArgumentError):
        _connect(request, server, lockmode=7)


SCRIPT = r"""
import sys, threading, time
sys.path.insert(0, %(root)r)
from couchbase import Couchbase, LOCKMODE_NONE
from couchbase.exceptions import ObjectThreadError
if sys.argv[1] == "memcached":
    c = Couchbase.connect(host="memcached://" + sys.argv[2], lockmode=LOCKMODE_NONE)
else:
    from couchbase.mock import MockCluster
    m = MockCluster(nodes=2, replicas=1, vbuckets=16).start()
    c = Couchbase.connect(bucket="default", host="127.0.0.1", port=m.rest_port, lockmode=LOCKMODE_NONE)
refused = [0]
done = [0]
deadline = time.monotonic() + 2.0
def work(n):
    keys = ["t%%d-%%d" %% (n, i) for i in range(20)]
    while time.monotonic() < deadline:
        try:
            c.set_multi(dict.fromkeys(keys, "x" * 100))
            c.get_multi(keys)
            c.set(keys[0], n)
            c.get(keys[0])
            done[0] += 1
        except ObjectThreadError:
            refused[0] += 1
threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
for t in threads: t.start()
for t in threads: t.join()
print("OK", done[0], refused[0])
"""


def test_eight_threads_sharing_a_lockmode_none_connection_never_abort(request, server, tmp_path):
    addr = request.getfixturevalue("memcached").address if server == "memcached" else ""
    script = tmp_path / "threads.py"
    script.write_text(SCRIPT % {"root": ROOT})
    p = subprocess.run([sys.executable, str(script), server, addr], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr[-2000:]
    ok, done, refused = p.stdout.split()
    assert ok == "OK" and int(done) > 0 and int(refused) > 0
