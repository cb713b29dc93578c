"""The SDK's loggers and the helpers that switch them on.

Everything is stdlib ``logging`` under the ``couchbase`` hierarchy:

``couchbase.bootstrap``
    which host is tried, over which protocol (KV or REST), and the config it got
``couchbase.topology``
    configuration changes (revision, nodes), NOT_MY_VBUCKET and dead-node retries
``couchbase.io``
    timeouts and failed connections, with the host and port (a summary per operation)
``couchbase.mock``
    the embedded cluster: nodes starting and stopping, failovers, buckets

Nothing is logged for an operation that succeeds, and a successful operation pays
nothing for logging. The ``couchbase`` logger has a ``NullHandler``, so an application
that configures no logging sees nothing; ``enable_logging()`` (the classic helper) or
``configure_logging()`` (the 4.x helper) turn it on, and so does the environment variable
``PYCBC_LOG_LEVEL`` (``debug``, ``info``, ``warning`` ...; ``PYCBC_LOG_FILE`` names a
file instead of standard error) when ``couchbase`` is imported.
"""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import List, Optional, TextIO, Union

import logging
import os

__all__ = ["enable_logging", "disable_logging", "configure_logging", "BOOTSTRAP", "TOPOLOGY", "IO"]

ROOT = logging.getLogger("couchbase")
ROOT.addHandler(logging.NullHandler())
BOOTSTRAP = logging.getLogger("couchbase.bootstrap")
TOPOLOGY = logging.getLogger("couchbase.topology")
IO = logging.getLogger("couchbase.io")

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_installed: List[logging.Handler] = []


def _level(level: Union[int, str]) -> int:
    if isinstance(level, str):
        value = logging.getLevelName(level.upper())
        if not isinstance(value, int):
            raise ValueError("unknown log level %r" % (level,))
        return value
    if isinstance(level, bool) or not isinstance(level, int):
        raise TypeError("level must be an int or a level name, not %s" % type(level).__name__)
    return level


def enable_logging(level: Union[int, str] = logging.DEBUG, stream: Optional[TextIO] = None,
                   filename: Optional[str] = None) -> logging.Handler:
    """Send the SDK's log records at `level` and above to standard error (or `stream`, or
    the file `filename`). Returns the handler; calling it again replaces the previous one."""
    disable_logging()
    handler = logging.FileHandler(filename) if filename else logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter(FORMAT))
    ROOT.addHandler(handler)
    ROOT.setLevel(_level(level))
    _installed.append(handler)
    return handler


def disable_logging() -> None:
    """Remove the handler enable_logging installed; the SDK logs nowhere again."""
    while _installed:
        handler = _installed.pop()
        ROOT.removeHandler(handler)
        handler.close()
    ROOT.setLevel(logging.NOTSET)


def configure_logging(name: str, level: Union[int, str] = logging.INFO,
                      parent_logger: Optional[logging.Logger] = None) -> logging.Logger:
    """The 4.x helper: route the SDK's records at `level` and above into the application's
    logging, as the child `name` of `parent_logger` (a Logger), or of the root logger."""
    if not isinstance(name, str) or not name:
        raise ValueError("name must be a non-empty str")
    parent = parent_logger.name + "." if parent_logger is not None else ""
    target = logging.getLogger(parent + name)
    disable_logging()
    handler = _Forward(target)
    ROOT.addHandler(handler)
    ROOT.setLevel(_level(level))
    _installed.append(handler)
    return target


class _Forward(logging.Handler):
    """Hands every record to another logger (whose handlers and filters then apply)."""

    def __init__(self, target: logging.Logger) -> None:
        super().__init__()
        self.target = target

    def emit(self, record: logging.LogRecord) -> None:
        self.target.handle(record)


def _from_environment() -> None:
    level = os.environ.get("PYCBC_LOG_LEVEL")
    if level:
        try:
            enable_logging(level, filename=os.environ.get("PYCBC_LOG_FILE") or None)
        except (TypeError, ValueError):
            enable_logging(logging.WARNING)
            ROOT.warning("PYCBC_LOG_LEVEL=%r is not a log level; logging warnings and above", level)


_from_environment()
