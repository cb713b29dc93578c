"""Items (couchbase.items): results written into the application's own objects."""
import pytest

from couchbase import FMT_BYTES, FMT_UTF8
from couchbase.exceptions import ArgumentError, KeyExistsError, NotFoundError
from couchbase.items import Item, ItemCollection, ItemOptionDict, ItemSequence
from couchbase.result import ValueResult


def test_item_is_a_value_result_with_writable_fields_and_a_dict():
    it = Item("k", "v")
    assert isinstance(it, ValueResult)
    it.cas, it.flags, it.value, it.key = 5, 4, "w", "k2"
    it.note = "mine"
    assert (it.key, it.value, it.cas, it.flags, it.note) == ("k2", "w", 5, 4, "mine")


def test_collections_iterate_item_option_pairs():
    a, b = Item("a"), Item("b")
    assert list(ItemSequence([a, b])) == [(a, None), (b, None)]
    assert ItemSequence([a]).sequence == [a] and len(ItemSequence(a)) == 1
    d = ItemOptionDict()
    d.add(a, ttl=5)
    d.add(b)
    assert d.dict == {a: {"ttl": 5}, b: None} and len(d) == 2
    assert isinstance(a.as_itcoll(), ItemSequence) and isinstance(a.as_itcoll(ttl=1), ItemOptionDict)
    assert issubclass(ItemOptionDict, ItemCollection) and issubclass(ItemSequence, ItemCollection)


def test_set_multi_writes_cas_into_the_items_and_maps_key_to_item(kv, uniq):
    a, b = Item(uniq + "a", {"n": 1}), Item(uniq + "b", "text")
    res = kv.set_multi(ItemSequence([a, b]))
    assert res[uniq + "a"] is a and res[uniq + "b"] is b
    assert a.cas and b.cas and a.rc == 0 and a.success
    assert kv.get(uniq + "a").value == {"n": 1}


def test_get_multi_writes_values_flags_and_cas(kv, uniq):
    kv.set(uniq + "a", "hello", format=FMT_UTF8)
    it = Item(uniq + "a")
    res = kv.get_multi(ItemSequence([it]))
    assert res[uniq + "a"] is it
    assert it.value == "hello" and it.flags == FMT_UTF8 and it.cas


def test_store_uses_item_cas_unless_ignore_cas(kv, uniq):
    it = Item(uniq + "a", 1)
    kv.set_multi(ItemSequence([it]))
    kv.set(uniq + "a", 2)  # the item's CAS is now stale
    it.value = 3
    with pytest.raises(KeyExistsError):
        kv.set_multi(ItemSequence([it]))
    d = ItemOptionDict()
    d.add(it, ignore_cas=True)
    kv.set_multi(d)
    assert kv.get(uniq + "a").value == 3


def test_per_item_format_and_ttl_options(kv, uniq):
    d = ItemOptionDict()
    d.add(Item(uniq + "u", "text"), format=FMT_UTF8)
    d.add(Item(uniq + "b", b"\x00raw"), format=FMT_BYTES, ttl=100)
    kv.set_multi(d)
    assert kv.get(uniq + "u").flags == FMT_UTF8
    assert kv.get(uniq + "b").value == b"\x00raw"


def test_append_items_requires_fragment_and_concatenates(kv, uniq):
    it = Item(uniq + "a", "base")
    kv.set_multi(ItemSequence([it]), format=FMT_UTF8)
    with pytest.raises(ArgumentError):
        kv.append_multi(ItemSequence([it]))
    d = ItemOptionDict()
    d.add(it, fragment="+tail")
    kv.append_items(d, format=FMT_UTF8)
    assert it.value == "base+tail" and kv.get(uniq + "a").value == "base+tail"
    d = ItemOptionDict()
    d.add(it, fragment="head+")
    kv.prepend_items(d, format=FMT_UTF8)
    assert it.value == "head+base+tail" == kv.get(uniq + "a").value


def test_fragment_outside_append_raises_argument_error(kv, uniq):
    d = ItemOptionDict()
    d.add(Item(uniq + "a", 1), fragment="x")
    with pytest.raises(ArgumentError):
        kv.set_multi(d)


def test_unknown_item_option_raises_argument_error(kv, uniq):
    d = ItemOptionDict()
    d.add(Item(uniq + "a", 1), bogus=1)
    with pytest.raises(ArgumentError):
        kv.set_multi(d)


def test_failed_item_gets_rc_and_the_error_carries_all_items(kv, uniq):
    kv.set(uniq + "a", 1)
    a, b = Item(uniq + "a"), Item(uniq + "missing")
    with pytest.raises(NotFoundError) as ei:
        kv.get_multi(ItemSequence([a, b]))
    assert a.value == 1 and b.rc == 0xD
    assert ei.value.all_results[uniq + "missing"] is b


def test_quiet_get_of_items(kv, uniq):
    b = Item(uniq + "missing")
    res = kv.get_multi(ItemSequence([b]), quiet=True)
    assert res[uniq + "missing"] is b and b.rc == 0xD and not b.success


def test_delete_and_touch_and_counters_with_items(kv, uniq):
    a = Item(uniq + "a", 1)
    kv.set_multi(ItemSequence([a]))
    kv.touch_multi(ItemSequence([a]), ttl=100)
    n = Item(uniq + "n")
    kv.incr_multi(ItemSequence([n]), initial=7)
    assert n.value == 7
    d = ItemOptionDict()
    d.add(n, delta=3)
    kv.incr_multi(d)
    assert n.value == 10
    kv.decr_multi(ItemSequence([n]), amount=4)
    assert n.value == 6
    kv.delete_multi(ItemSequence([a]))
    assert kv.get(uniq + "a", quiet=True).success is False


def test_duplicate_items_do_not_warn(kv, uniq, recwarn):
    a = Item(uniq + "a", 1)
    kv.set_multi(ItemSequence([a, a]))
    assert not [w for w in recwarn if "duplicate" in str(w.message)]


def test_lock_unlock_and_endure_with_items(cb, uniq):
    a = Item(uniq + "a", 1)
    cb.set_multi(ItemSequence([a]))
    cb.endure_multi(ItemSequence([a]), persist_to=1, replicate_to=1)
    cb.lock_multi(ItemSequence([a]), ttl=5)
    with pytest.raises(KeyExistsError):
        cb.set(uniq + "a", 2)
    cb.unlock_multi(ItemSequence([a]))
    cb.set(uniq + "a", 2)
