"""Replica reads, the multi operations added for 4.x parity, and the data structures."""
from datetime import timedelta

import pytest

import couchbase.subdocument as SD
from couchbase.exceptions import (
    CasMismatchException, DocumentLockedException, DocumentNotFoundException, DocumentUnretrievableException,
    InvalidArgumentException, QueueEmpty,
)
from couchbase.transcoder import RawBinaryTranscoder


@pytest.fixture
def coll3(cluster3):
    return cluster3.bucket("default").default_collection()


def test_get_all_replicas_reads_the_active_copy_and_the_replica(coll3, key):
    coll3.upsert(key, {"v": 1})
    found = sorted((r.is_replica, r.content_as[dict]["v"]) for r in coll3.get_all_replicas(key))
    assert found == [(False, 1), (True, 1)]


def test_get_any_replica_of_a_missing_document_is_unretrievable(coll3, key):
    with pytest.raises(DocumentUnretrievableException):
        coll3.get_any_replica(key)
    with pytest.raises(DocumentNotFoundException):
        coll3.get_all_replicas(key)


def test_one_node_asks_only_the_copies_the_map_places(coll, key):
    coll.upsert(key, [1])
    assert [r.is_replica for r in coll.get_all_replicas(key)] == [False]
    assert coll.get_any_replica(key).content_as[list] == [1]


def test_replica_multi_forms(coll3, key):
    coll3.upsert(key, 1)
    r = coll3.get_any_replica_multi([key, key + "-missing"])
    assert list(r.results) == [key] and isinstance(r.exceptions[key + "-missing"], DocumentUnretrievableException)
    assert len(coll3.get_all_replicas_multi([key]).results[key]) == 2


def test_lookup_in_replicas(coll3, key):
    coll3.upsert(key, {"a": 7})
    assert coll3.lookup_in_any_replica(key, [SD.get("a")]).content_as[int](0) == 7
    assert sorted(r.is_replica for r in coll3.lookup_in_all_replicas(key, [SD.get("a")])) == [False, True]


def test_lock_multi_then_unlock_multi(coll, key):
    keys = [key + "-1", key + "-2"]
    coll.upsert_multi({k: 1 for k in keys})
    locked = coll.lock_multi(keys, timedelta(seconds=10))
    assert sorted(locked.results) == keys
    again = coll.get_and_lock_multi(keys[:1], timedelta(seconds=10), timeout=timedelta(milliseconds=300))
    assert isinstance(again.exceptions[keys[0]], DocumentLockedException)
    assert isinstance(coll.unlock_multi({keys[0]: 1})[keys[0]], CasMismatchException)
    assert coll.unlock_multi(locked) == {k: None for k in keys}


def test_exists_touch_append_prepend_multi(coll, key):
    coll.upsert(key, b"x", transcoder=RawBinaryTranscoder())
    assert {k: r.exists for k, r in coll.exists_multi([key, key + "-no"]).results.items()} == \
        {key: True, key + "-no": False}
    assert coll.touch_multi([key], timedelta(hours=1)).all_ok
    b = coll.binary()
    r = b.append_multi({key: "!", key + "-no": "?"})
    assert list(r.results) == [key] and isinstance(r.exceptions[key + "-no"], DocumentNotFoundException)
    b.prepend_multi({key: b"<"})
    assert coll.get(key, transcoder=RawBinaryTranscoder()).content_as[bytes] == b"<x!"


def test_list_map_set_queue(coll, key):
    lst = coll.couchbase_list(key + "-l")
    lst.append(1)
    lst.prepend(0)
    lst.set_at(1, 5)
    assert list(lst) == [0, 5] and lst.size() == 2 and lst.get_at(9) is None
    with pytest.raises(InvalidArgumentException):
        lst.remove_at(9)
    m = coll.couchbase_map(key + "-m")
    m.add("a", {"b": 1})
    assert m.get("a") == {"b": 1} and m.exists("a") and not m.exists("z") and m.keys() == ["a"]
    s = coll.couchbase_set(key + "-s")
    assert s.add(1) and not s.add(1) and s.contains(1)
    s.remove(1)
    assert s.values() == []
    q = coll.couchbase_queue(key + "-q")
    q.push("first")
    q.push("second")
    assert q.pop() == "first" and q.size() == 1
    q.pop()
    with pytest.raises(QueueEmpty):
        q.pop()


def test_legacy_structure_methods_create_only_when_asked(coll, key):
    with pytest.raises(DocumentNotFoundException):
        coll.list_append(key, 1)
    coll.list_append(key, 1, create=True)
    assert coll.list_get(key, 0) == 1 and coll.list_size(key) == 1
    assert coll.list_get(key, 5) is None  # as in 4.x: a missing index reads as None
