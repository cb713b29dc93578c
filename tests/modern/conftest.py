"""Fixtures of the modern-API tests: embedded clusters and connected collections."""
import itertools

import pytest


USER, PASSWORD = "Administrator", "password"
_n = itertools.count()


def _mock(nodes, replicas):
    from couchbase.mock import MockCluster

    return MockCluster(nodes=nodes, replicas=replicas, vbuckets=64,
                       buckets={"default": None, "travel-sample": None},
                       users={USER: PASSWORD},
                       collections=[("travel-sample", "tenant_agent_00", "users"),
                                    ("default", "inventory", "airline")])


@pytest.fixture(scope="session")
def one_node():
    """One node, one replica configured (so durable writes are impossible)."""
    with _mock(1, 1) as m:
        yield m


@pytest.fixture(scope="session")
def three_nodes():
    """Three nodes, one replica."""
    with _mock(3, 1) as m:
        yield m


def connect(mock, **kwargs):
    from couchbase.auth import PasswordAuthenticator
    from couchbase.cluster import Cluster
    from couchbase.options import ClusterOptions

    return Cluster.connect(mock.connstr, ClusterOptions(PasswordAuthenticator(USER, PASSWORD), **kwargs))


@pytest.fixture(scope="session")
def cluster(one_node):
    c = connect(one_node)
    yield c
    c.close()


@pytest.fixture(scope="session")
def cluster3(three_nodes):
    c = connect(three_nodes)
    yield c
    c.close()


@pytest.fixture
def coll(cluster):
    return cluster.bucket("default").default_collection()


@pytest.fixture
def key(request):
    """A key unique to this test."""
    return "%s-%d" % (request.node.name[:60], next(_n))
