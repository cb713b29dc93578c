"""lookup_in, mutate_in, get(project=...) and preserve_expiry of the modern API against the
embedded cluster."""
from datetime import timedelta

import pytest

import couchbase.subdocument as SD
from couchbase.durability import Durability, ServerDurability
from couchbase.exceptions import (
    CasMismatchException, DocumentExistsException, DocumentNotFoundException, DocumentNotJsonException,
    DurabilityImpossibleException, InvalidArgumentException, InvalidIndexException, NumberTooBigException,
    PathExistsException, PathMismatchException, PathNotFoundException,
)
from couchbase.options import LookupInOptions, MutateInOptions
from couchbase.transcoder import RawBinaryTranscoder


@pytest.fixture
def doc(coll, key):
    coll.upsert(key, {"name": "n", "tags": ["a", "b"], "nested": {"x": 1}, "s": "str"})
    return key


def test_lookup_returns_each_spec_in_order(coll, doc):
    r = coll.lookup_in(doc, [SD.get("name"), SD.exists("tags"), SD.count("tags"), SD.get_full()])
    assert r.content_as[str](0) == "n"
    assert r.exists(1) is True
    assert r.content_as[int](2) == 2
    assert r.content_as[dict](3)["nested"] == {"x": 1}
    assert r.cas == coll.get(doc).cas and r.key == doc


def test_a_missing_path_is_false_for_exists_and_raises_on_content(coll, doc):
    r = coll.lookup_in(doc, [SD.get("nope"), SD.exists("nope")])
    assert r.exists(0) is False and r.content_as[bool](1) is False
    with pytest.raises(PathNotFoundException):
        r.content_as[int](0)


def test_a_path_through_a_scalar_raises_path_mismatch_on_access(coll, doc):
    r = coll.lookup_in(doc, [SD.get("s.x")])
    with pytest.raises(PathMismatchException):
        r.content_as[int](0)


def test_an_index_outside_the_specs_raises_invalid_index(coll, doc):
    with pytest.raises(InvalidIndexException):
        coll.lookup_in(doc, [SD.get("name")]).content_as[str](1)


def test_xattr_specs_go_first_and_results_keep_the_callers_order(coll, doc):
    coll.mutate_in(doc, [SD.upsert("tags", ["z"]), SD.upsert("meta.v", 7, xattr=True, create_parents=True)])
    r = coll.lookup_in(doc, [SD.get("tags"), SD.get("meta.v", xattr=True)])
    assert r.content_as[list](0) == ["z"] and r.content_as[int](1) == 7


@pytest.mark.parametrize("specs", [[], [SD.get("a")] * 17, [SD.upsert("a", 1)]])
def test_bad_spec_lists_raise_invalid_argument(coll, doc, specs):
    with pytest.raises(InvalidArgumentException):
        coll.lookup_in(doc, specs)


def test_lookup_of_a_missing_document(coll, key):
    with pytest.raises(DocumentNotFoundException):
        coll.lookup_in(key, [SD.get("a")])


def test_mutations_apply_together_and_counters_answer(coll, doc):
    r = coll.mutate_in(doc, [SD.upsert("name", "m"), SD.increment("n", 5), SD.array_append("tags", "c"),
                             SD.remove("s")])
    assert r.content_as[int](1) == 5 and r.mutation_token().bucket_name == "default"
    assert coll.get(doc).content_as[dict] == {"name": "m", "tags": ["a", "b", "c"], "nested": {"x": 1}, "n": 5}


@pytest.mark.parametrize("spec,exc", [
    (SD.insert("name", 1), PathExistsException),
    (SD.replace("nope", 1), PathNotFoundException),
    (SD.increment("s", 1), PathMismatchException),
    (SD.array_addunique("tags", "a"), PathExistsException),
])
def test_a_failing_spec_raises_its_exception_and_nothing_changes(coll, doc, spec, exc):
    before = coll.get(doc).content_as[dict]
    with pytest.raises(exc):
        coll.mutate_in(doc, [SD.upsert("added", 1), spec])
    assert coll.get(doc).content_as[dict] == before


def test_counter_overflow_is_number_too_big(coll, doc):
    with pytest.raises(NumberTooBigException):
        coll.mutate_in(doc, [SD.upsert("big", 2 ** 63 - 1), SD.increment("big", 1)])


def test_mutate_in_a_binary_document_is_not_json(coll, key):
    coll.upsert(key, b"plain text", transcoder=RawBinaryTranscoder())
    with pytest.raises(DocumentNotJsonException):
        coll.mutate_in(key, [SD.upsert("a", 1)])


def test_store_semantics_and_cas(coll, key):
    with pytest.raises(DocumentNotFoundException):
        coll.mutate_in(key, [SD.upsert("a", 1)])
    coll.mutate_in(key, [SD.upsert("a", 1)], MutateInOptions(store_semantics=SD.StoreSemantics.UPSERT))
    with pytest.raises(DocumentExistsException):
        coll.mutate_in(key, [SD.upsert("a", 2)], store_semantics=SD.StoreSemantics.INSERT)
    with pytest.raises(CasMismatchException):
        coll.mutate_in(key, [SD.upsert("a", 2)], cas=1)
    assert coll.mutate_in(key, [SD.upsert("a", 2)], cas=coll.get(key).cas).cas


def test_mutation_macro_writes_the_new_cas(coll, doc):
    r = coll.mutate_in(doc, [SD.upsert("txn.cas", SD.MutationMacro.cas(), create_parents=True)])
    written = coll.lookup_in(doc, [SD.get("txn.cas", xattr=True)]).content_as[str](0)
    assert SD.convert_macro_cas_to_cas(written) == r.cas


def test_expiry_preserve_expiry_and_reset(coll, doc):
    coll.mutate_in(doc, [SD.upsert("e", 1)], expiry=timedelta(hours=1))
    assert coll.get(doc, with_expiry=True).expiry_time is not None
    coll.mutate_in(doc, [SD.upsert("e", 2)], MutateInOptions(preserve_expiry=True))
    assert coll.get(doc, with_expiry=True).expiry_time is not None
    coll.mutate_in(doc, [SD.upsert("e", 3)])
    assert coll.get(doc, with_expiry=True).expiry_time is None


def test_durable_mutate_in_on_one_node_is_impossible(coll, doc):
    with pytest.raises(DurabilityImpossibleException):
        coll.mutate_in(doc, [SD.upsert("d", 1)], durability=ServerDurability(Durability.MAJORITY))


def test_create_as_deleted_is_seen_only_with_access_deleted(coll, key):
    coll.mutate_in(key, [SD.upsert("txn", {"id": 1}, xattr=True)],
                   MutateInOptions(create_as_deleted=True, access_deleted=True,
                                   store_semantics=SD.StoreSemantics.INSERT))
    with pytest.raises(DocumentNotFoundException):
        coll.get(key)
    r = coll.lookup_in(key, [SD.get("txn", xattr=True)], LookupInOptions(access_deleted=True))
    assert r.content_as[dict](0) == {"id": 1} and r.is_deleted


def test_get_project_builds_the_listed_paths(coll, doc):
    assert coll.get(doc, project=["name", "nested.x", "nope"]).content_as[dict] == {"name": "n", "nested": {"x": 1}}
    many = coll.get(doc, project=["name"] + ["p%d" % i for i in range(17)]).content_as[dict]
    assert many == {"name": "n"}


def test_preserve_expiry_on_upsert_and_replace(coll, key):
    coll.upsert(key, {"v": 1}, expiry=timedelta(hours=1))
    coll.upsert(key, {"v": 2}, preserve_expiry=True)
    coll.replace(key, {"v": 3}, preserve_expiry=True)
    assert coll.get(key, with_expiry=True).expiry_time is not None
    coll.upsert(key, {"v": 4})
    assert coll.get(key, with_expiry=True).expiry_time is None


def test_the_python_twin_builds_the_same_sub_document_results(coll, doc):
    from couchbase._core import batch as _batch

    native = coll.lookup_in(doc, [SD.get("name"), SD.exists("nope")])
    old = _batch.use_native(False)
    try:
        py = coll.lookup_in(doc, [SD.get("name"), SD.exists("nope")])
        mut = coll.mutate_in(doc, [SD.increment("n", 2)], preserve_expiry=True)
    finally:
        _batch.use_native(old)
    assert (py.content_as[str](0), py.exists(1), py.cas) == (native.content_as[str](0), native.exists(1), native.cas)
    assert mut.content_as[int](0) == 2 and mut.mutation_token() is not None
