"""Couchbase SDK: the classic ``Couchbase.connect()`` API and the modern Cluster API on one C core."""
from couchbase._version import __version__
from couchbase.logs import configure_logging, disable_logging, enable_logging
from couchbase.user_constants import *  # noqa: F401,F403
from couchbase.user_constants import __all__ as _const_names
from couchbase.user_constants import LOCKMODE_WAIT


class Couchbase:
    """Entry point of the classic API."""

    @staticmethod
    def connect(bucket=None, host="localhost", port=8091, password=None, quiet=False, config_cache=None,
                unlock_gil=True, timeout=2.5, transcoder=None, lockmode=LOCKMODE_WAIT, **kwargs):
        """Connect to a bucket and return a :class:`couchbase.connection.Connection`.

        The positional order is the 1.2 client's; every argument, and every other keyword
        (``username``, ``conncache``, ``default_format``, ...), is passed to the Connection
        constructor. The lock mode defaults to LOCKMODE_WAIT, as the manual documents.
        """
        from couchbase.connection import Connection

        return Connection(bucket=bucket, host=host, port=port, password=password, quiet=quiet,
                          config_cache=config_cache, unlock_gil=unlock_gil, timeout=timeout, transcoder=transcoder,
                          lockmode=lockmode, **kwargs)


def __getattr__(name):
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
