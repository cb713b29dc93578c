"""The running cluster over sockets: pipelining, hooks, node control, pushes, CLI, samples."""

import json
import os
import signal
import socket
import struct
import subprocess
import sys
import time

import pytest

from couchbase.mock import MockCluster, codec
from couchbase.mock import status as st
from couchbase.mock._client import MemdClient, SmartClient

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLE = "/work/shared/data/beer-sample.zip"


@pytest.fixture
def cluster():
    with MockCluster(nodes=3, replicas=1, vbuckets=16) as c:
        yield c


def smart(c):
    return SmartClient("127.0.0.1", c.nodes[0]["kv"], "Administrator", "password", "default")


def SET(key, value):
    return (codec.SET, key, dict(extras=struct.pack(">II", 0, 0), value=value))


def test_classic_quiet_multiget_pipeline():
    with MockCluster(nodes=1, vbuckets=4) as c:
        m = MemdClient("127.0.0.1", c.nodes[0]["kv"], "Administrator", "password", "default")
        c.bucket("default").set("a", b"1")
        c.bucket("default").set("c", b"3")
        reqs = [codec.encode_request(codec.GETKQ, key=k, vbucket=codec.vbucket_of(k, 4),
                                     opaque=i) for i, k in enumerate([b"a", b"b", b"c"])]
        reqs.append(codec.encode_request(codec.NOOP, opaque=99))
        m.send(b"".join(reqs))
        got = []
        while True:
            p = m.recv_packet()
            got.append((p.opaque, p.key, p.value))
            if p.opcode == codec.NOOP:
                break
        assert got == [(0, b"a", b"1"), (2, b"c", b"3"), (99, b"", b"")]


def test_force_status_hook_for_next_n_ops(cluster):
    sc = smart(cluster)
    cluster.hooks.force_status(st.ETMPFAIL, count=2, opcode=codec.SET)
    res = sc.batch([SET(b"h%d" % i, b"v") for i in range(3)])
    assert sorted(r.status for r in res) == [0, st.ETMPFAIL, st.ETMPFAIL]
    assert cluster.hooks.rules == []


def test_drop_hook_closes_connection(cluster):
    sc = smart(cluster)
    cluster.hooks.drop(opcode=codec.GET, count=1)
    res = sc.batch([(codec.GET, b"x", {})], retries=1)
    assert res == [None]
    assert sc.batch([(codec.GET, b"x", {})])[0].status == st.KEY_ENOENT


def test_delay_hook(cluster):
    sc = smart(cluster)
    cluster.hooks.delay(0.3, opcode=codec.GET, count=1)
    t = time.time()
    sc.batch([(codec.GET, b"x", {})])
    assert time.time() - t >= 0.3


def test_stop_and_start_node(cluster):
    port = cluster.nodes[2]["kv"]
    cluster.stop_node(2)
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2)
    cluster.start_node(2)
    MemdClient("127.0.0.1", port, "Administrator", "password", "default").close()


def test_failover_pushes_config_to_kv_connections(cluster):
    m = MemdClient("127.0.0.1", cluster.nodes[0]["kv"], "Administrator", "password",
                   "default", features=[codec.F_XERROR, codec.F_JSON, codec.F_DUPLEX,
                                        codec.F_CLUSTERMAP_NOTIF])
    rev = json.loads(m.request(codec.GET_CLUSTER_CONFIG).value)["rev"]
    cluster.failover(1)
    p = m.recv_packet()
    assert p.magic == codec.MAGIC_SRV_REQ and p.opcode == 0x01 and p.key == b"default"
    cfg = json.loads(p.value)
    assert cfg["rev"] > rev and len(cfg["nodesExt"]) == 2


def test_add_node_rebalance_and_remove(cluster):
    nid = cluster.add_node()
    cluster.rebalance()
    cfg = json.loads(cluster.config("default"))
    assert len(cfg["nodesExt"]) == 4
    sc = smart(cluster)
    assert all(r.status == 0 for r in sc.batch([SET(b"r%d" % i, b"v") for i in range(50)]))
    cluster.remove_node(nid)
    cfg = json.loads(cluster.config("default"))
    assert len(cfg["nodesExt"]) == 3
    assert all(r.status == 0 for r in sc.batch([(codec.GET, b"r%d" % i, {})
                                                for i in range(50)]))


def test_rest_topology_controllers(cluster):
    from test_rest import call
    p = cluster.rest_port
    st_, body = call(p, "POST", "/controller/addNode", {"hostname": "127.0.0.1"})
    otp = json.loads(body)["otpNode"]
    assert call(p, "POST", "/controller/rebalance", {"knownNodes": "", "ejectedNodes": ""})[0] \
        == 200
    deadline = time.time() + 5
    while len(json.loads(cluster.config("default"))["nodesExt"]) != 4 or \
            "vBucketMapForward" in json.loads(cluster.config("default"))["vBucketServerMap"]:
        assert time.time() < deadline
        time.sleep(0.05)
    assert call(p, "POST", "/controller/failOver", {"otpNode": otp})[0] == 200
    assert len(json.loads(cluster.config("default"))["nodesExt"]) == 3
    assert call(p, "POST", "/mock/nodes/3/stop")[0] == 200


def test_load_sample():
    with MockCluster(nodes=1, vbuckets=8) as c:
        docs, ddocs = c.load_sample("beer-sample", SAMPLE)
        assert docs > 7000 and ddocs == 1
        b = c.bucket("beer-sample")
        assert json.loads(b.get("21st_amendment_brewery_cafe"))["type"] == "brewery"
        assert "_design/beer" in b.design_docs


def test_cli_ready_file_and_sigterm(tmp_path):
    ready = tmp_path / "ready.json"
    p = subprocess.Popen([sys.executable, "-m", "couchbase.mock", "--nodes", "2",
                          "--replicas", "1", "--vbuckets", "16", "--bucket", "default",
                          "--bucket", "sec:pw", "--collection", "default.inv.air",
                          "--ready-file", str(ready)], stdout=subprocess.PIPE, text=True,
                         cwd=os.path.dirname(os.path.dirname(HERE)))
    try:
        line = p.stdout.readline()
        info = json.loads(line)
        assert json.loads(ready.read_text()) == info
        assert info["buckets"] == ["default", "sec"] and len(info["nodes"]) == 2
        assert info["connstr"] == "couchbase://127.0.0.1:%d" % info["nodes"][0]["kv"]
        m = MemdClient("127.0.0.1", info["nodes"][0]["kv"], "sec", "pw")
        assert m.request(codec.GET_CLUSTER_CONFIG).status == 0
        m2 = MemdClient("127.0.0.1", info["nodes"][0]["kv"], "Administrator", "password",
                        "default")
        assert m2.request(codec.GET_COLLECTION_ID, value=b"inv.air").status == 0
        p.send_signal(signal.SIGTERM)
        assert p.wait(10) == 0
    finally:
        if p.poll() is None:
            p.kill()
