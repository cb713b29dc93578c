"""50 000 MAJORITY-durable writes through the SDK on 3 nodes with 1 replica, one node failed
over midway: every acknowledged write reads back, every failure is a clear error within its
timeout, nothing hangs."""
import threading
import time
from datetime import timedelta

import pytest

from couchbase.auth import PasswordAuthenticator
from couchbase.cluster import Cluster
from couchbase.durability import Durability, ServerDurability
from couchbase.exceptions import CouchbaseException
from couchbase.options import ClusterOptions, ClusterTimeoutOptions, UpsertMultiOptions

pytestmark = [pytest.mark.mock, pytest.mark.slow]

TOTAL = 50_000
BATCH = 500
TIMEOUT = 5.0


def test_durable_writes_survive_failover(mock_cluster_factory):
    with mock_cluster_factory(nodes=3, replicas=1, vbuckets=64) as cluster:
        opts = ClusterOptions(PasswordAuthenticator("Administrator", "password"),
                              timeout_options=ClusterTimeoutOptions(kv_timeout=timedelta(seconds=TIMEOUT),
                                                                    kv_durable_timeout=timedelta(seconds=TIMEOUT)))
        c = Cluster(cluster.connstr, opts)
        coll = c.bucket("default").default_collection()
        durable = UpsertMultiOptions(durability=ServerDurability(Durability.MAJORITY), return_exceptions=True)
        acked, failed, slowest = {}, {}, 0.0
        topology_done = threading.Event()

        def fail_over_and_rebalance():
            cluster.failover(1)
            cluster.rebalance()
            topology_done.set()

        changer = None
        for start in range(0, TOTAL, BATCH):
            if start == TOTAL // 2:
                changer = threading.Thread(target=fail_over_and_rebalance)
                changer.start()  # lands while the next batches are in flight
            docs = {"rel-%d" % i: {"n": i} for i in range(start, start + BATCH)}
            t0 = time.monotonic()
            res = coll.upsert_multi(docs, durable)
            slowest = max(slowest, time.monotonic() - t0)
            acked.update((k, docs[k]) for k in res.results)
            failed.update(res.exceptions)
        changer.join(30)
        assert topology_done.is_set()

        assert len(acked) + len(failed) == TOTAL
        assert len(acked) > TOTAL * 0.9
        # each batch finished within its timeout plus one retry round of slack: nothing hung
        assert slowest < 2 * TIMEOUT + 1
        assert all(isinstance(e, CouchbaseException) for e in failed.values())
        keys = list(acked)
        for i in range(0, len(keys), 1000):
            got = coll.get_multi(keys[i:i + 1000])
            assert not got.exceptions
            for k, r in got.results.items():
                assert r.content_as[dict] == acked[k], k
        c.close()
