"""Exception mapping: every core code has a class, and errors print the manual's form."""
import pytest

from couchbase import exceptions as E
from couchbase._core.binding import ERROR_TABLE, C


def test_every_core_code_name_has_a_mapped_class():
    assert set(ERROR_TABLE) <= set(E._TABLE)


@pytest.mark.parametrize("name,cls", [
    ("KEY_ENOENT", E.NotFoundError), ("KEY_EEXISTS", E.KeyExistsError), ("NOT_STORED", E.NotStoredError),
    ("ETMPFAIL", E.TemporaryFailError), ("DELTA_BADVAL", E.DeltaBadvalError), ("E2BIG", E.TooBigError),
    ("NETWORK_ERROR", E.NetworkError), ("CONNECT_ERROR", E.ConnectError), ("ETIMEDOUT", E.TimeoutError),
    ("AUTH_ERROR", E.AuthError), ("BUCKET_ENOENT", E.BucketNotFoundError), ("PROTOCOL_ERROR", E.ProtocolError),
])
def test_rc_to_exctype_maps_code_to_class(name, cls):
    assert E.CouchbaseError.rc_to_exctype(ERROR_TABLE[name][0]) is cls


def test_classic_codes_keep_their_1x_numbers():
    assert (C.KEY_ENOENT, C.KEY_EEXISTS, C.ETMPFAIL, C.ETIMEDOUT, C.NETWORK_ERROR) == (0xD, 0xC, 0xB, 0x17, 0x10)


def test_unknown_rc_maps_to_the_class_asked():
    assert E.CouchbaseError.rc_to_exctype(0x7777) is E.CouchbaseError


def test_network_errors_share_a_base():
    for cls in (E.NetworkError, E.ConnectError, E.UnknownHostError, E.ProtocolError):
        assert issubclass(cls, E.CouchbaseNetworkError)


def test_str_has_key_rc_message_results_and_source():
    e = E.NotFoundError({"rc": 0xD, "key": "foo", "message": "Operational Error",
                         "all_results": {"foo": None}, "csrc_info": ("csrc/batch.c", 141)})
    assert str(e) == "<Key='foo', RC=0xD[No such key], Operational Error, Results=1, C Source=(csrc/batch.c,141)>"


def test_str_of_message_only_error():
    assert str(E.ArgumentError.pyexc("Empty key")) == "<Empty key>"


def test_defaults_of_attributes():
    e = E.CouchbaseError("x")
    assert (e.rc, e.key, e.inner_cause, e.csrc_info, e.objextra, e.all_results) == (0, None, None, (), None, {})


def test_categories_come_from_the_core_table():
    e = E.TimeoutError({"rc": C.ETIMEDOUT})
    assert e.is_network and e.is_transient and not e.is_data
