"""The embedded cluster's STAT groups (couchbase/mock/stats.py), at the protocol level."""
import pytest

from couchbase.mock import codec
from couchbase.mock import status as st
from test_engine import SET, Harness


@pytest.fixture
def h():
    return Harness(nodes=2, replicas=1)


def stats(h, s, group):
    out = h.run(s, codec.STAT, key=group.encode())
    if not isinstance(out, list):
        return out.status
    assert out[-1].key == b"" and out[-1].status == 0
    return {r.key.decode(): r.value.decode() for r in out[:-1]}


def owner_session(h, key):
    return h.session(node=h.owner(key)[0])


def test_memory_group_counts_the_nodes_keys_and_values(h):
    s0, s1 = h.session(node=0), h.session(node=1)
    before = int(stats(h, s0, "memory")["mem_used"]) + int(stats(h, s1, "memory")["mem_used"])
    s = owner_session(h, "k")
    h.run(s, codec.SET, "k", SET(0), b"x" * 100)
    after = int(stats(h, s0, "memory")["mem_used"]) + int(stats(h, s1, "memory")["mem_used"])
    assert after == before + 101


def test_tap_group(h):
    assert stats(h, h.session(), "tap")["ep_tap_count"] == "0"


def test_timings_group_histograms_handled_commands(h):
    s = owner_session(h, "k")
    h.run(s, codec.SET, "k", SET(0), b"1")
    h.run(s, codec.GET, "k")
    t = stats(h, s, "timings")
    assert sum(int(v) for k, v in t.items() if k.startswith("get_cmd_")) == 1
    assert sum(int(v) for k, v in t.items() if k.startswith("store_cmd_")) == 1
    for name in t:
        lo, hi = name.rsplit("_", 1)[1].split(",")
        assert int(hi) == max(1, 2 * int(lo))


def test_key_groups_answered_by_the_owner_only(h):
    s = owner_session(h, "k")
    cas = h.run(s, codec.SET, "k", SET(7), b"abc").cas
    other = h.session(node=1 - h.owner("k")[0])
    k = stats(h, s, "key k")
    assert (k["key_flags"], k["key_cas"], k["key_vb_state"]) == ("7", str(cas), "active")
    assert stats(h, s, "vkey k")["key_valid"] == "valid"
    assert stats(h, s, "keylen k") == {"k": "3"}
    assert stats(h, other, "key k") == {}


def test_key_group_of_a_missing_key_and_unknown_groups_are_enoent(h):
    s = owner_session(h, "nope")
    assert stats(h, s, "key nope") == st.KEY_ENOENT
    assert stats(h, s, "bogus") == st.KEY_ENOENT
    assert stats(h, s, "key") == st.KEY_ENOENT
