"""Dead, silent and garbage-speaking servers give clear errors within the timeout."""
import time

import pytest

from couchbase import Couchbase
from couchbase.exceptions import ConnectError, NetworkError, ProtocolError, TimeoutError
from servers import FakeServer, Memcached, free_port

pytestmark = pytest.mark.memcached


def connect(*servers, timeout=2.5):
    return Couchbase.connect(host="memcached://" + ",".join(s.address for s in servers), timeout=timeout)


def keys_on(conn, server_index, n, prefix):
    """n keys that ketama sends to server `server_index`."""
    out, i = [], 0
    while len(out) < n:
        k = "%s%d" % (prefix, i)
        if conn._vbmap(k)[1] == server_index:
            out.append(k)
        i += 1
    return out


def test_nothing_listening_raises_connect_error(uniq):
    conn = Couchbase.connect(host="memcached://127.0.0.1:%d" % free_port(), timeout=1)
    with pytest.raises(ConnectError):
        conn.get(uniq + "k")


def test_silent_server_times_out_within_timeout(uniq):
    with FakeServer("silent") as srv:
        conn = connect(srv, timeout=0.3)
        t0 = time.monotonic()
        with pytest.raises(TimeoutError):
            conn.get(uniq + "k")
        assert time.monotonic() - t0 < 1.0


def test_garbage_answer_raises_protocol_error(uniq):
    with FakeServer("garbage") as srv:
        conn = connect(srv, timeout=1)
        with pytest.raises((ProtocolError, NetworkError)):
            conn.get(uniq + "k")


def test_server_closing_socket_raises_network_error(uniq):
    with FakeServer("close") as srv:
        conn = connect(srv, timeout=1)
        with pytest.raises(NetworkError):
            conn.get(uniq + "k")


def test_killed_server_fails_its_keys_while_others_succeed(uniq):
    with Memcached() as a, Memcached() as b:
        conn = connect(a, b)
        ka = keys_on(conn, 0, 20, uniq + "a")
        kb = keys_on(conn, 1, 20, uniq + "b")
        conn.set_multi(dict.fromkeys(ka + kb, "v"))
        b.stop()
        with pytest.raises((NetworkError, ConnectError)) as ei:
            conn.get_multi(ka + kb)
        res = ei.value.all_results
        assert all(res[k].success for k in ka)
        assert all(not res[k].success for k in kb)


def test_connection_works_again_when_server_returns(uniq):
    with Memcached() as a:
        conn = connect(a)
        conn.set(uniq + "k", 1)
        a.stop()
        with pytest.raises((NetworkError, ConnectError)):
            conn.get(uniq + "k")
        a.start()
        conn.set(uniq + "k", 2)
        assert conn.get(uniq + "k").value == 2


def test_server_killed_mid_batch_fails_its_keys_without_hanging(uniq):
    with Memcached() as a, Memcached() as b:
        conn = connect(a, b, timeout=3)
        blob = b"x" * 16384
        keys = ["%s%d" % (uniq, i) for i in range(3000)]
        conn.set_multi(dict.fromkeys(keys, blob), format=2)
        import threading

        threading.Timer(0.002, b.stop).start()
        t0 = time.monotonic()
        try:
            for _ in range(20):
                conn.get_multi(keys)
        except (NetworkError, ConnectError) as e:
            failed = [k for k, r in e.all_results.items() if not r.success]
            assert failed and all(conn._vbmap(k)[1] == 1 for k in failed)
        assert time.monotonic() - t0 < 20 * 3


def test_idle_connection_to_restarted_server_reconnects_transparently(uniq):
    with Memcached() as a:
        conn = connect(a)
        conn.set(uniq + "k", 1)
        a.stop()
        a.start()
        time.sleep(0.25)  # longer than the core's idle-probe threshold (200 ms)
        conn.set(uniq + "k", 2)
        assert conn.get(uniq + "k").value == 2


def test_busy_connection_to_restarted_server_fails_at_most_one_op(uniq):
    with Memcached() as a:
        conn = connect(a)
        conn.set(uniq + "k", 1)
        a.stop()
        a.start()
        failures = 0
        for i in range(3):
            try:
                conn.set(uniq + "k", i)
            except (NetworkError, ConnectError):
                failures += 1
        assert failures <= 1
        assert conn.get(uniq + "k").value == 2


# ---- a server that closed a kept connection between two calls (tests/core/test_core_reconnect.py)

@pytest.mark.parametrize("text", ["0", "1"], ids=["binary", "text"])
def test_a_get_after_the_server_closed_the_connection_succeeds_in_the_same_call(monkeypatch, text):
    monkeypatch.setenv("COUCHBASE_TEXT_GETS", text)
    with FakeServer("oneshot") as fake:  # one answer per connection, then it closes
        conn = connect(fake)
        assert [conn.get("k", no_format=True).value for _ in range(3)] == [b"v"] * 3


def test_a_set_after_the_server_closed_the_connection_fails_cleanly_and_the_next_works():
    with FakeServer("oneshot") as fake:
        conn = connect(fake)
        conn.set("k", "v1")
        with pytest.raises(NetworkError) as e:
            conn.set("k", "v2")       # the outcome of a mutation on a closed socket is unknown
        assert str(fake.port) in str(e.value)
        assert conn.set("k", "v3").success
