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


def active_node_id(mock, key, bucket="default"):
    """The id of the node holding the active copy of `key` in `mock`, from the cluster's own map."""
    from couchbase.mock.codec import vbucket_of

    vbmap = mock.topology.maps[bucket].map
    return vbmap[vbucket_of(key.encode(), len(vbmap))][0]


def active_node(mock, key, bucket="default"):
    """"host:port" (KV) of the node holding the active copy of `key` in `mock`."""
    node = mock.topology.nodes[active_node_id(mock, key, bucket)]
    return "%s:%d" % (node.host, node.kv_port)
