"""Closing, settings and private helpers of the classic Connection: closed/_close/close, the
context manager, _cntl, _vbmap, timings, views_timeout, configured_replica_count."""
import math
import os

import pytest

import couchbase._libcouchbase as LCB
from couchbase import Couchbase
from couchbase.exceptions import ArgumentError, ClientTemporaryFailError, CouchbaseError, NotSupportedError


def _client_sockets(conn):
    """Socket inodes of this process connected to one of `conn`'s servers (from /proc)."""
    ports = {int(n.rsplit(":", 1)[1]) for n in conn.server_nodes}
    remote = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as f:
            for line in f.readlines()[1:]:
                parts = line.split()
                remote[parts[9]] = int(parts[2].rsplit(":", 1)[1], 16)
    out = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            link = os.readlink("/proc/self/fd/" + fd)
        except OSError:
            continue
        if link.startswith("socket:["):
            inode = link[8:-1]
            if remote.get(inode) in ports:
                out.add(inode)
    return out


def _connect(request, server):
    if server == "memcached":
        return Couchbase.connect(host="memcached://%s" % request.getfixturevalue("memcached").address)
    cluster = request.getfixturevalue("mock_cluster")
    return Couchbase.connect(bucket="default", host="127.0.0.1", port=cluster.rest_port)


@pytest.fixture(params=["memcached", "mock"])
def server(request):
    return request.param


def test_close_releases_sockets_at_once(request, server, uniq):
    c = _connect(request, server)
    before = _client_sockets(c)
    c2 = _connect(request, server)
    c2.set_multi({uniq + str(i): i for i in range(50)})
    mine = _client_sockets(c2) - before
    assert mine
    c2.close()
    assert c2.closed and not mine & _client_sockets(c2)


def test_context_manager_closes_on_exit(request, server, uniq):
    c = _connect(request, server)
    before = _client_sockets(c)
    with _connect(request, server) as c2:
        c2.set(uniq, 1)
        assert not c2.closed
        mine = _client_sockets(c2) - before
    assert mine and c2.closed and not mine & _client_sockets(c2)


def test_operations_after_close_raise_client_temporary_fail(request, server, uniq):
    c = _connect(request, server)
    c._close()
    for op in (lambda: c.get(uniq), lambda: c.set(uniq, 1), lambda: c.get_multi([uniq]), lambda: c.stats()):
        with pytest.raises(ClientTemporaryFailError) as ei:
            op()
        assert ei.value.rc == LCB.LCB_CLIENT_ETMPFAIL


def test_close_twice_is_harmless_and_privflags_report_closed(request, server):
    c = _connect(request, server)
    assert not c._privflags & LCB.PYCBC_CONN_F_CLOSED
    c._close()
    c._close()
    assert c._privflags & LCB.PYCBC_CONN_F_CLOSED


# ---- timeouts ----

@pytest.mark.parametrize("attr", ["timeout", "views_timeout"])
@pytest.mark.parametrize("bad,exc", [(0, ValueError), (-1, ValueError), (float("nan"), ValueError),
                                     (math.inf, ValueError), (1e30, ValueError), ("2", TypeError),
                                     (None, TypeError), (True, TypeError)])
def test_bad_timeout_is_refused_and_the_previous_one_kept(kv, uniq, attr, bad, exc):
    before = getattr(kv, attr)
    with pytest.raises(exc):
        setattr(kv, attr, bad)
    assert getattr(kv, attr) == before
    assert kv.set(uniq, 1).success


def test_timeout_and_views_timeout_defaults_and_settable(kv):
    assert kv.timeout == 2.5 and kv.views_timeout == 75.0
    kv.timeout = 1.25
    kv.views_timeout = 30
    assert kv.timeout == 1.25 and kv.views_timeout == 30.0


# ---- _cntl ----

def test_cntl_reads_and_sets_timeouts(kv):
    assert kv._cntl(LCB.LCB_CNTL_OP_TIMEOUT) == 2.5
    assert kv._cntl(LCB.LCB_CNTL_OP_TIMEOUT, value_type="uint32_t") == 2500000
    kv._cntl(LCB.LCB_CNTL_OP_TIMEOUT, 4.0)
    assert kv.timeout == 4.0
    kv._cntl(LCB.LCB_CNTL_VIEW_TIMEOUT, 1500000, value_type="uint32_t")
    assert kv.views_timeout == 1.5
    kv._cntl(LCB.LCB_CNTL_DURABILITY_TIMEOUT, 0.5, value_type="timeout")
    assert kv._cntl(LCB.LCB_CNTL_DURABILITY_TIMEOUT) == 0.5


def test_cntl_handle_type_and_read_only_settings(kv):
    assert kv._cntl(LCB.LCB_CNTL_HANDLETYPE) == LCB.LCB_TYPE_BUCKET
    with pytest.raises(NotSupportedError):
        kv._cntl(LCB.LCB_CNTL_HANDLETYPE, 1)


def test_cntl_unknown_op_raises_couchbase_error(kv):
    with pytest.raises(CouchbaseError) as ei:
        kv._cntl(0x7777)
    assert ei.value.rc == LCB.LCB_NOT_SUPPORTED


def test_cntl_bad_value_type_or_value(kv):
    with pytest.raises(ArgumentError):
        kv._cntl(LCB.LCB_CNTL_OP_TIMEOUT, 1, value_type="bogus")
    with pytest.raises(ValueError):
        kv._cntl(LCB.LCB_CNTL_OP_TIMEOUT, -1.0)
    assert kv.timeout == 2.5


def test_cntl_constructor_argument(mock_cluster):
    c = Couchbase.connect(bucket="default", host="127.0.0.1", port=mock_cluster.rest_port,
                          _cntl={LCB.LCB_CNTL_OP_TIMEOUT: 3.5})
    assert c.timeout == 3.5


# ---- _vbmap, replicas, repr ----

def test_vbmap_gives_vbucket_and_server_of_a_key(cb, uniq):
    vb, server = cb._vbmap(uniq)
    assert 0 <= vb < 64 and 0 <= server < len(cb.server_nodes)
    assert cb._vbmap(uniq) == (vb, server)


def test_configured_replica_count(cb, mc_conn):
    assert cb.configured_replica_count == 1
    assert mc_conn.configured_replica_count == 0


def test_server_nodes_is_read_only(kv):
    with pytest.raises(AttributeError):
        kv.server_nodes = []
    assert all(":" in n for n in kv.server_nodes)


# ---- timings ----

def test_timings_count_each_key_once_and_stop(kv, uniq):
    kv._start_timings()
    kv.set(uniq, 1)
    kv.get(uniq)
    kv.get_multi([uniq, uniq + "x"], quiet=True)
    t = kv._get_timings()
    assert sum(b["count"] for b in t) == 4
    assert all(set(b) == {"min", "max", "count"} and 0 <= b["min"] < b["max"] for b in t)
    kv._stop_timings()
    kv.get(uniq)
    assert sum(b["count"] for b in kv._get_timings()) == 4
    kv._start_timings()
    assert kv._get_timings() == []
    kv._stop_timings()
