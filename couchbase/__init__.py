"""Couchbase SDK: the classic ``Couchbase.connect()`` API and the modern Cluster API on one C core."""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, List, Optional, Union

    from couchbase.connection import Connection
    from couchbase.transcoder import Transcoder

from couchbase._version import __version__
from couchbase.logs import configure_logging, disable_logging, enable_logging
from couchbase.user_constants import *  # noqa: F401,F403
from couchbase.user_constants import __all__ as _const_names
from couchbase.user_constants import LOCKMODE_WAIT


class Couchbase:
    """Entry point of the classic API."""

    @staticmethod
    def connect(bucket: Optional[str] = None, host: Union[str, List[Any]] = "localhost", port: int = 8091,
                password: Optional[str] = None, quiet: bool = False, config_cache: Optional[str] = None,
                unlock_gil: bool = True, timeout: float = 2.5, transcoder: Optional[Transcoder] = None,
                lockmode: int = LOCKMODE_WAIT, **kwargs: Any) -> Connection:
        """Connect to a bucket and return a :class:`couchbase.connection.Connection`.

        The positional order is the 1.2 client's; every argument, and every other keyword
        (``username``, ``conncache``, ``default_format``, ...), is passed to the Connection
        constructor. The lock mode defaults to LOCKMODE_WAIT, as the manual documents.
        """
        from couchbase.connection import Connection

        return Connection(bucket=bucket, host=host, port=port, password=password, quiet=quiet,
                          config_cache=config_cache, unlock_gil=unlock_gil, timeout=timeout, transcoder=transcoder,
                          lockmode=lockmode, **kwargs)


def __getattr__(name: str) -> Any:
    # Lazy, so that `import couchbase` stays cheap and the modern modules load on use.
    if name == "Connection":
        from couchbase.connection import Connection

        return Connection
    if name in ("set_json_converters", "set_pickle_converters"):
        from couchbase import transcoder

        return getattr(transcoder, name)
    raise AttributeError("module 'couchbase' has no attribute %r" % (name,))


__all__ = ["Couchbase", "Connection", "set_json_converters", "set_pickle_converters", "__version__",
           "enable_logging", "disable_logging", "configure_logging"] + list(
    _const_names
)
