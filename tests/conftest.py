"""Shared fixtures: real memcached servers started on 127.0.0.1 for the whole session."""
import itertools

import pytest


from servers import Memcached  # noqa: E402

_counter = itertools.count()


@pytest.fixture(scope="session")
def memcached():
    """One real memcached; a missing binary is an error, never a skip."""
    with Memcached() as server:
        yield server


@pytest.fixture(scope="session")
def memcached_trio():
    """Three real memcached servers, for ketama distribution and failure tests."""
    servers = [Memcached().start() for _ in range(3)]
    try:
        yield servers
    finally:
        for s in servers:
            s.stop()


@pytest.fixture
def uniq(request):
    """A key prefix unique to this test, so tests share servers without flushing."""
    return "%s-%d-" % (request.node.name[:60], next(_counter))


@pytest.fixture
def mc_conn(memcached):
    from couchbase import Couchbase

    conn = Couchbase.connect(host="memcached://%s" % memcached.address)
    yield conn
    del conn


@pytest.fixture(scope="session")
def mock_cluster():
    """The embedded cluster: 3 nodes, 1 replica, buckets `default` and password-protected `secret`."""
    from couchbase.mock import MockCluster

    with MockCluster(nodes=3, replicas=1, vbuckets=64, buckets={"default": None, "secret": "s3cret"}) as cluster:
        yield cluster


@pytest.fixture
def mock_cluster_factory():
    """Builds a private embedded cluster for tests that change its topology."""
    from couchbase.mock import MockCluster

    def make(**kw):
        kw.setdefault("buckets", {"default": None})
        return MockCluster(**kw)

    return make


@pytest.fixture(params=["memcached", "mock"])
def kv(request):
    """A classic Connection to each kind of server: plain memcached (ketama) and a Couchbase bucket."""
    from couchbase import Couchbase

    if request.param == "memcached":
        server = request.getfixturevalue("memcached")
        conn = Couchbase.connect(host="memcached://%s" % server.address)
    else:
        cluster = request.getfixturevalue("mock_cluster")
        conn = Couchbase.connect(bucket="default", host="127.0.0.1", port=cluster.rest_port)
    yield conn
    del conn
