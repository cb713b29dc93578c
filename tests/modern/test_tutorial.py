"""Every code block of the modern KV tutorial, executed as written against the embedded cluster.

The blocks are kept verbatim (as text) and run with exec(); the variables the tutorial
assumes (``collection``, ``cb_coll``, ``bucket``) and the names it uses without importing
them are provided first. Output is captured and checked against what the tutorial says.
"""
import contextlib
import io

import pytest

from couchbase.exceptions import CasMismatchException, DurabilityImpossibleException

PREAMBLE = """
from datetime import timedelta
from couchbase.options import InsertOptions, GetOptions, RemoveOptions
from couchbase.durability import ServerDurability, Durability
"""

INSERT = '''
# Insert document
document = {"foo": "bar", "bar": "foo"}
result = collection.insert("document-key", document)
cas = result.cas
'''

INSERT_OPTS = '''
# Insert document with options
document = {"foo": "bar", "bar": "foo"}
opts = InsertOptions(timeout=timedelta(seconds=5))
result = collection.insert("document-key-opts",
                           document,
                           opts,
                           expiry=timedelta(seconds=30))
'''

GET = '''
result = collection.get("document-key")
print(result.content_as[dict])
'''

GET_OPTS = '''
opts = GetOptions(timeout=timedelta(seconds=5))
result = collection.get("document-key", opts)
print(result.content_as[dict])
'''

UPSERT = '''
content = {"foobar": "barfoo"}
result = cb_coll.upsert("document-key", content)

updated_doc = cb_coll.get("document-key")
upserted_doc = updated_doc.content
print(f"Upserted Document: {upserted_doc}")
'''

UPSERT2 = '''
document = {"foo": "bar", "bar": "foo"}
result = cb_coll.upsert("document-key-1", document)

# fetch the new document
inserted_doc = cb_coll.get("document-key-1")
upserted_doc = inserted_doc.content
print(f"Upserted Document: {upserted_doc}")
'''

REMOVE = '''
# remove document with options
result = collection.remove(
    "document-key",
    RemoveOptions(
        cas=12345,
        durability=ServerDurability(
            Durability.MAJORITY)))
'''

REPLACE = '''
result = cb_coll.get("document-key")
print(f"Document Before Replace: {result.content}")

document = {"foo": "bar", "bar": "foo"}
result = cb_coll.replace("document-key", document)

result = cb_coll.get("document-key")
print(f"Document After Replace: {result.content}")
'''

DURABILITY = '''
# Upsert with Durability level Majority
# The tradeoffs associated with durability levels may not be apparent in this example
# since we are using a single node cluster, but become much more clear on multi-node clusters
# The error is due to the single node setup
from couchbase.collection import UpsertOptions
from couchbase.durability import Durability, ServerDurability

document = dict(foo="bar", bar="foo")
opts = UpsertOptions(durability=ServerDurability(Durability.MAJORITY))
try:
    result = cb_coll.upsert("document-key", document, opts)
except Exception as e:
    print(e)
'''

NAMED_COLLECTION = '''
agent_scope = bucket.scope("tenant_agent_00");
users_collection = agent_scope.collection("users");

content = {"name": "John Doe", "preferred_email": "johndoe111@test123.test" }

result = users_collection.upsert("user-key", content);
'''


def _run(block, ns):
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        exec(compile(block, "<tutorial>", "exec"), ns)
    return buf.getvalue()


def _namespace(cluster):
    bucket = cluster.bucket("travel-sample")
    coll = bucket.default_collection()
    for k in ("document-key", "document-key-opts", "document-key-1"):
        try:
            coll.remove(k)
        except Exception:
            pass
    ns = {"collection": coll, "cb_coll": coll, "bucket": bucket}
    exec(PREAMBLE, ns)
    return ns


@pytest.fixture
def ns(cluster):
    return _namespace(cluster)


def test_insert_and_options(ns):
    assert _run(INSERT, ns) == ""
    assert isinstance(ns["cas"], int) and ns["cas"] > 0
    _run(INSERT_OPTS, ns)
    got = ns["collection"].get("document-key-opts", with_expiry=True)
    assert got.content_as[dict] == {"foo": "bar", "bar": "foo"}
    assert got.expiry_time is not None  # the expiry kwarg was applied on top of the options


def test_get_blocks(ns):
    _run(INSERT, ns)
    assert _run(GET, ns) == "{'foo': 'bar', 'bar': 'foo'}\n"
    assert _run(GET_OPTS, ns) == "{'foo': 'bar', 'bar': 'foo'}\n"


def test_upsert_blocks(ns):
    _run(INSERT, ns)
    assert _run(UPSERT, ns) == "Upserted Document: {'foobar': 'barfoo'}\n"
    assert _run(UPSERT2, ns) == "Upserted Document: {'foo': 'bar', 'bar': 'foo'}\n"


def test_remove_block_one_node(ns):
    """A wrong CAS with MAJORITY durability on one node with a replica configured: the
    durability requirement is impossible there (as with the official SDK)."""
    _run(INSERT, ns)
    with pytest.raises((DurabilityImpossibleException, CasMismatchException)) as info:
        _run(REMOVE, ns)
    assert type(info.value) is DurabilityImpossibleException
    assert ns["collection"].exists("document-key").exists


def test_remove_block_three_nodes(cluster3):
    ns = _namespace(cluster3)
    _run(INSERT, ns)
    with pytest.raises(CasMismatchException):  # durability is possible; cas 12345 does not match
        _run(REMOVE, ns)


def test_replace_block(ns):
    _run(INSERT, ns)
    _run(UPSERT, ns)
    assert _run(REPLACE, ns) == ("Document Before Replace: {'foobar': 'barfoo'}\n"
                                 "Document After Replace: {'foo': 'bar', 'bar': 'foo'}\n")


def test_durability_block_one_node_errors(ns):
    out = _run(DURABILITY, ns)
    assert out.startswith("DurabilityImpossibleException(")


def test_durability_block_three_nodes_succeeds(cluster3):
    ns = _namespace(cluster3)
    assert _run(DURABILITY, ns) == ""
    assert ns["result"].cas > 0
    assert ns["cb_coll"].get("document-key").content_as[dict] == {"foo": "bar", "bar": "foo"}


def test_named_collection_block(ns):
    assert _run(NAMED_COLLECTION, ns) == ""
    users = ns["users_collection"]
    assert users.get("user-key").content_as[dict]["name"] == "John Doe"
    assert not ns["collection"].exists("user-key").exists  # a different collection
