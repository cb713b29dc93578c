"""Typed application code: the modern key-value tutorial (4.x API) and the manual's classic
examples (1.x API), written as a user checking them with ``mypy --strict`` would.

tests/typing/test_mypy.py checks this file with ``mypy --strict`` (no errors allowed) and
runs it against the embedded cluster, so it stays both well typed and correct.
"""
import zlib
from datetime import timedelta
from typing import Any, Dict, List, Optional, Tuple

import couchbase.subdocument as SD
from couchbase import Couchbase
from couchbase.auth import PasswordAuthenticator
from couchbase.cluster import Cluster
from couchbase.collection import Collection, GetOptions, InsertOptions, RemoveOptions, UpsertOptions
from couchbase.connection import Connection
from couchbase.durability import Durability, ServerDurability
from couchbase.exceptions import (
    CouchbaseException, DocumentExistsException, DocumentNotFoundException, KeyExistsError, NotFoundError,
)
from couchbase.options import ClusterOptions, ClusterTimeoutOptions, IncrementOptions
from couchbase.result import GetResult, MultiResult, MutationResult, OperationResult, ValueResult
from couchbase.transcoder import Transcoder
from couchbase.user_constants import FMT_BYTES, FMT_JSON, FMT_MASK, FMT_PICKLE, FMT_UTF8
from couchbase.views.params import Query


# ---- the modern key-value tutorial ----

def connect(connstr: str, username: str, password: str) -> Cluster:
    timeouts = ClusterTimeoutOptions(kv_timeout=timedelta(seconds=5))
    return Cluster.connect(connstr, ClusterOptions(PasswordAuthenticator(username, password),
                                                   timeout_options=timeouts))


def tutorial(cluster: Cluster) -> Dict[str, Any]:
    bucket = cluster.bucket("travel-sample")
    collection: Collection = bucket.default_collection()
    cb_coll = collection
    seen: Dict[str, Any] = {}

    # Insert document
    document = {"foo": "bar", "bar": "foo"}
    result = collection.insert("document-key", document)
    cas: int = result.cas
    seen["insert_cas"] = cas

    # Insert document with options
    opts = InsertOptions(timeout=timedelta(seconds=5))
    result = collection.insert("document-key-opts", document, opts, expiry=timedelta(seconds=30))

    # Read documents
    got: GetResult = collection.get("document-key")
    as_dict: Dict[str, Any] = got.content_as[dict]
    seen["get"] = as_dict
    get_opts = GetOptions(timeout=timedelta(seconds=5))
    got = collection.get("document-key", get_opts)
    seen["get_with_options"] = got.content_as[dict]["foo"]

    # Update/upsert document
    content = {"foobar": "barfoo"}
    mutation: MutationResult = cb_coll.upsert("document-key", content)
    updated_doc = cb_coll.get("document-key")
    seen["upserted"] = updated_doc.content
    cb_coll.upsert("document-key-1", {"foo": "bar", "bar": "foo"})
    seen["upserted_1"] = cb_coll.get("document-key-1").content

    # Replace document
    cb_coll.replace("document-key", {"foo": "bar", "bar": "foo"})
    seen["replaced"] = cb_coll.get("document-key").content_as[dict]

    # Remove with options: CAS 12345 is not the document's, so the server refuses it
    try:
        collection.remove("document-key", RemoveOptions(cas=12345, durability=ServerDurability(Durability.MAJORITY)))
    except CouchbaseException as e:
        seen["remove_refused"] = type(e).__name__

    # Durability: a single node cannot meet MAJORITY
    upsert_opts = UpsertOptions(durability=ServerDurability(Durability.MAJORITY))
    try:
        cb_coll.upsert("document-key", dict(foo="bar", bar="foo"), upsert_opts)
    except Exception as e:
        seen["durable_upsert"] = type(e).__name__

    # A named collection
    agent_scope = bucket.scope("tenant_agent_00")
    users_collection = agent_scope.collection("users")
    user = {"name": "John Doe", "preferred_email": "johndoe111@test123.test"}
    mutation = users_collection.upsert("user-key", user)
    token = mutation.mutation_token()
    seen["token_bucket"] = token.bucket_name if token is not None else None

    # CAS: replace with the CAS of the last read
    current = collection.get("document-key-1")
    collection.replace("document-key-1", {"foo": "baz"}, cas=current.cas)
    try:
        collection.insert("document-key-1", {})
    except DocumentExistsException:
        seen["insert_exists"] = True

    # Beyond the tutorial: counters, sub-document, expiry and typed content
    counter = collection.binary().increment("counter-key", IncrementOptions(initial=10))
    seen["counter"] = counter.content
    looked = collection.lookup_in("document-key-1", [SD.get("foo"), SD.exists("missing")])
    foo: str = looked.content_as[str](0)
    seen["lookup"] = (foo, looked.exists(1))
    with_expiry = collection.get("document-key-opts", GetOptions(with_expiry=True))
    seen["has_expiry"] = with_expiry.expiry_time is not None
    try:
        collection.get("no-such-document")
    except DocumentNotFoundException:
        seen["missing"] = True
    return seen


# ---- the manual's classic examples ----

class ZlibTranscoder(Transcoder):
    """The manual's transcoder: FMT_ZLIB compresses what the parent transcoder encoded."""

    FMT_ZLIB = (FMT_MASK << 1) & ~FMT_MASK

    def encode_value(self, value: Any, format: Any) -> Tuple[bytes, int]:
        converted, flags = super().encode_value(value, format & FMT_MASK)
        if format & self.FMT_ZLIB:
            flags |= self.FMT_ZLIB
            converted = zlib.compress(converted)
        return converted, flags

    def decode_value(self, value: bytes, flags: int) -> Any:
        if flags & self.FMT_ZLIB:
            value = zlib.decompress(value)
            flags &= FMT_MASK
        return super().decode_value(value, flags)


def classic(host: str, port: int) -> Dict[str, Any]:
    seen: Dict[str, Any] = {}
    c: Connection = Couchbase.connect(bucket="default", host=host, port=port, timeout=5.5)

    key = "classic-key"
    value = "classic value"
    result: OperationResult = c.set(key, value)
    seen["set_cas"] = result.cas
    got: ValueResult = c.get(key)
    seen["get"] = got.value
    try:
        c.add(key, "another value")
    except KeyExistsError:
        seen["add_exists"] = True
    c.replace(key, "new value")
    c.delete(key)
    try:
        c.get(key)
    except NotFoundError:
        seen["deleted"] = True
    quiet: ValueResult = c.get("non-exist-key", quiet=True)
    seen["quiet_success"] = quiet.success

    c.set_multi({"multi-1": {"a": 1}, "multi-2": [1, 2, 3]})
    many: MultiResult = c.get_multi(["multi-1", "multi-2"])
    seen["multi"] = {k: r.value for k, r in many.items()}

    c.set("a_python_set", {1, 2, 3}, format=FMT_PICKLE)
    c.set("blob", b"\x01\x02\x03\x04", format=FMT_BYTES)
    c.set("EXCALIBUR", "\u03EE", format=FMT_UTF8)
    c.default_format = FMT_JSON
    seen["formats"] = (c.get("a_python_set").value, c.get("blob").value, c.get("EXCALIBUR").value)

    c.set("counter", 0)
    counted = c.incr("counter", initial=10)
    seen["incr"] = counted.value

    c.set("greeting", "Hello", format=FMT_UTF8)
    c.append("greeting", " World!")
    c.prepend("greeting", "Why, ")
    seen["greeting"] = c.get("greeting").value

    user_id = "user_id-1"
    c.set(user_id, {"friends": {}})
    current = c.get(user_id)
    friends: Dict[str, Any] = current.value["friends"]
    friends["bob"] = {"added": 1}
    c.set(user_id, current.value, cas=current.cas)
    locked = c.lock(user_id, ttl=5)
    c.unlock(locked.key, locked.cas)

    pipeline = c.pipeline()
    with pipeline:  # operations inside return None; their results come with Pipeline.results
        c.set("piped", 1)
        c.get("piped")
    seen["piped"] = [r.value for r in pipeline.results or ()]

    rows = c.query("beer", "brewery_beers", limit=3, skip=1, stale=False)
    q = Query(limit=3, mapkey_range=["abbaye", "abbaye" + Query.STRING_RANGE_END], descending=True)
    view_from_query = c.query("beer", "by_name", query=q)
    seen["views"] = (rows.design, view_from_query.query.encoded)

    z = Couchbase.connect(transcoder=ZlibTranscoder(), bucket="default", host=host, port=port)
    z.set("zipped", b"long value" * 100, format=FMT_BYTES | ZlibTranscoder.FMT_ZLIB)
    raw: Optional[bytes] = z.get("zipped").value
    seen["zlib"] = raw == b"long value" * 100
    names: List[str] = sorted(seen)
    seen["keys"] = names
    return seen
