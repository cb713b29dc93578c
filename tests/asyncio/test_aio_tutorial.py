"""The modern KV tutorial (shared/seeds/000_b7c197f9d8cee147.txt) with every block rewritten
for the asyncio face (each call awaited, the connection made with acouchbase), run as
written against the embedded cluster, with the outcomes the tutorial describes -- on
asyncio's own loop and on uvloop."""
import ast
import contextlib
import io

import pytest

from aiohelpers import run
from couchbase.exceptions import CasMismatchException, DurabilityImpossibleException

pytestmark = pytest.mark.mock

CONNECT = '''
from datetime import timedelta
from acouchbase.cluster import Cluster
from couchbase.auth import PasswordAuthenticator
from couchbase.options import ClusterOptions, InsertOptions, GetOptions, RemoveOptions
from couchbase.durability import ServerDurability, Durability

cluster = await Cluster.connect(connstr, ClusterOptions(PasswordAuthenticator("Administrator", "password")))
bucket = cluster.bucket("travel-sample")
await bucket.on_connect()
collection = bucket.default_collection()
cb_coll = collection
'''

INSERT = '''
# Insert document
document = {"foo": "bar", "bar": "foo"}
result = await collection.insert("document-key", document)
cas = result.cas
'''

INSERT_OPTS = '''
# Insert document with options
document = {"foo": "bar", "bar": "foo"}
opts = InsertOptions(timeout=timedelta(seconds=5))
result = await collection.insert("document-key-opts",
                                 document,
                                 opts,
                                 expiry=timedelta(seconds=30))
'''

GET = '''
result = await collection.get("document-key")
print(result.content_as[dict])
'''

GET_OPTS = '''
opts = GetOptions(timeout=timedelta(seconds=5))
result = await collection.get("document-key", opts)
print(result.content_as[dict])
'''

UPSERT = '''
content = {"foobar": "barfoo"}
result = await cb_coll.upsert("document-key", content)

updated_doc = await cb_coll.get("document-key")
upserted_doc = updated_doc.content
print(f"Upserted Document: {upserted_doc}")
'''

UPSERT2 = '''
document = {"foo": "bar", "bar": "foo"}
result = await cb_coll.upsert("document-key-1", document)

# fetch the new document
inserted_doc = await cb_coll.get("document-key-1")
upserted_doc = inserted_doc.content
print(f"Upserted Document: {upserted_doc}")
'''

REMOVE = '''
# remove document with options
result = await collection.remove(
    "document-key",
    RemoveOptions(
        cas=12345,
        durability=ServerDurability(
            Durability.MAJORITY)))
'''

REPLACE = '''
result = await cb_coll.get("document-key")
print(f"Document Before Replace: {result.content}")

document = {"foo": "bar", "bar": "foo"}
result = await cb_coll.replace("document-key", document)

result = await cb_coll.get("document-key")
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
    result = await cb_coll.upsert("document-key", document, opts)
except Exception as e:
    print(e)
'''

NAMED_COLLECTION = '''
agent_scope = bucket.scope("tenant_agent_00");
users_collection = agent_scope.collection("users");

content = {"name": "John Doe", "preferred_email": "johndoe111@test123.test" }

result = await users_collection.upsert("user-key", content);
'''

CLOSE = '''
await cluster.close()
'''


async def _run(block, ns):
    """Run a block with top-level awaits in namespace `ns`; its printed output."""
    code = compile(block, "<tutorial>", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        awaitable = eval(code, ns)
        if awaitable is not None:
            await awaitable
    return buf.getvalue()


def tutorial(mock, *blocks, loop="asyncio"):
    """The outputs of CONNECT, `blocks` and CLOSE run in one namespace, and the namespace."""
    ns = {"connstr": mock.connstr}

    async def main():
        await _run(CONNECT, ns)
        for k in ("document-key", "document-key-opts", "document-key-1"):
            try:
                await ns["collection"].remove(k)
            except Exception:
                pass
        out = []
        try:
            for b in blocks:
                try:
                    out.append(await _run(b, ns))
                except Exception as e:
                    out.append(e)
            return out
        finally:
            await _run(CLOSE, ns)

    return run(main, loop), ns


def test_insert_and_options(one_node):
    (ins, ins_opts), ns = tutorial(one_node, INSERT, INSERT_OPTS)
    assert ins == "" and ins_opts == ""
    assert isinstance(ns["cas"], int) and ns["cas"] > 0


def test_get_blocks(one_node, loop_kind):
    (_i, get, get_opts), _ns = tutorial(one_node, INSERT, GET, GET_OPTS, loop=loop_kind)
    assert get == "{'foo': 'bar', 'bar': 'foo'}\n"
    assert get_opts == "{'foo': 'bar', 'bar': 'foo'}\n"


def test_upsert_blocks(one_node, loop_kind):
    (_i, up, up2), _ns = tutorial(one_node, INSERT, UPSERT, UPSERT2, loop=loop_kind)
    assert up == "Upserted Document: {'foobar': 'barfoo'}\n"
    assert up2 == "Upserted Document: {'foo': 'bar', 'bar': 'foo'}\n"


def test_remove_block_one_node(one_node):
    """A wrong CAS with MAJORITY durability on one node with a replica configured: the
    durability requirement is impossible there (as with the blocking face)."""
    (_i, removed), _ns = tutorial(one_node, INSERT, REMOVE)
    assert type(removed) is DurabilityImpossibleException


def test_remove_block_three_nodes(three_nodes):
    (_i, removed), _ns = tutorial(three_nodes, INSERT, REMOVE)
    assert type(removed) is CasMismatchException  # durability is possible; cas 12345 does not match


def test_replace_block(one_node, loop_kind):
    (_i, _u, replaced), _ns = tutorial(one_node, INSERT, UPSERT, REPLACE, loop=loop_kind)
    assert replaced == ("Document Before Replace: {'foobar': 'barfoo'}\n"
                        "Document After Replace: {'foo': 'bar', 'bar': 'foo'}\n")


def test_durability_block_one_node_errors(one_node):
    (out,), _ns = tutorial(one_node, DURABILITY)
    assert out.startswith("DurabilityImpossibleException(")


def test_durability_block_three_nodes_succeeds(three_nodes, loop_kind):
    (out, got), ns = tutorial(three_nodes, DURABILITY, GET, loop=loop_kind)
    assert out == "" and ns["result"].content_as[dict] == {"foo": "bar", "bar": "foo"}


def test_named_collection_block(one_node, loop_kind):
    (out, get), ns = tutorial(one_node, NAMED_COLLECTION, 'r = await users_collection.get("user-key")\n'
                                                          'print(r.content_as[dict]["name"])\n', loop=loop_kind)
    assert out == "" and get == "John Doe\n"
