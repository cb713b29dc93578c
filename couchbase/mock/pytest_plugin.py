"""pytest plugin: ``pytest -p couchbase.mock.pytest_plugin``.

Fixtures:

* ``couchbase_mock`` (session): a running MockCluster. Options: ``--mock-nodes``,
  ``--mock-replicas``, ``--mock-vbuckets``.
* ``couchbase_bucket`` (function): a fresh bucket with a unique name on that cluster,
  deleted after the test; the fixture value is the bucket name.
"""

import itertools

import pytest

from .cluster import MockCluster

_names = itertools.count()


def pytest_addoption(parser):
    group = parser.getgroup("couchbase-mock")
    group.addoption("--mock-nodes", type=int, default=1, help="nodes of the mock cluster")
    group.addoption("--mock-replicas", type=int, default=0, help="replicas per bucket")
    group.addoption("--mock-vbuckets", type=int, default=64, help="vbuckets per bucket")


@pytest.fixture(scope="session")
def couchbase_mock(request):
    cfg = request.config
    with MockCluster(nodes=cfg.getoption("--mock-nodes"),
                     replicas=cfg.getoption("--mock-replicas"),
                     vbuckets=cfg.getoption("--mock-vbuckets")) as cluster:
        yield cluster


@pytest.fixture
def couchbase_bucket(couchbase_mock):
    name = "test-%d" % next(_names)
    couchbase_mock.create_bucket(name)
    try:
        yield name
    finally:
        couchbase_mock.delete_bucket(name)
