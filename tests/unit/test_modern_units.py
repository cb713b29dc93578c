"""Modern API pieces that need no server: options, transcoders, durability, exceptions, results."""
import pickle
from datetime import datetime, timedelta

import pytest

from couchbase import exceptions as E
from couchbase._modern.results import CounterResult, ExistsResult, GetResult, MutationResult, _ReadMeta
from couchbase._modern.transcoders import (
    FMT_BYTES, FMT_JSON, FMT_PICKLE, FMT_UTF8, JSONTranscoder, LegacyTranscoder, RawBinaryTranscoder,
    RawJSONTranscoder, RawStringTranscoder, Transcoder, get_decode_format,
)
from couchbase.auth import PasswordAuthenticator
from couchbase.durability import (
    ClientDurability, Durability, DurabilityLevel, PersistTo, ReplicateTo, ServerDurability,
)
from couchbase.options import (
    ClusterOptions, ClusterTimeoutOptions, DeltaValue, GetOptions, InsertOptions, SignedInt64, UpsertOptions,
    cluster_timeouts, expiry_to_wire, timeout_seconds,
)


# ---- options ----

def test_options_are_dicts_without_none():
    o = InsertOptions(timeout=timedelta(seconds=5), expiry=None)
    assert o == {"timeout": timedelta(seconds=5)}
    assert isinstance(o, dict)
    with pytest.raises(TypeError):
        GetOptions(timedelta(seconds=1))


def test_get_options_helpers():
    assert GetOptions().with_expiry is False
    assert GetOptions(with_expiry=True).with_expiry is True
    assert UpsertOptions().timeout(timedelta(seconds=2))["timeout"] == timedelta(seconds=2)


def test_option_classes_importable_from_collection():
    from couchbase import collection, options

    for name in ("GetOptions", "InsertOptions", "UpsertOptions", "ReplaceOptions", "RemoveOptions",
                 "TouchOptions", "GetAndLockOptions", "IncrementOptions", "DecrementOptions", "UnlockOptions",
                 "GetAndTouchOptions", "ExistsOptions", "AppendOptions", "PrependOptions"):
        assert getattr(collection, name) is getattr(options, name)


def test_expiry_values():
    assert expiry_to_wire(None) == 0
    assert expiry_to_wire(timedelta(0)) == 0
    assert expiry_to_wire(timedelta(seconds=30)) == 30
    assert expiry_to_wire(timedelta(seconds=30.9)) == 30
    far = expiry_to_wire(timedelta(days=30))
    assert far > 1_600_000_000  # 30 days and more become an absolute time
    when = datetime.now() + timedelta(hours=1)
    assert abs(expiry_to_wire(when) - int(when.timestamp())) <= 1
    for bad in (30, 1.5, "30", timedelta(seconds=-1)):
        with pytest.raises(E.InvalidArgumentException):
            expiry_to_wire(bad)


def test_timeout_values():
    assert timeout_seconds(timedelta(milliseconds=1500)) == 1.5
    for bad in (5, 2.5, None, timedelta(0)):
        with pytest.raises(E.InvalidArgumentException):
            timeout_seconds(bad)


def test_constrained_ints():
    assert DeltaValue(5).value == 5
    assert SignedInt64(-1).value == -1
    with pytest.raises(E.InvalidArgumentException):
        DeltaValue(-1)
    with pytest.raises(E.InvalidArgumentException):
        SignedInt64(2 ** 63)


def test_cluster_options():
    auth = PasswordAuthenticator("u", "p")
    o = ClusterOptions(auth, timeout_options=ClusterTimeoutOptions(kv_timeout=timedelta(seconds=3),
                                                                   connect_timeout=timedelta(seconds=4)),
                       kv_timeout=timedelta(seconds=9))
    assert o["authenticator"] is auth
    assert o["kv_timeout"] == timedelta(seconds=9)  # a direct key wins over timeout_options
    t = cluster_timeouts(o)
    assert t["connect_timeout"] == timedelta(seconds=4)
    assert t["kv_durable_timeout"] == timedelta(seconds=10)
    with pytest.raises(E.InvalidArgumentException):
        ClusterTimeoutOptions(kv_timeout=2.5)
    with pytest.raises(E.InvalidArgumentException):
        ClusterOptions(auth, enable_tls="yes")


def test_password_authenticator():
    a = PasswordAuthenticator("u", "p", allowed_sasl_mechanisms="SCRAM-SHA512,PLAIN")
    assert a["allowed_sasl_mechanisms"] == ["SCRAM-SHA512", "PLAIN"]
    assert isinstance(a, dict) and a["username"] == "u"
    with pytest.raises(E.InvalidArgumentException):
        PasswordAuthenticator("u", 1)
    assert PasswordAuthenticator.ldap_compatible("u", "p")["allowed_sasl_mechanisms"] == ["PLAIN"]


def test_cluster_argument_errors():
    from couchbase.cluster import Cluster

    with pytest.raises(E.InvalidArgumentException):
        Cluster("couchbase://127.0.0.1")
    with pytest.raises(E.InvalidArgumentException):
        Cluster("couchbase://127.0.0.1", PasswordAuthenticator("u", "p"))


# ---- durability ----

def test_durability_enums():
    assert [m.value for m in Durability] == [0, 1, 2, 3]
    assert DurabilityLevel.MAJORITY_AND_PERSIST_TO_ACTIVE.to_server_str() == "majority_and_persist_to_active"
    assert DurabilityLevel.from_server_str("persist_to_majority") is DurabilityLevel.PERSIST_TO_MAJORITY
    assert ServerDurability(Durability.MAJORITY).level is Durability.MAJORITY
    c = ClientDurability(ReplicateTo.ONE, PersistTo.ONE)
    assert (c.replicate_to, c.persist_to) == (1, 2)


# ---- transcoders ----

def test_flag_constants_and_reading_rule():
    assert (FMT_JSON, FMT_PICKLE, FMT_BYTES, FMT_UTF8) == (0x02000000, 0x01000001, 0x03000002, 0x04000004)
    assert get_decode_format(0) == FMT_JSON
    assert get_decode_format(0x03000000) == FMT_BYTES  # bare common flags (other SDKs)
    assert get_decode_format(0x04000000) == FMT_UTF8
    assert get_decode_format(2) == FMT_BYTES
    assert get_decode_format(0x07000000) is None


def test_json_transcoder():
    t = JSONTranscoder()
    assert t.encode_value({"a": 1}) == (b'{"a": 1}', FMT_JSON)
    assert t.encode_value("hello") == (b'"hello"', FMT_JSON)
    with pytest.raises(E.ValueFormatException):
        t.encode_value(b"raw")
    with pytest.raises(E.ValueFormatException):
        t.encode_value(object())
    assert t.decode_value(b"not json", FMT_JSON) == b"not json"
    assert t.decode_value(b"42", 0) == 42
    for flags in (FMT_BYTES, FMT_UTF8, FMT_PICKLE):
        with pytest.raises(E.ValueFormatException):
            t.decode_value(b"x", flags)


def test_raw_transcoders():
    assert RawJSONTranscoder().encode_value('{"a":1}') == (b'{"a":1}', FMT_JSON)
    assert RawJSONTranscoder().decode_value(b"{}", FMT_JSON) == b"{}"
    assert RawStringTranscoder().encode_value("é") == ("é".encode(), FMT_UTF8)
    assert RawStringTranscoder().decode_value("é".encode(), FMT_UTF8) == "é"
    assert RawBinaryTranscoder().encode_value(bytearray(b"\x00")) == (b"\x00", FMT_BYTES)
    for tc, bad in ((RawStringTranscoder(), b"x"), (RawBinaryTranscoder(), "x"), (RawJSONTranscoder(), 1)):
        with pytest.raises(E.ValueFormatException):
            tc.encode_value(bad)
    with pytest.raises(E.ValueFormatException):
        RawBinaryTranscoder().decode_value(b"x", FMT_JSON)


def test_legacy_transcoder_round_trips():
    t = LegacyTranscoder()
    for v in ("s", b"b", {"a": [1]}, 3, None, {1, 2}):
        assert t.decode_value(*t.encode_value(v)) == v
    assert t.encode_value({1})[1] == FMT_PICKLE
    assert pickle.loads(t.encode_value({1})[0]) == {1}


def test_duck_typed_transcoder():
    class Mine:
        def encode_value(self, v):
            return b"", 0

        def decode_value(self, v, f):
            return None

    assert isinstance(Mine(), Transcoder)


# ---- exceptions ----

def test_one_hierarchy():
    assert issubclass(E.DocumentNotFoundException, E.NotFoundError)
    assert issubclass(E.DocumentNotFoundException, E.CouchbaseException)
    assert issubclass(E.CouchbaseException, E.CouchbaseError)
    assert issubclass(E.DocumentExistsException, E.KeyExistsError)
    assert issubclass(E.CasMismatchException, E.KeyExistsError)
    assert issubclass(E.DocumentLockedException, E.TemporaryFailError)
    assert issubclass(E.AuthenticationException, E.AuthError)
    assert issubclass(E.BucketNotFoundException, E.BucketNotFoundError)
    assert issubclass(E.InvalidArgumentException, E.ArgumentError)
    assert issubclass(E.ValueFormatException, E.ValueFormatError)
    assert issubclass(E.AmbiguousTimeoutException, E.TimeoutError)
    assert issubclass(E.UnAmbiguousTimeoutException, E.TimeoutException)
    assert E.CASMismatchException is E.CasMismatchException
    assert E.DurabilityAmbiguousException is E.DurabilitySyncWriteAmbiguousException
    for name in ("DurabilityImpossibleException", "DurabilityInvalidLevelException", "ScopeNotFoundException",
                 "CollectionNotFoundException", "TemporaryFailException"):
        assert issubclass(getattr(E, name), E.CouchbaseException)


def test_exception_attributes():
    e = E.DocumentNotFoundException("text", key="k")
    assert e.message == "text" and e.error_code == 101 and e.key == "k"
    assert str(e).startswith("DocumentNotFoundException(<ec=101, message=text")
    with pytest.raises(E.NotFoundError):
        raise e
    assert E.InvalidArgumentException().error_code == 3


def test_an_exception_made_in_python_shows_no_category():
    assert "category=" not in repr(E.DocumentNotFoundException("text", key="k"))


# ---- results built without the native builder ----

def test_get_result_lazy_decode_and_content_as():
    r = GetResult(rc=0, key="k", value=b'{"a": 1}', cas=7, flags=FMT_JSON)
    assert r.content_as[dict] == {"a": 1}
    assert r.content == r.value == {"a": 1}
    assert r.content_as[str] == "{'a': 1}"
    assert r.expiry_time is None
    bad = GetResult(rc=0, key="k", value=b"x", cas=1, flags=FMT_UTF8)
    with pytest.raises(E.ValueFormatException):  # raised on access, not on get()
        bad.value
    s = GetResult(rc=0, key="k", value=b"x", cas=1, flags=FMT_UTF8)
    s._extra = _ReadMeta(RawStringTranscoder(), 2_000_000_000)
    assert s.content_as[str] == "x"
    assert s.expiry_time == datetime.fromtimestamp(2_000_000_000)
    n = GetResult(rc=0, key="k", value=b"12", cas=1, flags=0)
    assert n.content_as[int] == 12 and n.content_as[float] == 12.0
    b = GetResult(rc=0, key="k", value=b"\x00", cas=1, flags=FMT_BYTES)
    b._extra = _ReadMeta(RawBinaryTranscoder())
    assert b.content_as[bytes] == b"\x00"


def test_mutation_and_counter_results():
    m = MutationResult(rc=0, key="k", cas=5)
    assert m.mutation_token() is None
    c = CounterResult(rc=0, key="k", value=42, cas=5)
    assert c.content == 42
    assert ExistsResult(rc=0, key="k").exists is True
    assert ExistsResult(rc=0xD, key="k").exists is False
