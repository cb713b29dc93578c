"""The 1.2 error categories: each mapped class derives from the category classes of its
code, so ``except CouchbaseDataError`` catches a NotFoundError, and the class is still
exactly the named one."""
import pytest

from couchbase import exceptions as E
from couchbase._core.binding import C

CATEGORIES = {
    "NotFoundError": ("CouchbaseDataError",), "KeyExistsError": ("CouchbaseDataError",),
    "NotStoredError": ("CouchbaseDataError",), "TemporaryFailError": ("CouchbaseTransientError",),
    "TimeoutError": ("CouchbaseNetworkError", "CouchbaseTransientError"),
    "AuthError": ("CouchbaseFatalError", "CouchbaseInputError"), "ArgumentError": ("CouchbaseInputError",),
    "ConnectError": ("CouchbaseNetworkError",), "InvalidError": ("CouchbaseInputError",),
    "BucketNotFoundError": ("CouchbaseInputError", "CouchbaseFatalError"),
    "ClientTemporaryFailError": ("CouchbaseTransientError",), "DeltaBadvalError": ("CouchbaseDataError",),
}


@pytest.mark.parametrize("name", sorted(CATEGORIES))
def test_class_derives_from_its_categories(name):
    for cat in CATEGORIES[name]:
        assert issubclass(getattr(E, name), getattr(E, cat))


def test_except_category_catches_and_type_is_exact():
    try:
        raise E.CouchbaseError.rc_to_exctype(C.KEY_ENOENT)({"rc": C.KEY_ENOENT})
    except E.CouchbaseDataError as e:
        assert type(e) is E.NotFoundError and e.is_data and not e.is_network


def test_can_derive():
    assert E.CouchbaseError._can_derive(C.KEY_ENOENT)
    assert E.CouchbaseDataError._can_derive(C.KEY_ENOENT)
    assert not E.CouchbaseNetworkError._can_derive(C.KEY_ENOENT)
    assert E.CouchbaseTransientError._can_derive(C.ETIMEDOUT)


def test_category_properties_follow_the_code():
    e = E.TimeoutError({"rc": C.ETIMEDOUT})
    assert e.is_transient and e.is_network and not e.is_fatal and not e.is_data
