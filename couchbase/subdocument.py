"""Sub-document specs for ``Collection.lookup_in`` and ``Collection.mutate_in``::

    import couchbase.subdocument as SD
    coll.lookup_in("k", [SD.get("name"), SD.exists("tags"), SD.count("tags")])
    coll.mutate_in("k", [SD.upsert("a.b", 1, create_parents=True), SD.increment("n", 1),
                         SD.upsert("txn", SD.MutationMacro.cas())])

A spec is a tuple: ``(opcode, path, xattr)`` for lookups and ``(opcode, path,
create_parents, xattr, expand_macros[, value])`` for mutations, as in the 4.x SDK.
"""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, NoReturn, Sequence, Tuple, Type
from enum import IntEnum, IntFlag

from couchbase.exceptions import (
    CouchbaseException, DeltaInvalidException, DocumentNotFoundException, DocumentNotJsonException,
    InvalidArgumentException, InvalidIndexException as InvalidIndexException, InvalidValueException, NumberTooBigException,
    PathExistsException, PathInvalidException, PathMismatchException, PathNotFoundException, PathTooBigException,
    PathTooDeepException, ValueTooDeepException,
)
from couchbase.options import MutateInOptions  # noqa: F401  (3.x import path)

__all__ = ["SubDocOp", "SubDocStatus", "StoreSemantics", "PathFlags", "LookupInMacro", "MutationMacro", "Spec",
           "ArrayValues", "exists", "get", "count", "insert", "upsert", "replace", "remove", "array_append",
           "array_prepend", "array_insert", "array_addunique", "counter", "increment", "decrement", "get_full",
           "with_expiry", "convert_macro_cas_to_cas", "build_lookup_in_path_flags",
           "build_mutate_in_path_flags", "parse_subdocument_content_as", "parse_subdocument_exists",
           "parse_subdocument_status", "MutateInOptions"]


class SubDocOp(IntEnum):
    """Spec opcodes (docs/protocol.md section 2.2.18); GET_DOC, SET_DOC and REMOVE_DOC are
    the whole-document specs (GET 0x00, SET 0x01, DELETE 0x04 inside a multi-path request)."""
    GET_DOC = 0x00
    SET_DOC = 0x01
    REMOVE_DOC = 0x04
    GET = 0xC5
    EXISTS = 0xC6
    DICT_ADD = 0xC7
    DICT_UPSERT = 0xC8
    REMOVE = 0xC9
    REPLACE = 0xCA
    ARRAY_PUSH_LAST = 0xCB
    ARRAY_PUSH_FIRST = 0xCC
    ARRAY_INSERT = 0xCD
    ARRAY_ADD_UNIQUE = 0xCE
    COUNTER = 0xCF
    GET_COUNT = 0xD2
    REPLACE_BODY_WITH_XATTR = 0xD3


class SubDocStatus(IntEnum):
    """Per-path statuses a spec may fail with (docs/protocol.md section 3.1)."""
    PathNotFound = 0xC0
    PathMismatch = 0xC1
    PathInvalid = 0xC2
    PathTooBig = 0xC3
    TooDeep = 0xC4
    ValueCannotInsert = 0xC5
    DocNotJson = 0xC6
    NumRangeError = 0xC7
    DeltaInvalid = 0xC8
    PathExists = 0xC9
    ValueTooDeep = 0xCA


class StoreSemantics(IntEnum):
    """What ``mutate_in`` does when the document is missing or present."""
    REPLACE = 0
    UPSERT = 1
    INSERT = 2


class PathFlags(IntFlag):
    NONE = 0
    CREATE_PARENTS = 0x01
    XATTR = 0x04
    EXPAND_MACROS = 0x10
    BINARY_VALUE = 0x20


def build_mutate_in_path_flags(xattr: bool, create_path: bool, expand_macro: bool, binary: bool) -> PathFlags:
    flags = PathFlags.NONE
    if xattr:
        flags |= PathFlags.XATTR
        if binary:
            flags |= PathFlags.BINARY_VALUE
    if create_path:
        flags |= PathFlags.CREATE_PARENTS
    if expand_macro:
        flags |= PathFlags.EXPAND_MACROS
    return flags


def build_lookup_in_path_flags(xattr: bool, binary: bool) -> PathFlags:
    flags = PathFlags.NONE
    if xattr:
        flags |= PathFlags.XATTR
        if binary:
            flags |= PathFlags.BINARY_VALUE
    return flags


class LookupInMacro:
    """Virtual xattr paths of the document's metadata (look them up with ``xattr=True``)."""

    @staticmethod
    def document() -> str:
        return "$document"

    @staticmethod
    def expiry_time() -> str:
        return "$document.exptime"

    @staticmethod
    def cas() -> str:
        return "$document.CAS"

    @staticmethod
    def seq_no() -> str:
        return "$document.seqno"

    @staticmethod
    def last_modified() -> str:
        return "$document.last_modified"

    @staticmethod
    def is_deleted() -> str:
        return "$document.deleted"

    @staticmethod
    def value_size_bytes() -> str:
        return "$document.value_bytes"

    @staticmethod
    def rev_id() -> str:
        return "$document.revid"


class MutationMacro:
    """A value the server fills in when it applies the mutation (written into an xattr)."""

    def __init__(self, value: str) -> None:
        self._value = value

    @property
    def value(self) -> str:
        return self._value

    @classmethod
    def cas(cls) -> MutationMacro:
        return cls("${Mutation.CAS}")

    @classmethod
    def seq_no(cls) -> MutationMacro:
        return cls("${Mutation.seqno}")

    @classmethod
    def value_crc32c(cls) -> MutationMacro:
        return cls("${Mutation.value_crc32c}")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MutationMacro) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __repr__(self) -> str:
        return "MutationMacro(%r)" % (self._value,)


class Spec(tuple):  # type: ignore[type-arg]
    """One sub-document operation."""

    def __new__(cls, *args: Any) -> Spec:
        return super().__new__(cls, args)

    def __repr__(self) -> str:
        return "Spec<%s>" % ", ".join(repr(x) for x in self[1:])


class ArrayValues(tuple):  # type: ignore[type-arg]
    """The values of an array push or insert (sent comma-separated)."""

    def __new__(cls, *args: Any) -> ArrayValues:
        return super().__new__(cls, args)

    def __repr__(self) -> str:
        return "ArrayValues(%s)" % tuple.__repr__(self)


def _macro(value: Any, xattr: bool) -> Tuple[Any, bool, bool]:
    """(value, xattr, expand_macros) for a value that may be a MutationMacro."""
    if isinstance(value, MutationMacro):
        return value.value, True, True
    return value, xattr, False


def _macros(values: Sequence[Any], xattr: bool) -> Tuple[Any, bool, bool]:
    if any(isinstance(v, MutationMacro) for v in values):
        return [v.value if isinstance(v, MutationMacro) else v for v in values], True, True
    return values, xattr, False


# ---- lookups ----

def exists(path: str, xattr: bool = False) -> Spec:
    """Whether the path exists (``LookupInResult.exists(i)``)."""
    return Spec(SubDocOp.EXISTS, path, xattr)


def get(path: str, xattr: bool = False) -> Spec:
    """The value at the path."""
    return Spec(SubDocOp.GET, path, xattr)


def count(path: str, xattr: bool = False) -> Spec:
    """The number of elements of the array or object at the path."""
    return Spec(SubDocOp.GET_COUNT, path, xattr)


def get_full() -> Spec:
    """The whole document body."""
    return Spec(SubDocOp.GET_DOC, "", False)


def with_expiry() -> Spec:
    """The document's expiry (the ``$document.exptime`` virtual xattr)."""
    return Spec(SubDocOp.GET, LookupInMacro.expiry_time(), True)


# ---- mutations ----

def insert(path: str, value: Any, create_parents: bool = False, xattr: bool = False, **kwargs: Any) -> Spec:
    """Add the dictionary entry (PathExistsException when it exists)."""
    value, xattr, expand = _macro(value, xattr)
    return Spec(SubDocOp.DICT_ADD, path, create_parents, xattr, expand or kwargs.get("expand_macros", False), value)


def upsert(path: str, value: Any, create_parents: bool = False, xattr: bool = False) -> Spec:
    """Add or overwrite the dictionary entry."""
    value, xattr, expand = _macro(value, xattr)
    return Spec(SubDocOp.DICT_UPSERT, path, create_parents, xattr, expand, value)


def replace(path: str, value: Any, xattr: bool = False) -> Spec:
    """Overwrite the value at an existing path; an empty path replaces the whole body."""
    value, xattr, expand = _macro(value, xattr)
    if not path:
        return Spec(SubDocOp.SET_DOC, "", False, xattr, expand, value)
    return Spec(SubDocOp.REPLACE, path, False, xattr, expand, value)


def remove(path: str, xattr: bool = False) -> Spec:
    """Remove the value at the path; an empty path removes the whole document."""
    if not path:
        return Spec(SubDocOp.REMOVE_DOC, "", False, xattr, False)
    return Spec(SubDocOp.REMOVE, path, False, xattr, False)


def array_append(path: str, *values: Any, create_parents: bool = False, xattr: bool = False) -> Spec:
    """Add values at the end of the array."""
    values, xattr, expand = _macros(values, xattr)
    return Spec(SubDocOp.ARRAY_PUSH_LAST, path, create_parents, xattr, expand, ArrayValues(*values))


def array_prepend(path: str, *values: Any, create_parents: bool = False, xattr: bool = False) -> Spec:
    """Add values at the start of the array."""
    values, xattr, expand = _macros(values, xattr)
    return Spec(SubDocOp.ARRAY_PUSH_FIRST, path, create_parents, xattr, expand, ArrayValues(*values))


def array_insert(path: str, *values: Any, create_parents: bool = False, xattr: bool = False) -> Spec:
    """Insert values at the index the path ends with (``tags[2]``)."""
    values, xattr, expand = _macros(values, xattr)
    return Spec(SubDocOp.ARRAY_INSERT, path, create_parents, xattr, expand, ArrayValues(*values))


def array_addunique(path: str, value: Any, create_parents: bool = False, xattr: bool = False) -> Spec:
    """Append a primitive value unless the array has it (PathExistsException)."""
    value, xattr, expand = _macro(value, xattr)
    return Spec(SubDocOp.ARRAY_ADD_UNIQUE, path, create_parents, xattr, expand, value)


def _delta(delta: int) -> int:
    if isinstance(delta, bool) or not isinstance(delta, int):
        raise InvalidArgumentException("Delta must be integer")
    if delta <= 0:
        raise InvalidArgumentException("Delta must be integer greater than or equal to 0")
    return delta


def increment(path: str, delta: int, xattr: bool = False, create_parents: bool = False) -> Spec:
    """Add `delta` (> 0) to the number at the path (created when missing)."""
    return Spec(SubDocOp.COUNTER, path, create_parents, xattr, False, _delta(delta))


def decrement(path: str, delta: int, xattr: bool = False, create_parents: bool = False) -> Spec:
    """Subtract `delta` (> 0) from the number at the path."""
    return Spec(SubDocOp.COUNTER, path, create_parents, xattr, False, -_delta(delta))


def counter(path: str, delta: int, xattr: bool = False, create_parents: bool = False) -> Spec:
    """Deprecated: increment for a positive `delta`, decrement for a negative one."""
    if delta >= 0:
        return increment(path, delta, xattr=xattr, create_parents=create_parents)
    return decrement(path, -delta, xattr=xattr, create_parents=create_parents)


def convert_macro_cas_to_cas(cas: str) -> int:
    """The CAS written by ``MutationMacro.cas()`` (its bytes are stored in reverse order)."""
    raw = bytearray.fromhex(cas[2:] if cas.startswith("0x") else cas)
    raw.reverse()
    return int(raw.hex(), 16)


# ---- per-spec outcomes ----

_STATUS_EXCEPTIONS: Dict[int, Tuple[Type[CouchbaseException], str]] = {
    SubDocStatus.PathNotFound: (PathNotFoundException, "Path could not be found"),
    SubDocStatus.PathMismatch: (PathMismatchException, "Path mismatch"),
    SubDocStatus.PathInvalid: (PathInvalidException, "Path is invalid"),
    SubDocStatus.PathTooBig: (PathTooBigException, "Path is too long or has too many components"),
    SubDocStatus.TooDeep: (PathTooDeepException, "The document is too deep to parse"),
    SubDocStatus.ValueCannotInsert: (InvalidValueException, "Cannot insert the value"),
    SubDocStatus.DocNotJson: (DocumentNotJsonException, "Cannot operate on a document that is not JSON"),
    SubDocStatus.NumRangeError: (NumberTooBigException, "The number is out of range"),
    SubDocStatus.DeltaInvalid: (DeltaInvalidException, "Invalid delta"),
    SubDocStatus.PathExists: (PathExistsException, "Path already exists"),
    SubDocStatus.ValueTooDeep: (ValueTooDeepException, "The value would make the document too deep"),
}


def parse_subdocument_status(status: int, path: Any, key: Any) -> NoReturn:
    """Raise the exception of a failed spec's status."""
    cls, text = _STATUS_EXCEPTIONS.get(status, (CouchbaseException, "Unknown status %s" % (status,)))
    raise cls("%s. Path=%s, key=%s." % (text, path, key), key=key)


def _field(content: Sequence[Dict[str, Any]], index: int) -> Dict[str, Any]:
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(content):
        raise InvalidIndexException("Provided index is invalid. Index=%s." % (index,))
    return content[index]


def parse_subdocument_content_as(content: Sequence[Dict[str, Any]], index: int, key: Any) -> Any:
    """The value of spec `index` of a list of field dicts (status, path, opcode, value)."""
    f = _field(content, index)
    status = f.get("status")
    if status is None:
        raise DocumentNotFoundException("Could not find document. Key=%s." % (key,), key=key)
    if f.get("opcode") == SubDocOp.EXISTS:
        return parse_subdocument_exists(content, index, key)
    if status == 0:
        return f.get("value")
    parse_subdocument_status(status, f.get("path"), key)


def parse_subdocument_exists(content: Sequence[Dict[str, Any]], index: int, key: Any) -> bool:
    """Whether spec `index` found its path (its failures other than a missing path raise)."""
    f = _field(content, index)
    status = f.get("status")
    if status is None:
        raise DocumentNotFoundException("Could not find document. Key=%s." % (key,), key=key)
    if status == 0:
        return True
    if status == SubDocStatus.PathNotFound:
        return False
    parse_subdocument_status(status, f.get("path"), key)
