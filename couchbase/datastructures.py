"""Data structures kept in one JSON document each, on top of the sub-document API:
``collection.couchbase_list(key)``, ``couchbase_map``, ``couchbase_set``, ``couchbase_queue``.

A structure's document is created (empty) by its first operation when missing. The
deprecated ``Collection.list_*``/``map_*``/``set_*``/``queue_*`` methods are the functions
at the end of this module; they create the document only when asked (``create=True``).
"""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple, TypeVar

    from couchbase._modern.results import GetResult, LookupInResult, MutateInResult
    from couchbase.collection import Collection
    from couchbase.subdocument import Spec

    _T = TypeVar("_T")


import time
from datetime import timedelta

from couchbase import subdocument as SD
from couchbase.exceptions import (
    CasMismatchException, DocumentExistsException, DocumentNotFoundException, InvalidArgumentException,
    PathExistsException, PathNotFoundException, QueueEmpty, UnAmbiguousTimeoutException,
)
from couchbase.options import MutateInOptions

__all__ = ["CouchbaseList", "CouchbaseMap", "CouchbaseSet", "CouchbaseQueue"]

_RETRY_FOR = timedelta(seconds=10)


class _Structure:
    """A document holding one JSON container (``_empty`` is its type)."""

    _empty: Any = list

    def __init__(self, key: str, collection: Collection) -> None:
        self._key = key
        self._coll = collection

    def _create(self) -> None:
        try:
            self._coll.insert(self._key, self._empty())
        except DocumentExistsException:
            pass

    def _run(self, fn: Callable[..., _T], *args: Any) -> _T:
        """fn(*args), creating the document first when it is missing."""
        try:
            return fn(*args)
        except DocumentNotFoundException:
            self._create()
            return fn(*args)

    def _mutate(self, *specs: Spec, **kwargs: Any) -> MutateInResult:
        return self._run(self._coll.mutate_in, self._key, list(specs), MutateInOptions(**kwargs))

    def _lookup(self, *specs: Spec) -> LookupInResult:
        return self._run(self._coll.lookup_in, self._key, list(specs))

    def _get(self) -> GetResult:
        return self._run(self._coll.get, self._key)

    def size(self) -> int:
        """The number of items."""
        return self._lookup(SD.count("")).content_as[int](0)

    def clear(self) -> None:
        """Remove the whole structure (its document)."""
        try:
            self._coll.remove(self._key)
        except DocumentNotFoundException:
            pass

    def _take(self, pick: Callable[[Any], Optional[int]], timeout: Optional[timedelta]) -> Tuple[Any, bool]:
        """Remove the item `pick(items)` chooses (an index, or None when there is none) with
        a CAS-checked mutation, retried until `timeout`. Returns (item, True) or (None, False)."""
        deadline = time.monotonic() + (timeout or _RETRY_FOR).total_seconds()
        while True:
            doc = self._get()
            items = doc.content_as[self._empty]
            index = pick(items)
            if index is None:
                return None, False
            try:
                self._coll.mutate_in(self._key, [SD.remove("[%d]" % index)], MutateInOptions(cas=doc.cas))
                return items[index], True
            except (CasMismatchException, DocumentExistsException, PathNotFoundException):
                if time.monotonic() >= deadline:
                    raise UnAmbiguousTimeoutException("The structure kept changing: gave up.") from None

    def __iter__(self) -> Iterator[Any]:
        return iter(self._get().content_as[self._empty])

    def __repr__(self) -> str:
        return "%s(%r)" % (type(self).__name__, self._key)


class CouchbaseList(_Structure):
    """A list: append, prepend, set_at, get_at, remove_at, index_of, get_all, size, clear."""

    def append(self, value: Any) -> None:
        self._mutate(SD.array_append("", value))

    def prepend(self, value: Any) -> None:
        self._mutate(SD.array_prepend("", value))

    def _at(self, fn: Callable[[], Any], index: int) -> Any:
        try:
            return fn()
        except PathNotFoundException:
            raise InvalidArgumentException("Index: %s is out of range." % (index,)) from None

    def set_at(self, index: int, value: Any) -> None:
        self._at(lambda: self._mutate(SD.replace("[%d]" % index, value)), index)

    def get_at(self, index: int) -> Any:
        """The item at `index` (None when the list has no such index)."""
        return self._lookup(SD.get("[%d]" % index)).value[0]["value"]

    def remove_at(self, index: int) -> None:
        self._at(lambda: self._mutate(SD.remove("[%d]" % index)), index)

    def index_of(self, value: Any) -> int:
        """The index of the first item equal to `value`, or -1."""
        for i, v in enumerate(self.get_all()):
            if v == value:
                return i
        return -1

    def get_all(self) -> List[Any]:
        return self._get().content_as[list]


class CouchbaseMap(_Structure):
    """A dict: add, get, remove, exists, keys, values, items, get_all, size, clear."""

    _empty: Any = dict

    def add(self, mapkey: str, value: Any) -> None:
        self._mutate(SD.upsert(mapkey, value))

    def get(self, mapkey: str) -> Any:
        return self._lookup(SD.get(mapkey)).content_as[lambda v: v](0)

    def remove(self, mapkey: str) -> None:
        try:
            self._mutate(SD.remove(mapkey))
        except PathNotFoundException:
            raise InvalidArgumentException("Key: %s is not in the map." % (mapkey,)) from None

    def exists(self, key: str) -> bool:
        return self._lookup(SD.exists(key)).exists(0)

    def get_all(self) -> Dict[str, Any]:
        return self._get().content_as[dict]

    def keys(self) -> List[str]:
        return list(self.get_all().keys())

    def values(self) -> List[Any]:
        return list(self.get_all().values())

    def items(self) -> Iterator[Tuple[str, Any]]:
        yield from self.get_all().items()


class CouchbaseSet(_Structure):
    """A set of primitive values kept in a JSON array: add, remove, contains, values, size, clear."""

    def add(self, value: Any) -> bool:
        """True when added, False when the set already had it."""
        try:
            self._mutate(SD.array_addunique("", value))
            return True
        except PathExistsException:
            return False

    def remove(self, value: Any, timeout: Optional[timedelta] = None) -> None:
        """Remove `value` (nothing happens when the set does not have it)."""
        self._take(lambda items: items.index(value) if value in items else None, timeout)

    def contains(self, value: Any) -> bool:
        return value in self.values()

    def values(self) -> List[Any]:
        return self._get().content_as[list]


class CouchbaseQueue(_Structure):
    """A FIFO queue: push adds at the front, pop takes from the back (QueueEmpty when empty)."""

    def push(self, value: Any) -> None:
        self._mutate(SD.array_prepend("", value))

    def pop(self, timeout: Optional[timedelta] = None) -> Any:
        item, found = self._take(lambda items: len(items) - 1 if items else None, timeout)
        if not found:
            raise QueueEmpty("No items to remove from the queue")
        return item


# ---- the deprecated Collection methods (create the document only with create=True) ----

def _with_create(coll: Collection, key: str, create: bool, empty: Callable[[], Any], fn: Callable[[], _T]) -> _T:
    try:
        return fn()
    except DocumentNotFoundException:
        if not create:
            raise
        try:
            coll.insert(key, empty())
        except DocumentExistsException:
            pass
        return fn()


def _index_error(fn: Callable[[], _T], index: Any) -> _T:
    try:
        return fn()
    except PathNotFoundException:
        raise IndexError(index) from None


def list_append(coll: Collection, key: str, value: Any, create: bool = False, **kwargs: Any) -> MutateInResult:
    return _with_create(coll, key, create, list, lambda: coll.mutate_in(key, [SD.array_append("", value)], **kwargs))


def list_prepend(coll: Collection, key: str, value: Any, create: bool = False, **kwargs: Any) -> MutateInResult:
    return _with_create(coll, key, create, list, lambda: coll.mutate_in(key, [SD.array_prepend("", value)], **kwargs))


def list_set(coll: Collection, key: str, index: int, value: Any, **kwargs: Any) -> MutateInResult:
    return _index_error(lambda: coll.mutate_in(key, [SD.replace("[%d]" % index, value)], **kwargs), index)


def list_get(coll: Collection, key: str, index: int, **kwargs: Any) -> Any:
    return _index_error(lambda: coll.lookup_in(key, [SD.get("[%d]" % index)], **kwargs).value[0]["value"], index)


def list_remove(coll: Collection, key: str, index: int, **kwargs: Any) -> MutateInResult:
    return _index_error(lambda: coll.mutate_in(key, [SD.remove("[%d]" % index)], **kwargs), index)


def list_size(coll: Collection, key: str, **kwargs: Any) -> int:
    return coll.lookup_in(key, [SD.count("")], **kwargs).value[0]["value"]  # type: ignore[no-any-return]


def map_add(coll: Collection, key: str, mapkey: str, value: Any, create: bool = False, **kwargs: Any) -> MutateInResult:
    return _with_create(coll, key, create, dict, lambda: coll.mutate_in(key, [SD.upsert(mapkey, value)], **kwargs))


def map_get(coll: Collection, key: str, mapkey: str, **kwargs: Any) -> Any:
    return _index_error(lambda: coll.lookup_in(key, [SD.get(mapkey)], **kwargs).value[0]["value"], mapkey)


def map_remove(coll: Collection, key: str, mapkey: str, **kwargs: Any) -> MutateInResult:
    return _index_error(lambda: coll.mutate_in(key, [SD.remove(mapkey)], **kwargs), mapkey)


def map_size(coll: Collection, key: str, **kwargs: Any) -> int:
    return list_size(coll, key, **kwargs)


def set_add(coll: Collection, key: str, value: Any, create: bool = False, **kwargs: Any) -> Optional[MutateInResult]:
    """The mutation's result, or None when the set already had `value`."""
    try:
        return _with_create(coll, key, create, list,
                            lambda: coll.mutate_in(key, [SD.array_addunique("", value)], **kwargs))
    except PathExistsException:
        return None


def set_remove(coll: Collection, key: str, value: Any, **kwargs: Any) -> Optional[MutateInResult]:
    while True:
        doc = coll.get(key, **kwargs)
        items = doc.content_as[list]
        if value not in items:
            return None
        try:
            return coll.mutate_in(key, [SD.remove("[%d]" % items.index(value))], MutateInOptions(cas=doc.cas),
                                  **kwargs)
        except (CasMismatchException, DocumentExistsException):
            continue


def set_size(coll: Collection, key: str, **kwargs: Any) -> int:
    return list_size(coll, key, **kwargs)


def set_contains(coll: Collection, key: str, value: Any, **kwargs: Any) -> bool:
    return value in coll.get(key, **kwargs).content_as[list]


def queue_push(coll: Collection, key: str, value: Any, create: bool = False, **kwargs: Any) -> MutateInResult:
    return list_prepend(coll, key, value, create=create, **kwargs)


def queue_pop(coll: Collection, key: str, **kwargs: Any) -> Any:
    while True:
        try:
            doc = coll.lookup_in(key, [SD.get("[-1]")], **kwargs)
            item = doc.content_as[lambda v: v](0)
        except PathNotFoundException:
            raise QueueEmpty("No items to remove from the queue") from None
        try:
            coll.mutate_in(key, [SD.remove("[-1]")], MutateInOptions(cas=doc.cas), **kwargs)
            return item
        except (CasMismatchException, DocumentExistsException):
            continue
        except PathNotFoundException:
            raise QueueEmpty("No items to remove from the queue") from None


def queue_size(coll: Collection, key: str) -> int:
    return list_size(coll, key)
