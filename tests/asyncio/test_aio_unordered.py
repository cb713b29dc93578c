"""UnorderedExecution (HELLO 0x0e), negotiated by default as the official 4.x SDK does: a
durable write waiting for its replica does not hold up the requests sent after it on the
same connection; ClusterOptions(enable_unordered_execution=False) keeps the answers in order."""
import asyncio
from datetime import timedelta

import pytest

from aiohelpers import LOOPS, connect, mock, run
from modern_cluster import active_node_id
from couchbase.durability import Durability, ServerDurability
from couchbase.exceptions import AmbiguousTimeoutException, UnAmbiguousTimeoutException
from couchbase.options import GetOptions, UpsertOptions

pytestmark = pytest.mark.mock

DURABLE = UpsertOptions(durability=ServerDurability(Durability.MAJORITY), timeout=timedelta(seconds=10))
QUICK = GetOptions(timeout=timedelta(milliseconds=500))


@pytest.fixture(scope="module")
def two_nodes():
    with mock(2, replicas=1) as m:
        yield m


def _same_node_keys(m, prefix):
    """Two keys whose active copies live on the same node (so on one connection)."""
    by_node = {}
    for i in range(1000):
        k = "%s-%d" % (prefix, i)
        keys = by_node.setdefault(active_node_id(m, k), [])
        keys.append(k)
        if len(keys) == 2:
            return keys
    raise AssertionError("no two keys on one node")


def _durable_write_then_read(m, loop_kind, prefix, **options):
    """Replication paused: a durable upsert of one key, then a get of another key on the same
    node. The get's outcome, and whether the durable write was still waiting when it came."""
    writing, reading = _same_node_keys(m, prefix)

    async def main():
        cluster, b = await connect(m, **options)
        c = b.default_collection()
        await c.upsert(reading, {"r": 1})
        m.pause_replication()
        try:
            write = asyncio.ensure_future(c.upsert(writing, {"w": 1}, DURABLE))
            await asyncio.sleep(0)  # the write leaves first
            try:
                got = (await c.get(reading, QUICK)).content_as[dict]
            except (UnAmbiguousTimeoutException, AmbiguousTimeoutException) as e:
                got = type(e).__name__
            waiting = not write.done()
        finally:
            m.resume_replication()
        assert (await write).cas
        await cluster.close()
        return got, waiting

    return run(main, loop_kind)


@pytest.mark.parametrize("loop_kind", LOOPS)
def test_a_read_overtakes_a_durable_write_waiting_for_its_replica(two_nodes, loop_kind):
    got, waiting = _durable_write_then_read(two_nodes, loop_kind, "overtake-" + loop_kind)
    assert got == {"r": 1}
    assert waiting


def test_without_unordered_execution_a_read_waits_behind_the_durable_write(two_nodes):
    got, _waiting = _durable_write_then_read(two_nodes, "asyncio", "in-order", enable_unordered_execution=False)
    assert got == "UnAmbiguousTimeoutException"
