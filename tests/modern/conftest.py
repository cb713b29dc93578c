"""Fixtures of the modern-API tests: embedded clusters and connected collections."""
import itertools

import pytest

from modern_cluster import connect, new_mock

_n = itertools.count()


@pytest.fixture(scope="session")
def one_node():
    """One node, one replica configured (so durable writes are impossible)."""
    with new_mock(1, 1) as m:
        yield m


@pytest.fixture(scope="session")
def three_nodes():
    """Three nodes, one replica."""
    with new_mock(3, 1) as m:
        yield m


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
