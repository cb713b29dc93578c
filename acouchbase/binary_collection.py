"""The async BinaryCollection (``collection.binary()``): counters and raw append/prepend as
awaitables. The blocking BinaryCollection's code builds every request (it runs here with
the AsyncCollection, whose run points are coroutines)."""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, List, Union

    from couchbase._modern.results import CounterResult, MultiCounterResult, MultiMutationResult, MutationResult
    from couchbase.options import (
        AppendMultiOptions, AppendOptions, DecrementMultiOptions, DecrementOptions, IncrementMultiOptions,
        IncrementOptions, PrependMultiOptions, PrependOptions,
    )

    from acouchbase.collection import AsyncCollection

from couchbase import binary_collection as _blocking
from couchbase._modern import multi as _multi_ops
from couchbase._modern.kv import _APPEND, _DECR, _INCR, _PREPEND

__all__ = ["BinaryCollection"]

#: the blocking BinaryCollection's code, run here with an AsyncCollection: it returns coroutines
#: (its declared, blocking result types do not apply)
_Blocking: Any = _blocking.BinaryCollection
_aio_multi: Any = _multi_ops


class BinaryCollection:
    """``collection.binary()`` of an AsyncCollection."""

    def __init__(self, collection: AsyncCollection) -> None:
        self._c = collection

    _counter = _Blocking._counter
    _concat = _Blocking._concat
    _counter_multi = _Blocking._counter_multi

    async def increment(self, key: str, *opts: IncrementOptions, **kwargs: Any) -> CounterResult:
        """Add ``delta`` (default 1); a missing counter is created with ``initial`` (default 0;
        negative: DocumentNotFoundException instead): CounterResult."""
        await self._c._ready()
        return await self._counter(_INCR, "increment", key, opts, kwargs)

    async def decrement(self, key: str, *opts: DecrementOptions, **kwargs: Any) -> CounterResult:
        """Subtract ``delta`` (default 1, stops at 0); creation as for increment."""
        await self._c._ready()
        return await self._counter(_DECR, "decrement", key, opts, kwargs)

    async def append(self, key: str, value: Union[str, bytes, bytearray], *opts: AppendOptions,
                     **kwargs: Any) -> MutationResult:
        """Append bytes (a str is UTF-8 encoded) to an existing document."""
        await self._c._ready()
        return await self._concat(_APPEND, "append", key, value, opts, kwargs)

    async def prepend(self, key: str, value: Union[str, bytes, bytearray], *opts: PrependOptions,
                      **kwargs: Any) -> MutationResult:
        """Prepend bytes (a str is UTF-8 encoded) to an existing document."""
        await self._c._ready()
        return await self._concat(_PREPEND, "prepend", key, value, opts, kwargs)

    async def increment_multi(self, keys: List[str], *opts: IncrementMultiOptions,
                              **kwargs: Any) -> MultiCounterResult:
        await self._c._ready()
        return await self._counter_multi(_INCR, "increment", keys, opts, kwargs)

    async def decrement_multi(self, keys: List[str], *opts: DecrementMultiOptions,
                              **kwargs: Any) -> MultiCounterResult:
        await self._c._ready()
        return await self._counter_multi(_DECR, "decrement", keys, opts, kwargs)

    async def append_multi(self, keys_and_values: Dict[str, Union[str, bytes, bytearray]], *opts: AppendMultiOptions,
                           **kwargs: Any) -> MultiMutationResult:
        await self._c._ready()
        return await _aio_multi.append_multi(self._c, keys_and_values, opts, kwargs)

    async def prepend_multi(self, keys_and_values: Dict[str, Union[str, bytes, bytearray]],
                            *opts: PrependMultiOptions, **kwargs: Any) -> MultiMutationResult:
        await self._c._ready()
        return await _aio_multi.prepend_multi(self._c, keys_and_values, opts, kwargs)
