"""Couchbase SDK: the classic ``Couchbase.connect()`` API and the modern Cluster API on one C core."""
from couchbase._version import __version__
from couchbase.logs import configure_logging, disable_logging, enable_logging
from couchbase.user_constants import *  # noqa: F401,F403
from couchbase.user_constants import __all__ as _const_names


class Couchbase:
    """Entry point of the classic API."""

    @staticmethod
    def connect(bucket=None, **kwargs):
        """Connect to a bucket and return a :class:`couchbase.connection.Connection`.

        Every keyword is passed to the Connection constructor.
        """
        from couchbase.connection import Connection

        return Connection(bucket=bucket, **kwargs)


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
