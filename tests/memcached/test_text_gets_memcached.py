"""Text-protocol gets through the Python API: memcached:// connections use them
unless COUCHBASE_TEXT_GETS=0, and both ways give the same results."""
import pytest

from couchbase import FMT_BYTES, Couchbase
from couchbase.exceptions import NotFoundError

pytestmark = pytest.mark.memcached


def connect(server, monkeypatch, text):
    monkeypatch.setenv("COUCHBASE_TEXT_GETS", "1" if text else "0")
    return Couchbase.connect(host="memcached://%s" % server.address)


def snapshot(res):
    return {k: (r.rc, r.success, r.value, r.flags, r.cas) for k, r in res.items()}


def test_get_multi_found_and_missing_same_with_text_on_and_off(memcached, monkeypatch, uniq):
    on = connect(memcached, monkeypatch, True)
    off = connect(memcached, monkeypatch, False)
    vals = {uniq + "s%d" % i: "v" * i for i in range(50)}
    vals.update({uniq + "j%d" % i: {"n": i} for i in range(50)})
    vals.update({uniq + "b%d" % i: b"\x00\xff" * i for i in range(50)})
    on.set_multi({k: v for k, v in vals.items() if not isinstance(v, bytes)})
    on.set_multi({k: v for k, v in vals.items() if isinstance(v, bytes)}, format=FMT_BYTES)
    keys = list(vals) + [uniq + "missing%d" % i for i in range(50)] + [uniq + "with space"]
    a = on.get_multi(keys, quiet=True)
    b = off.get_multi(keys, quiet=True)
    assert snapshot(a) == snapshot(b)
    assert all(a[k].value == v for k, v in vals.items())
    with pytest.raises(NotFoundError) as ei:
        on.get_multi(keys)
    assert snapshot(ei.value.all_results) == snapshot(b)


def test_quiet_misses(memcached, monkeypatch, uniq):
    conn = connect(memcached, monkeypatch, True)
    conn.set(uniq + "here", 1)
    res = conn.get_multi([uniq + "here", uniq + "gone"], quiet=True)
    assert not res.all_ok
    assert res[uniq + "here"].value == 1 and not res[uniq + "gone"].success
    assert conn.get(uniq + "gone", quiet=True).value is None


def test_key_with_space_and_single_get(memcached, monkeypatch, uniq):
    conn = connect(memcached, monkeypatch, True)
    conn.set(uniq + "a b", "spaced")
    conn.set(uniq + "ab", "plain")
    assert conn.get(uniq + "a b").value == "spaced"
    assert conn.get(uniq + "ab").value == "plain"
    res = conn.get_multi([uniq + "a b", uniq + "ab"])
    assert res[uniq + "a b"].value == "spaced" and res[uniq + "ab"].value == "plain"


def test_cas_from_get_multi_guards_a_set(memcached, monkeypatch, uniq):
    from couchbase.exceptions import KeyExistsError

    conn = connect(memcached, monkeypatch, True)
    conn.set_multi({uniq + "c1": 1, uniq + "c2": 2})
    res = conn.get_multi([uniq + "c1", uniq + "c2"])
    conn.set(uniq + "c1", 10, cas=res[uniq + "c1"].cas)
    with pytest.raises(KeyExistsError):
        conn.set(uniq + "c1", 11, cas=res[uniq + "c1"].cas)
    assert conn.get(uniq + "c1").value == 10


def test_large_values_round_trip(memcached, monkeypatch, uniq):
    conn = connect(memcached, monkeypatch, True)
    vals = {uniq + "L%d" % i: ("%05d" % i) * 3277 for i in range(1000)}  # ~16 KiB each
    conn.set_multi(vals)
    res = conn.get_multi(list(vals))
    assert all(res[k].value == v for k, v in vals.items())
