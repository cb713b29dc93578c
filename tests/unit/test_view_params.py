"""couchbase.views.params: validation and encoding (docs/protocol.md section 10.2)."""
import pytest

from couchbase.exceptions import ArgumentError
from couchbase.views.params import UNSPEC, Query, make_dvpath, make_options_string


def test_encoding_of_each_kind_of_value():
    q = Query(descending=True, limit=10, key="abc", startkey_docid="d1", stale=False, on_error="stop")
    assert q.encoded == "descending=true&limit=10&key=%22abc%22&startkey_docid=d1&stale=false&on_error=stop"


def test_json_keys_are_quoted():
    assert Query(startkey=["a", 1]).encoded == "startkey=%5B%22a%22%2C%201%5D"


def test_stale_true_is_ok_and_update_after_passes():
    assert Query(stale=True).encoded == "stale=ok"
    assert Query(stale="update_after").stale == "update_after"


def test_mapkey_range_sets_both_ends_and_clears():
    q = Query()
    q.mapkey_range = ["a", "a" + Query.STRING_RANGE_END]
    assert (q.startkey, q.endkey) == ("a", "a\u0fff")
    q.mapkey_range = []
    assert q.startkey is UNSPEC and q.encoded == ""


def test_range_with_explicit_end_is_refused():
    q = Query(startkey="a")
    with pytest.raises(ArgumentError):
        q.mapkey_range = ["a", "b"]


@pytest.mark.parametrize("name,value", [("limit", "x"), ("limit", True), ("skip", -1), ("descending", "yes"),
                                        ("stale", "never"), ("on_error", "panic"), ("keys", "abc"),
                                        ("startkey_docid", ["a"]), ("key", object()), ("bogus", 1)])
def test_bad_values_raise_argument_error(name, value):
    with pytest.raises(ArgumentError):
        Query(**{name: value})


def test_unrecognized_ok_and_passthrough():
    assert Query(unrecognized_ok=True, foo="bar").encoded == "foo=bar"
    assert Query(passthrough=True, startkey="[1,2]").encoded == "startkey=[1,2]"


def test_update_copy_leaves_the_original():
    q = Query(limit=1)
    q2 = q.update(copy=True, skip=2)
    assert q.encoded == "limit=1" and q2.encoded == "limit=1&skip=2"


def test_helpers():
    assert make_dvpath("d", "v") == "_design/d/_view/v?"
    assert make_options_string({"limit": 3}) == "limit=3"
    assert repr(UNSPEC) == "<Placeholder>" and not UNSPEC
