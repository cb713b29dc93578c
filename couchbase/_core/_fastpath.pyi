"""Type stub of the native module ``couchbase._core._fastpath`` (csrc/py/).

Signatures as the module's docstrings give them; ``batch_addr`` is the address of a
core batch (an int, see ``couchbase._core.batch._addr``).
"""
from typing import Any, Callable, Dict, List, Literal, Optional, Sequence, Tuple, Type, Union

from typing_extensions import disjoint_base


#: The core interface version this module was built for.
CORE_VERSION: int

# An int for every key, or one per key.
_PerKey = Union[int, Sequence[int]]
_Key = Union[str, bytes]
_Keys = Union[List[Any], Tuple[Any, ...]]
# (argument error class, value-format error class), replacing the module's defaults.
_Errors = Optional[Tuple[Type[BaseException], Type[BaseException]]]
_Kind = Literal["value", "counter", "op", "unlock", "subdoc"]
# A batch-level failure: (core code, message, C file, line).
_BatchFailure = Tuple[int, str, str, int]


@disjoint_base
class ResultBase:
    """The data layout of every result class; subclasses add ``__slots__ = ()`` and properties."""

    rc: int
    key: Any
    value: Any
    cas: int
    flags: int
    _vbuuid: int
    _seqno: int
    _vbucket: int
    _status: int
    _server: int
    _extra: Any
    _csrc: Optional[Tuple[str, int]]

    def __init__(self, *, rc: int = ..., key: Any = ..., value: Any = ..., cas: int = ...,
                 flags: int = ...) -> None: ...


def init(api_addr: int, argument_error: Type[BaseException], value_format_error: Type[BaseException],
         transcoder_globals: Dict[str, Any], fmt_auto: object, auto_encode: Callable[[Any], Tuple[bytes, int]],
         /) -> None: ...


def has_type(seq: Union[List[Any], Tuple[Any, ...]], cls: type, /) -> bool: ...


def add_keys(batch_addr: int, keys: _Keys, opcode: int, expiry: _PerKey, cas: _PerKey, collection: int,
             replica: int, durability: int, durability_timeout: int, delta: _PerKey, initial: _PerKey,
             create: _PerKey, errors: _Errors = ..., /) -> int: ...


def add_items(batch_addr: int, keys: _Keys, values: _Keys, opcode: int, fmt: object, expiry: _PerKey,
              cas: _PerKey, collection: int, durability: int, durability_timeout: int,
              encoder: Optional[Callable[[Any], Tuple[bytes, int]]], errors: _Errors = ...,
              legacy_flags: bool = ..., /) -> int: ...


def add_subdoc(batch_addr: int, key: _Key, opcode: int, value: bytes, extras: bytes, cas: int, collection: int,
               durability: int, durability_timeout: int, replica: int, errors: _Errors = ..., /) -> int: ...


def build(batch_addr: int, keys: _Keys, kind: _Kind, multi_cls: Callable[[], Dict[Any, Any]],
          value_cls: Type[ResultBase], op_cls: Type[ResultBase], passthrough: bool, transcoder: Any,
          no_format: bool, /) -> Tuple[Dict[Any, Any], List[ResultBase]]: ...


def build_single(batch_addr: int, keys: _Keys, kind: _Kind, value_cls: Type[ResultBase], op_cls: Type[ResultBase],
                 passthrough: bool, transcoder: Any, no_format: bool, index: int,
                 /) -> Tuple[ResultBase, Optional[ResultBase]]: ...


def build_range(batch_addr: int, keys: _Keys, start: int, end: int, kind: _Kind, mres: Dict[Any, Any],
                failed: List[ResultBase], value_cls: Type[ResultBase], op_cls: Type[ResultBase], passthrough: bool,
                transcoder: Any, no_format: bool, /) -> None: ...


def execute(batch_addr: int, items: int, add_args: Sequence[Any], timeout_us: int, build_args: Sequence[Any],
            /) -> Union[Tuple[ResultBase, Optional[ResultBase]], Tuple[None, _BatchFailure]]: ...


def execute_multi(batch_addr: int, timeout_us: int, chunk: int, chunk_bytes: int, keys: _Keys, kind: _Kind,
                  multi_cls: Callable[[], Dict[Any, Any]], value_cls: Type[ResultBase], op_cls: Type[ResultBase],
                  passthrough: bool, transcoder: Any, no_format: bool,
                  /) -> Union[Tuple[Dict[Any, Any], List[ResultBase]], Tuple[None, _BatchFailure]]: ...


def aio_start(aio_addr: int, gens: List[Any], items: int, add_args: Sequence[Any], deadline_us: int, record: Any,
              /) -> int: ...


def aio_call(aio_addr: int, what: int, fd: int, events: int, gens: List[Any],
             after: Optional[Callable[[int, int], Any]] = ..., /) -> int: ...
