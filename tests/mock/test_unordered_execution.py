"""A sync write waiting for its replica holds the connection's later requests, unless the
client negotiated UnorderedExecution (HELLO 0x0e): then they are answered at once and the
sync write's answer follows when it settles, as a real server does."""
import json
import struct

import pytest

from couchbase.mock import MockCluster, codec
from couchbase.mock._client import DEFAULT_FEATURES, MemdClient


@pytest.fixture
def cluster():
    with MockCluster(nodes=2, replicas=1, vbuckets=16) as m:
        yield m


def _connect(cluster, unordered):
    """A connection to the node holding the active copy of "durable", and that key's vbucket."""
    cfg = json.loads(cluster.config("default"))
    vb = codec.vbucket_of(b"durable", len(cfg["vBucketServerMap"]["vBucketMap"]))
    node = cfg["vBucketServerMap"]["vBucketMap"][vb][0]
    port = cfg["nodesExt"][node]["services"]["kv"]
    features = DEFAULT_FEATURES + ((codec.F_UNORDERED,) if unordered else ())
    c = MemdClient("127.0.0.1", port, "Administrator", "password", "default", features=features)
    return c, vb


def _durable_set_then_noop(c, vb):
    """Send a MAJORITY set and a NOOP back to back; the opaques in the order they come back."""
    majority_1s = bytes([0x13, 1]) + struct.pack(">H", 1000)  # frame id 1, length 3: level 1, timeout 1000 ms
    c.send(codec.encode_request(codec.SET, key=b"durable", value=b"{}", extras=struct.pack(">II", 0, 0),
                                vbucket=vb, opaque=1, framing=majority_1s)
           + codec.encode_request(codec.NOOP, opaque=2))
    return [c.recv_packet().opaque for _ in range(2)]


def _answer_order(cluster, unordered):
    """(features agreed, opaques in answer order) of a MAJORITY set then a NOOP, sent while
    replication is paused."""
    c, vb = _connect(cluster, unordered)
    cluster.pause_replication()
    try:
        return c.features, _durable_set_then_noop(c, vb)
    finally:
        cluster.resume_replication()
        c.close()


def test_with_unordered_execution_a_later_request_overtakes_a_waiting_sync_write(cluster):
    features, order = _answer_order(cluster, unordered=True)
    assert codec.F_UNORDERED in features
    assert order == [2, 1]


def test_without_it_a_waiting_sync_write_holds_the_requests_behind_it(cluster):
    _features, order = _answer_order(cluster, unordered=False)
    assert order == [1, 2]
