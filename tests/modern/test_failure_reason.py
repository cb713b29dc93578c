"""A request that fails with its socket says why, in the modern face as in the classic
one: the message is the socket's one failure record, "host:port: reason"."""
import pytest

from couchbase.exceptions import CouchbaseException
from modern_cluster import connect

pytestmark = pytest.mark.mock


def test_an_oversized_answer_names_the_node_and_the_size_and_the_bucket_keeps_working(one_node):
    cluster = connect(one_node, max_response_size=4096)
    try:
        coll = cluster.bucket("default").default_collection()
        coll.upsert("reason-big", "x" * 5000)
        coll.upsert("reason-small", "y")
        with pytest.raises(CouchbaseException) as e:
            coll.get("reason-big")
        node = "127.0.0.1:%d" % one_node.info()["nodes"][0]["kv"]
        assert e.value.message.startswith(node + ": response body of ")
        assert "over max_response_size (4096)" in e.value.message
        assert coll.get("reason-small").content_as[str] == "y"
    finally:
        cluster.close()


def test_a_sub_document_lookup_on_an_oversized_answer_names_the_node(one_node):
    from couchbase import subdocument as SD

    cluster = connect(one_node, max_response_size=4096)
    try:
        coll = cluster.bucket("default").default_collection()
        coll.upsert("reason-doc", {"big": "x" * 5000})
        with pytest.raises(CouchbaseException) as e:
            coll.lookup_in("reason-doc", [SD.get("big")])
        assert "over max_response_size (4096)" in e.value.message
    finally:
        cluster.close()
