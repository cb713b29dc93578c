"""stats(): one group, a list of groups merged into one dict, and the 2.x stat groups the
embedded cluster answers (memory, tap, timings, vbucket, key/vkey/keylen KEY)."""
import pytest

from couchbase.exceptions import ArgumentError, CouchbaseError


def test_default_group_maps_stat_names_to_every_node(cb, mock_cluster):
    stats = cb.stats()
    assert set(stats["pid"]) == set(cb.server_nodes)
    assert all(isinstance(v, int) for v in stats["curr_items"].values())


def test_memory_group_has_mem_used(cb):
    stats = cb.stats("memory")
    assert set(stats["mem_used"]) == set(cb.server_nodes)
    assert all(isinstance(v, int) for v in stats["mem_used"].values())


def test_list_of_groups_is_merged_into_one_dict(cb):
    stats = cb.stats(["memory", "tap"])
    assert "mem_used" in stats and "ep_tap_count" in stats
    assert set(stats["ep_tap_count"]) == set(cb.server_nodes)


def test_tuple_of_groups_and_single_group_str(cb):
    assert set(cb.stats(("memory",))) == set(cb.stats("memory"))
    assert "ep_tap_count" not in cb.stats("memory")


def test_mem_used_grows_with_data(cb, uniq):
    before = sum(cb.stats("memory")["mem_used"].values())
    cb.set_multi({uniq + str(i): "x" * 1000 for i in range(20)})
    assert sum(cb.stats("memory")["mem_used"].values()) >= before + 20000


def test_timings_group_is_a_histogram_of_handled_commands(cb, uniq):
    cb.set(uniq, 1)
    cb.get(uniq)
    stats = cb.stats("timings")
    names = [n for n in stats if n.startswith(("get_cmd_", "store_cmd_"))]
    assert names and all("," in n for n in names)


def test_vbucket_group_lists_active_and_replica_vbuckets(cb):
    stats = cb.stats("vbucket")
    states = [v for per in stats.values() for v in per.values()]
    assert states.count("active") == 64 and states.count("replica") == 64


def test_key_group_describes_a_key_from_its_owner(cb, uniq):
    r = cb.set(uniq, {"a": 1})
    stats = cb.stats("key " + uniq)
    assert list(stats["key_cas"].values()) == [r.cas]
    assert list(stats["key_flags"].values()) == [0]
    vstats = cb.stats("vkey " + uniq)
    assert list(vstats["key_valid"].values()) == ["valid"]


def test_keylen_group_gives_the_value_length(cb, uniq):
    cb.set(uniq, "x" * 42, format=4)
    stats = cb.stats("keylen " + uniq)
    assert list(stats[uniq].values()) == [42]


def test_key_group_of_a_missing_key_raises(cb, uniq):
    with pytest.raises(CouchbaseError) as ei:
        cb.stats("key " + uniq + "missing")
    assert ei.value.result is not None and ei.value.result.rc


def test_unknown_group_raises_with_a_bare_result(cb):
    with pytest.raises(CouchbaseError) as ei:
        cb.stats("no-such-group")
    assert type(ei.value.result).__name__ == "Result"


@pytest.mark.parametrize("keys", [5, [5], {"memory": 1}, []])
def test_bad_groups_argument_is_an_argument_error(kv, keys):
    with pytest.raises(ArgumentError):
        kv.stats(keys)


def test_memcached_answers_its_own_groups_merged(mc_conn):
    stats = mc_conn.stats(["", "settings"])
    assert "curr_connections" in stats and "maxconns" in stats


def test_memcached_unknown_group_raises(mc_conn):
    with pytest.raises(CouchbaseError):
        mc_conn.stats("memory")
