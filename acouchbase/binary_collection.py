"""The async BinaryCollection (``collection.binary()``): counters and raw append/prepend as
awaitables. The blocking BinaryCollection's code builds every request (it runs here with
the AsyncCollection, whose run points are coroutines)."""
from couchbase import binary_collection as _blocking
from couchbase._modern import multi as _multi_ops
from couchbase._modern.kv import _APPEND, _DECR, _INCR, _PREPEND

__all__ = ["BinaryCollection"]

_Blocking = _blocking.BinaryCollection


class BinaryCollection:
    """``collection.binary()`` of an AsyncCollection."""

    def __init__(self, collection):
        self._c = collection

    _counter = _Blocking._counter
    _concat = _Blocking._concat
    _counter_multi = _Blocking._counter_multi

    async def increment(self, key, *opts, **kwargs):
        """Add ``delta`` (default 1); a missing counter is created with ``initial`` (default 0;
        negative: DocumentNotFoundException instead): CounterResult."""
        await self._c._ready()
        return await self._counter(_INCR, "increment", key, opts, kwargs)

    async def decrement(self, key, *opts, **kwargs):
        """Subtract ``delta`` (default 1, stops at 0); creation as for increment."""
        await self._c._ready()
        return await self._counter(_DECR, "decrement", key, opts, kwargs)

    async def append(self, key, value, *opts, **kwargs):
        """Append bytes (a str is UTF-8 encoded) to an existing document."""
        await self._c._ready()
        return await self._concat(_APPEND, "append", key, value, opts, kwargs)

    async def prepend(self, key, value, *opts, **kwargs):
        """Prepend bytes (a str is UTF-8 encoded) to an existing document."""
        await self._c._ready()
        return await self._concat(_PREPEND, "prepend", key, value, opts, kwargs)

    async def increment_multi(self, keys, *opts, **kwargs):
        await self._c._ready()
        return await self._counter_multi(_INCR, "increment", keys, opts, kwargs)

    async def decrement_multi(self, keys, *opts, **kwargs):
        await self._c._ready()
        return await self._counter_multi(_DECR, "decrement", keys, opts, kwargs)

    async def append_multi(self, keys_and_values, *opts, **kwargs):
        await self._c._ready()
        return await _multi_ops.append_multi(self._c, keys_and_values, opts, kwargs)

    async def prepend_multi(self, keys_and_values, *opts, **kwargs):
        await self._c._ready()
        return await _multi_ops.prepend_multi(self._c, keys_and_values, opts, kwargs)
