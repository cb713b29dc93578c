"""Which faces ask the server for UnorderedExecution (HELLO 0x0e), as the embedded cluster's
DEBUG log of each connection's HELLO shows: a modern bucket does unless
enable_unordered_execution=False; the classic face never does (its pipelines may send a
request that depends on the one before it)."""
import logging
import re

from modern_cluster import PASSWORD, USER, connect

HELLO = re.compile(r"HELLO from couchbase-python/\S+: features (.*)$")


def _features_asked(caplog, use):
    """The features of every HELLO our client sent while `use()` ran."""
    caplog.clear()
    with caplog.at_level(logging.DEBUG, logger="couchbase.mock"):
        use()
    found = [HELLO.search(r.getMessage()) for r in caplog.records if r.name == "couchbase.mock"]
    agreed = [m.group(1).split() for m in found if m]
    assert agreed, "no HELLO seen"
    return agreed


def _modern(one_node, **options):
    def use():
        cluster = connect(one_node, **options)
        try:
            cluster.bucket("default").default_collection().upsert("unordered-probe", 1)
        finally:
            cluster.close()
    return use


def test_a_modern_bucket_asks_for_unordered_execution(one_node, caplog):
    # the bucket's connections are those asking for collections (0x12); the cluster's own
    # credential check asks for TCP_NODELAY only
    buckets = [f for f in _features_asked(caplog, _modern(one_node)) if "0x12" in f]
    assert buckets and all("0x0e" in f for f in buckets)


def test_enable_unordered_execution_false_leaves_it_out(one_node, caplog):
    assert all("0x0e" not in f for f in _features_asked(caplog, _modern(one_node, enable_unordered_execution=False)))


def test_the_classic_face_never_asks_for_it(one_node, caplog):
    from couchbase import Couchbase

    def use():
        conn = Couchbase.connect(connstr=one_node.connstr + "/default", username=USER, password=PASSWORD)
        conn.set("unordered-probe", 1)

    assert all("0x0e" not in f for f in _features_asked(caplog, use))


def test_the_connection_string_option_turns_it_off(one_node, caplog):
    from couchbase.auth import PasswordAuthenticator
    from couchbase.cluster import Cluster
    from couchbase.options import ClusterOptions

    def use():
        cluster = Cluster.connect(one_node.connstr + "?enable_unordered_execution=false",
                                  ClusterOptions(PasswordAuthenticator(USER, PASSWORD)))
        try:
            cluster.bucket("default").default_collection().upsert("unordered-probe", 1)
        finally:
            cluster.close()

    buckets = [f for f in _features_asked(caplog, use) if "0x12" in f]
    assert buckets and all("0x0e" not in f for f in buckets)
