"""20 seconds of concurrent durable (MAJORITY) async writes on 3 nodes with 1 replica; a node
dies and is failed over midway, then the cluster rebalances: every write that was
acknowledged reads back, every other one failed with a clear exception, nothing hung."""
import asyncio
import time
from datetime import timedelta

import pytest

from aiohelpers import connect, mock, run
from couchbase.durability import Durability, ServerDurability
from couchbase.exceptions import CouchbaseException
from couchbase.options import ClusterTimeoutOptions, UpsertOptions

pytestmark = [pytest.mark.mock, pytest.mark.slow]

SECONDS = 20.0
WRITERS = 64
TIMEOUT = timedelta(seconds=5)


def test_every_acknowledged_durable_write_survives_a_failover():
    async def main(m):
        cluster, b = await connect(m, timeout_options=ClusterTimeoutOptions(kv_timeout=TIMEOUT,
                                                                              kv_durable_timeout=TIMEOUT))
        c = b.default_collection()
        durable = UpsertOptions(durability=ServerDurability(Durability.MAJORITY))
        acked, failed, slowest = {}, {}, [0.0]
        end = time.monotonic() + SECONDS

        async def writer(w):
            n = 0
            while time.monotonic() < end:
                key, doc = "dur-%d-%d" % (w, n), {"w": w, "n": n}
                t0 = time.monotonic()
                try:
                    await c.upsert(key, doc, durable)
                    acked[key] = doc
                except CouchbaseException as e:
                    failed[key] = e
                slowest[0] = max(slowest[0], time.monotonic() - t0)
                n += 1

        def lose_node():
            time.sleep(SECONDS / 3)
            m.kill_node(1)
            m.failover(1)
            time.sleep(SECONDS / 6)
            m.rebalance()

        changer = asyncio.ensure_future(asyncio.to_thread(lose_node))
        await asyncio.gather(*[writer(w) for w in range(WRITERS)])
        await changer
        keys = list(acked)
        wrong = []
        for i in range(0, len(keys), 1000):
            got = await c.get_multi(keys[i:i + 1000])
            wrong += list(got.exceptions)
            wrong += [k for k, r in got.results.items() if r.content_as[dict] != acked[k]]
        out = acked, failed, wrong, slowest[0], b._session.topology.config
        await cluster.close()
        return out

    with mock(3) as m:
        acked, failed, wrong, slowest, cfg = run(lambda: main(m))
        state = m.nodes[1]["state"]
    total = len(acked) + len(failed)
    print("\n%d durable writes in %.0f s: %d acknowledged, %d failed (%s); slowest %.2f s"
          % (total, SECONDS, len(acked), len(failed), sorted({type(e).__name__ for e in failed.values()}),
             slowest))
    assert wrong == []                      # every acknowledged write reads back
    assert len(acked) > 0.9 * total and total > 5000
    assert all(isinstance(e, CouchbaseException) for e in failed.values())
    assert slowest < 2 * TIMEOUT.total_seconds() + 1  # nothing hung
    assert state == "ejected" and len(cfg.servers) == 2
