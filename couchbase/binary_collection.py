"""BinaryCollection (``collection.binary()``): counters and raw append/prepend of the modern API."""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, List, Sequence, Union

    from couchbase._modern.results import CounterResult, MultiMutationResult, MutationResult
    from couchbase.collection import Collection
    from couchbase.options import (
        AppendMultiOptions, DecrementMultiOptions, DecrementOptions, IncrementMultiOptions, PrependMultiOptions,
        PrependOptions,
    )

from couchbase._core import batch as _batch
from couchbase._modern.kv import (
    ERRORS, _APPEND, _CTR_CLASSES, _DECR, _FMT_BYTES_1X, _INCR, _MUT_CLASSES, _PREPEND, _cas_arg, _check_key,
    _check_keys, _int_arg, _merge,
)
from couchbase._modern import multi as _multi_ops
from couchbase._modern.results import MultiCounterResult
from couchbase.durability import ClientDurability
from couchbase.options import AppendOptions, DeltaValue, IncrementOptions, SignedInt64, expiry_to_wire


class BinaryCollection:
    """``collection.binary()``: counters and raw append/prepend."""

    def __init__(self, collection: Collection) -> None:
        self._c = collection

    def _counter(self, op: Any, name: str, key: str, opts: Sequence[Any], kwargs: Dict[str, Any]) -> CounterResult:
        o = _merge(opts, kwargs)
        c = self._c
        exp = 0
        delta, initial = 1, 0
        if o:
            if "expiry" in o:
                exp = expiry_to_wire(o["expiry"])
            delta = _int_arg(o.get("delta"), DeltaValue, "delta", 1)
            initial = _int_arg(o.get("initial"), SignedInt64, "initial", 0)
        create = 1 if initial >= 0 else 0
        return c._keyed_mutation(op, name, key, o, IncrementOptions._valid, exp=exp,  # type: ignore[return-value]
                                 classes=_CTR_CLASSES, delta=delta, initial=max(0, initial), create=create)

    def increment(self, key: str, *opts: IncrementOptions, **kwargs: Any) -> CounterResult:
        """Add ``delta`` (default 1); a missing counter is created with ``initial`` (default 0;
        negative: DocumentNotFoundException instead)."""
        return self._counter(_INCR, "increment", key, opts, kwargs)

    def decrement(self, key: str, *opts: DecrementOptions, **kwargs: Any) -> CounterResult:
        """Subtract ``delta`` (default 1, stops at 0); creation as for increment."""
        return self._counter(_DECR, "decrement", key, opts, kwargs)

    def _concat(self, op: Any, name: str, key: str, value: Union[str, bytes, bytearray], opts: Sequence[Any],
                kwargs: Dict[str, Any]) -> MutationResult:
        if isinstance(value, str):
            value = value.encode("utf-8")
        elif isinstance(value, bytearray):
            value = bytes(value)
        elif not isinstance(value, bytes):
            raise ValueError("The value for %s must be str, bytes or bytearray." % name)
        c = self._c
        o = _merge(opts, kwargs)
        cas = 0
        dur = None
        if o:
            _check_keys(o, AppendOptions._valid, name)
            cas = _cas_arg(o.get("cas"))
            dur = o.get("durability")
        _check_key(key)
        timeout = c._timeout(o, durable=dur is not None and not isinstance(dur, ClientDurability))
        level, dto, client = c._durability(o, timeout) if dur is not None else (0, 0, None)
        c._cid_now()
        vals = [value]

        def add(batch: Any) -> None:
            _batch.add_items(batch, [key], vals, op.opcode, _FMT_BYTES_1X, 0, cas, c._cid, level, dto, None,
                             ERRORS)

        return c._mutate(op, name, key, add, _MUT_CLASSES, timeout, client)

    def append(self, key: str, value: Union[str, bytes, bytearray], *opts: AppendOptions,
               **kwargs: Any) -> MutationResult:
        """Append bytes (a str is UTF-8 encoded) to an existing document."""
        return self._concat(_APPEND, "append", key, value, opts, kwargs)

    def prepend(self, key: str, value: Union[str, bytes, bytearray], *opts: PrependOptions,
                **kwargs: Any) -> MutationResult:
        """Prepend bytes (a str is UTF-8 encoded) to an existing document."""
        return self._concat(_PREPEND, "prepend", key, value, opts, kwargs)

    def _counter_multi(self, op: Any, name: str, keys: List[str], opts: Sequence[Any],
                       kwargs: Dict[str, Any]) -> MultiCounterResult:
        c = self._c
        o = _merge(opts, kwargs)
        keys = c._key_list(keys)
        delta, initial = 1, 0
        if o:
            delta = _int_arg(o.get("delta"), DeltaValue, "delta", 1)
            initial = _int_arg(o.get("initial"), SignedInt64, "initial", 0)
        exp = expiry_to_wire(o.get("expiry")) if o else 0
        timeout = c._timeout(o)
        create = 1 if initial >= 0 else 0
        init = max(0, initial)

        def add_for(batch: Any, cid: int, ks: List[str]) -> None:
            _batch.add_keys(batch, ks, op.opcode, exp, 0, cid, 0, 0, 0, delta, init, create, ERRORS)

        return c._multi(op, name, keys, add_for, _CTR_CLASSES, timeout, True, MultiCounterResult, o)

    def increment_multi(self, keys: List[str], *opts: IncrementMultiOptions, **kwargs: Any) -> MultiCounterResult:
        return self._counter_multi(_INCR, "increment", keys, opts, kwargs)

    def decrement_multi(self, keys: List[str], *opts: DecrementMultiOptions, **kwargs: Any) -> MultiCounterResult:
        return self._counter_multi(_DECR, "decrement", keys, opts, kwargs)

    def append_multi(self, keys_and_values: Dict[str, Union[str, bytes, bytearray]], *opts: AppendMultiOptions,
                     **kwargs: Any) -> MultiMutationResult:
        """Append to several documents in one batch: MultiMutationResult."""
        return _multi_ops.append_multi(self._c, keys_and_values, opts, kwargs)

    def prepend_multi(self, keys_and_values: Dict[str, Union[str, bytes, bytearray]], *opts: PrependMultiOptions,
                      **kwargs: Any) -> MultiMutationResult:
        """Prepend to several documents in one batch: MultiMutationResult."""
        return _multi_ops.prepend_multi(self._c, keys_and_values, opts, kwargs)
