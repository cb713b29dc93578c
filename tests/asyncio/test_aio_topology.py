"""Topology on the event loop: bootstrap over KV and over REST, a rebalance (NOT_MY_VBUCKET)
and a failover while operations are in flight, configuration pushes, and the bootstrap
errors the blocking face raises -- with no callback of the SDK holding the loop."""
import asyncio
import time

import pytest

from aiohelpers import SLOW, Watchdog, connect, mock, options, run
from couchbase.exceptions import (
    AuthenticationException, BucketNotFoundException, UnAmbiguousTimeoutException,
)
from servers import free_port

pytestmark = pytest.mark.mock


def quiet(wd):
    assert wd.slow == [], "callbacks over %.0f ms: %r" % (SLOW * 1e3, wd.slow)
    assert wd.count > 0


async def rounds(c, prefix, stop, width=200):
    """Upsert then get `width` keys at once, round after round until `stop`: the failures."""
    failures, n = [], 0
    while not stop.is_set():
        keys = ["%s-%d" % (prefix, n * width + i) for i in range(width)]
        for r in await asyncio.gather(*[c.upsert(k, {"k": k}) for k in keys], return_exceptions=True):
            if isinstance(r, Exception):
                failures.append(r)
        for k, r in zip(keys, await asyncio.gather(*[c.get(k) for k in keys], return_exceptions=True)):
            if isinstance(r, Exception) or r.content_as[dict] != {"k": k}:
                failures.append(r)
        n += 1
    return failures, n


def test_a_rebalance_in_flight_is_followed_without_failures(loop_kind):
    wd = Watchdog()

    async def main(m):
        cluster, b = await connect(m)
        c = b.default_collection()
        rev0 = b._session.topology.config.rev
        stop = asyncio.Event()
        work = asyncio.ensure_future(rounds(c, "reb", stop))
        await asyncio.sleep(0.2)

        def grow():
            m.add_node()
            m.rebalance()

        await asyncio.to_thread(grow)
        await asyncio.sleep(0.3)
        stop.set()
        failures, n = await work
        topo = b._session.topology
        out = failures, n, rev0, topo.config.rev, len(topo.config.servers)
        await cluster.close()
        return out

    with mock(2) as m:
        failures, n, rev0, rev1, nservers = run(lambda: main(m), loop_kind, wd)
    assert failures == []
    assert n >= 3
    assert rev1 > rev0 and nservers == 3
    quiet(wd)


def test_a_failover_in_flight_loses_no_read(loop_kind):
    wd = Watchdog()

    async def main(m):
        cluster, b = await connect(m)
        c = b.default_collection()
        keys = ["fo-%d" % i for i in range(1000)]
        await c.upsert_multi({k: {"k": k} for k in keys})
        await asyncio.sleep(0.2)  # replicated

        async def reads():
            bad = []
            for _ in range(10):
                got = await asyncio.gather(*[c.get(k) for k in keys], return_exceptions=True)
                bad += [(k, r) for k, r in zip(keys, got) if isinstance(r, Exception)
                        or r.content_as[dict] != {"k": k}]
            return bad

        work = asyncio.ensure_future(reads())

        def lose_node():
            m.kill_node(1)
            m.failover(1)

        await asyncio.to_thread(lose_node)
        bad = await work
        after = await c.get(keys[7])
        await cluster.close()
        return bad, after

    with mock(3) as m:
        bad, after = run(lambda: main(m), loop_kind, wd)
    assert bad == []
    assert after.content_as[dict] == {"k": "fo-7"}
    quiet(wd)


def test_a_configuration_push_is_applied_without_traffic():
    async def main(m):
        cluster, b = await connect(m)
        topo = b._session.topology
        rev0 = topo.config.rev
        await asyncio.to_thread(m.failover, 2)
        t0 = time.monotonic()
        while topo.config.rev == rev0 and time.monotonic() - t0 < 5:
            await asyncio.sleep(0.01)
        out = rev0, topo.config.rev, len(topo.config.servers), b._session.stats()
        await cluster.close()
        return out

    with mock(3) as m:
        rev0, rev1, nservers, stats = run(lambda: main(m))
    assert rev1 > rev0 and nservers == 2
    assert stats["pushes"] >= 1 and stats["requests"] <= 2  # bootstrap's own requests only


def test_bootstrap_over_rest_only(three_nodes, loop_kind):
    wd = Watchdog()

    async def main():
        from acouchbase.cluster import Cluster

        cluster = await Cluster.connect("http://127.0.0.1:%d" % three_nodes.rest_port, options())
        b = cluster.bucket("default")
        await b.on_connect()
        c = b.default_collection()
        await c.upsert("over-rest", {"rest": True})
        got = await c.get("over-rest")
        out = got.content_as[dict], len(b._session.nodes)
        await cluster.close()
        return out

    doc, nodes = run(main, loop_kind, wd)
    assert doc == {"rest": True} and nodes == 3
    quiet(wd)


def test_bootstrap_over_kv_is_watched_too(three_nodes, loop_kind):
    wd = Watchdog()

    async def main():
        cluster, b = await connect(three_nodes)
        await b.default_collection().upsert("over-kv", 1)
        await cluster.close()

    run(main, loop_kind, wd)
    quiet(wd)


def _blocking_error(connstr, bucket, password="password"):
    from couchbase.auth import PasswordAuthenticator
    from couchbase.cluster import Cluster
    from couchbase.options import ClusterOptions

    try:
        cluster = Cluster.connect(connstr, ClusterOptions(PasswordAuthenticator("Administrator", password)))
        cluster.bucket(bucket)
    except Exception as e:
        return type(e)
    return None


def _async_error(connstr, bucket, password="password"):
    async def main():
        from acouchbase.cluster import Cluster
        from couchbase.auth import PasswordAuthenticator
        from couchbase.options import ClusterOptions

        try:
            cluster = await Cluster.connect(connstr, ClusterOptions(PasswordAuthenticator("Administrator",
                                                                                          password)))
            b = cluster.bucket(bucket)
            await b.on_connect()
        except Exception as e:
            return type(e)
        return None

    return run(main)


@pytest.mark.parametrize("case", ["bad_password", "missing_bucket", "nothing_listens"])
def test_bootstrap_errors_are_the_blocking_faces(three_nodes, case):
    connstr, bucket, password = three_nodes.connstr, "default", "password"
    if case == "bad_password":
        password = "wrong"
    elif case == "missing_bucket":
        bucket = "nosuchbucket"
    else:
        connstr = "couchbase://127.0.0.1:%d" % free_port()
    expected = {"bad_password": AuthenticationException, "missing_bucket": BucketNotFoundException,
                "nothing_listens": UnAmbiguousTimeoutException}[case]
    assert _blocking_error(connstr, bucket, password) is expected
    assert _async_error(connstr, bucket, password) is expected
