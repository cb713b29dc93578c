"""Durable writes across a failover: every acknowledged write stays readable."""

import struct

import pytest

from couchbase.mock import MockCluster, codec
from couchbase.mock import status as st
from couchbase.mock._client import SmartClient

TOTAL = 50_000
BATCH = 500


@pytest.mark.slow
def test_majority_writes_survive_failover_midway():
    with MockCluster(nodes=3, replicas=1, vbuckets=64) as cluster:
        info = cluster.info()
        client = SmartClient("127.0.0.1", info["nodes"][0]["kv"], "Administrator",
                             "password", "default", timeout=10)
        frame = codec.durability_frame(1, 5000)
        extras = struct.pack(">II", 0x02000000, 0)
        acked = {}
        outcomes = {}
        for start in range(0, TOTAL, BATCH):
            if start == TOTAL // 2:
                cluster.failover(1)
                cluster.stop_node(1)
            if start == TOTAL // 2 + 5 * BATCH:
                cluster.rebalance()
            keys = [b"rel-%d" % i for i in range(start, start + BATCH)]
            ops = [(codec.SET, k, dict(extras=extras, value=b'{"i":"%s"}' % k, framing=frame))
                   for k in keys]
            for k, pkt in zip(keys, client.batch(ops)):
                code = None if pkt is None else pkt.status
                outcomes[code] = outcomes.get(code, 0) + 1
                if code == st.SUCCESS:
                    acked[k] = b'{"i":"%s"}' % k
        # between the failover and the rebalance some vbuckets have a single copy
        assert set(outcomes) <= {st.SUCCESS, st.DURABILITY_IMPOSSIBLE, None}, outcomes
        assert outcomes.get(st.DURABILITY_IMPOSSIBLE, 0) > 0
        assert len(acked) > TOTAL * 0.9

        keys = list(acked)
        for start in range(0, len(keys), 1000):
            chunk = keys[start:start + 1000]
            res = client.batch([(codec.GET, k, {}) for k in chunk])
            for k, pkt in zip(chunk, res):
                assert pkt is not None and pkt.status == 0, k
                assert pkt.value == acked[k]
        store = cluster.bucket("default")
        assert all(store.get(k) == v for k, v in acked.items())
        assert cluster.nodes[1]["state"] == "ejected"
