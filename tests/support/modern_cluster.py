"""The embedded clusters of the modern-API tests and a blocking connection to them (shared by
tests/modern/conftest.py and the tests that build clusters of their own; importable by name,
unlike a conftest module, whose name several directories share)."""

USER, PASSWORD = "Administrator", "password"


def new_mock(nodes, replicas):
    """An embedded cluster (not started) with the buckets and collections the tests use."""
    from couchbase.mock import MockCluster

    return MockCluster(nodes=nodes, replicas=replicas, vbuckets=64,
                       buckets={"default": None, "travel-sample": None},
                       users={USER: PASSWORD},
                       collections=[("travel-sample", "tenant_agent_00", "users"),
                                    ("default", "inventory", "airline")])


def connect(mock, **kwargs):
    """A modern Cluster connected to `mock` as the test user."""
    from couchbase.auth import PasswordAuthenticator
    from couchbase.cluster import Cluster
    from couchbase.options import ClusterOptions

    return Cluster.connect(mock.connstr, ClusterOptions(PasswordAuthenticator(USER, PASSWORD), **kwargs))
