"""The asyncio face of the SDK (the 4.x ``acouchbase`` paths): ``acouchbase.cluster.Cluster``
(``AsyncCluster``), ``AsyncBucket``, ``AsyncScope``, ``AsyncCollection`` and its
``binary()``, the managers in ``acouchbase.management``. Every operation is a coroutine of
the running event loop (asyncio's own or uvloop); the C core's sockets are driven by that
loop directly, with no thread of the SDK's own (docs/asyncio.md)."""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Optional

import asyncio

__all__ = ["get_event_loop"]


def get_event_loop(evloop: Optional[asyncio.AbstractEventLoop] = None) -> asyncio.AbstractEventLoop:
    """`evloop`, else the running event loop, else the thread's current one."""
    if evloop is not None:
        return evloop
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.get_event_loop_policy().get_event_loop()
