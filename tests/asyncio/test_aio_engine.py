"""The core's event-driven mode under the asyncio face: coalescing, deadlines on the loop's
timer, late answers, stalled sockets, cancellation, descriptors, failures with their C
source, name resolution, TLS and SCRAM off the loop."""
import asyncio
import os
import time

import pytest

from aiohelpers import SLOW, MockProcess, Watchdog, connect, run
from couchbase._core.aio import AioSession, deadline_us
from couchbase._core.binding import C
from couchbase._modern.kv import ERRORS, _FMT_JSON_1X
from couchbase._modern.results import GetResult, MutationResult
from couchbase.exceptions import MODERN, CouchbaseException
from servers import FakeServer, free_port

GET_BUILD = ("value", GetResult, MutationResult, 0, None, True)
MUT_BUILD = ("op", GetResult, MutationResult, 0, None, True)


def memcached_session(loop, address, timeout=2.5):
    """An event-driven session on plain memcached-protocol servers (ketama)."""
    s = AioSession(MODERN, loop, timeout)
    host, port = address.rsplit(":", 1)
    s.use_memcached([(host, int(port))])
    return s


def get(s, key, timeout):
    return s.start(0, ([key], 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, ERRORS), ([key],) + GET_BUILD, deadline_us(timeout))


def set_(s, key, value, timeout=2.5):
    return s.start(1, ([key], [value], 1, _FMT_JSON_1X, 0, 0, 0, 0, 0, None, ERRORS), ([key],) + MUT_BUILD,
                   deadline_us(timeout))


async def ticking(stop):
    """How often a task ran while `stop` was unset: the loop was never held."""
    n = 0
    while not stop.is_set():
        await asyncio.sleep(0.01)
        n += 1
    return n


@pytest.mark.mock
@pytest.mark.parametrize("loop_kind", ["asyncio", "uvloop"])
def test_ten_thousand_concurrent_upserts_then_gets_leave_in_a_handful_of_sends(loop_kind):
    n = 10_000
    wd = Watchdog()

    async def main(m):
        cluster, b = await connect(m)
        c = b.default_collection()
        await c.upsert("warm", 1)
        before = b._session.stats()
        written = await asyncio.gather(*[c.upsert("many-%d" % i, {"i": i}) for i in range(n)])
        mid = b._session.stats()
        got = await asyncio.gather(*[c.get("many-%d" % i) for i in range(n)])
        after = b._session.stats()
        await cluster.close()
        return written, got, before, mid, after

    with MockProcess(3) as m:
        written, got, before, mid, after = run(lambda: main(m), loop_kind, wd)
    assert all(r.cas for r in written)
    assert [r.content_as[dict]["i"] for r in got] == list(range(n))
    upsert_sends = mid["sends"] - before["sends"]
    get_sends = after["sends"] - mid["sends"]
    print("\n%s: %d upserts in %d send calls (%d submits), %d gets in %d send calls (%d submits)"
          % (loop_kind, n, upsert_sends, mid["submits"] - before["submits"], n, get_sends,
             after["submits"] - mid["submits"]))
    # one batch per loop iteration, one send per socket and batch (3 nodes)
    assert upsert_sends <= 3 * (mid["submits"] - before["submits"]) and upsert_sends < 30
    assert get_sends <= 3 * (after["submits"] - mid["submits"]) and get_sends < 30
    assert after["requests"] - before["requests"] == 2 * n
    assert wd.slow == [], "callbacks over %.0f ms: %r" % (SLOW * 1e3, wd.slow)


def test_an_event_driven_connection_has_no_blocking_run():
    from couchbase._core.binding import ffi, lib

    loop = asyncio.new_event_loop()
    s = memcached_session(loop, "127.0.0.1:%d" % free_port())
    try:
        err = ffi.new("cbc_ERROR *")
        assert lib.cbc_batch_run(s._h.batch, 1000, err) == C.EINVAL
        assert b"event-driven" in ffi.string(err.msg)
        assert ffi.string(err.file).decode().endswith("batch.c")
        assert lib.cbc_conn_connect(s.conn, 0, 1000, err) == C.EINVAL
        with pytest.raises(CouchbaseException):
            s.execute([], None, None)
    finally:
        s.close()
        loop.close()


def test_a_silent_server_times_out_on_the_loops_timer_with_the_c_source():
    async def main(addr):
        s = memcached_session(asyncio.get_running_loop(), addr)
        stop = asyncio.Event()
        ticker = asyncio.ensure_future(ticking(stop))
        t0 = time.monotonic()
        res = await get(s, "k", 0.2)
        took = time.monotonic() - t0
        stop.set()
        ticks = await ticker
        s.close()
        return res, took, ticks

    with FakeServer("silent") as fake:
        res, took, ticks = run(lambda: main(fake.address))
    assert res.rc == C.ETIMEDOUT
    assert res._csrc[0] == "csrc/aio_flight.c" and res._csrc[1] > 0
    assert 0.19 <= took < 0.6
    assert ticks >= 10  # the loop went on while the request waited


def test_a_late_answer_is_dropped_and_the_connection_stays_usable():
    async def main(addr):
        s = memcached_session(asyncio.get_running_loop(), addr)
        first = await get(s, "k", 0.1)
        fds = set(s._watched)
        second = await get(s, "k", 3)
        stats = s.stats()
        s.close()
        return first, second, fds, stats

    with FakeServer("delay:0.3") as fake:
        first, second, fds, stats = run(lambda: main(fake.address))
    assert first.rc == C.ETIMEDOUT
    assert second.rc == C.KEY_ENOENT  # the fake's answer to the second request, on the same socket
    assert stats["late"] == 1 and stats["expired"] == 1 and stats["stalls"] == 0
    assert len(fds) == 1


def test_a_socket_owing_only_late_answers_closes_after_the_stall_time():
    async def main(addr):
        s = memcached_session(asyncio.get_running_loop(), addr)
        first = await get(s, "k", 0.1)
        watched = dict(s._watched)
        await asyncio.sleep(2.3)  # CBC_AIO_STALL_US of silence
        after = dict(s._watched)
        stats = s.stats()
        again = await get(s, "k", 0.1)
        s.close()
        return first, watched, after, stats, again

    with FakeServer("silent") as fake:
        first, watched, after, stats, again = run(lambda: main(fake.address))
    assert first.rc == C.ETIMEDOUT and again.rc == C.ETIMEDOUT
    assert len(watched) == 1 and after == {}
    assert stats["stalls"] == 1


@pytest.mark.mock
def test_cancelled_operations_drop_their_answers_and_the_connection_keeps_working(three_nodes, loop_kind):
    problems = []

    async def main():
        asyncio.get_running_loop().set_exception_handler(lambda _loop, ctx: problems.append(ctx))
        cluster, b = await connect(three_nodes)
        c = b.default_collection()
        await c.upsert_multi({"cancel-%d" % i: i for i in range(200)})
        tasks = [asyncio.ensure_future(c.get("cancel-%d" % i)) for i in range(200)]
        await asyncio.sleep(0)  # started
        await asyncio.sleep(0)  # submitted: their requests are on the wire
        for t in tasks[::2]:
            t.cancel()
        done = await asyncio.gather(*tasks, return_exceptions=True)
        again = await asyncio.gather(*[c.get("cancel-%d" % i) for i in range(200)])
        await cluster.close()
        return done, again

    done, again = run(main, loop_kind)
    assert all(isinstance(r, asyncio.CancelledError) for r in done[::2])
    assert [r.content_as[int] for r in done[1::2]] == list(range(1, 200, 2))
    assert [r.content_as[int] for r in again] == list(range(200))
    assert problems == []


@pytest.mark.mock
def test_failed_requests_carry_their_c_file_and_line(one_node):
    async def main():
        cluster, b = await connect(one_node)
        s = b._session
        missing = await s.start(0, (["nope"], 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, ERRORS), (["nope"],) + GET_BUILD,
                                deadline_us(2))
        refused = memcached_session(asyncio.get_running_loop(), "127.0.0.1:%d" % free_port())
        res = await get(refused, "k", 2)
        why = refused.failure_text(0)
        refused.close()
        await cluster.close()
        return missing, res, why

    missing, res, why = run(main)
    assert missing.rc == C.KEY_ENOENT and missing._csrc[0] == "csrc/response.c" and missing._csrc[1] > 0
    assert res.rc == C.CONNECT_ERROR and res._csrc[0].startswith("csrc/") and res._csrc[1] > 0
    assert "connect: Connection refused" in why


def test_descriptors_close_only_once_the_loop_stopped_watching_them(loop_kind):
    problems = []

    async def main(addr):
        loop = asyncio.get_running_loop()
        loop.set_exception_handler(lambda _loop, ctx: problems.append(ctx))
        s = memcached_session(loop, addr)
        seen = []
        for i in range(20):
            r = await get(s, "k%d" % i, 2)  # the server closes the connection on each request
            seen.append(r.rc)
            for fd in s._watched:
                os.fstat(fd)  # every watched descriptor is open
        s.close()
        return seen

    with FakeServer("close") as fake:
        seen = run(lambda: main(fake.address), loop_kind)
    assert set(seen) == {C.NETWORK_ERROR}
    assert problems == []


def test_host_names_resolve_off_the_loop(memcached):
    async def main():
        s = memcached_session(asyncio.get_running_loop(), "localhost:%d" % memcached.port)
        w = await set_(s, "resolved", {"v": 1})
        r = await get(s, "resolved", 2)
        s.close()
        return w, r

    w, r = run(main)
    assert w.rc == 0 and r.rc == 0 and r.content_as[dict] == {"v": 1}


@pytest.mark.mock
def test_tls_and_scram_run_on_the_event_loop_without_holding_it(loop_kind):
    from couchbase.auth import PasswordAuthenticator
    from couchbase.mock import MockCluster
    from couchbase.options import ClusterOptions

    wd = Watchdog()

    async def main(m):
        from acouchbase.cluster import Cluster

        auth = PasswordAuthenticator("Administrator", "password", cert_path=m.ca_cert)
        cluster = await Cluster.connect(m.connstr_tls, ClusterOptions(auth))
        b = cluster.bucket("default")
        await b.on_connect()
        c = b.default_collection()
        await c.upsert("over-tls", {"tls": True})
        got = await c.get("over-tls")
        await cluster.close()
        return got

    with MockCluster(nodes=2, replicas=1, vbuckets=64, tls=True, no_plain=True) as m:
        got = run(lambda: main(m), loop_kind, wd)
    assert got.content_as[dict] == {"tls": True}
    assert wd.slow == [], "callbacks over %.0f ms: %r" % (SLOW * 1e3, wd.slow)
