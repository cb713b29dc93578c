"""1.2's switch for unstable APIs: ``enable()``, and ``enabled_or_raise()`` for modules that
need it. No API of this SDK requires it; it is kept so that 1.2 code calling it runs."""
from __future__ import annotations



_enabled = False


def enable() -> None:
    """Allow experimental APIs for the rest of the process."""
    global _enabled
    _enabled = True


def enabled_or_raise() -> None:
    """Return if experimental APIs are enabled, else raise ImportError."""
    if not _enabled:
        raise ImportError("This is an experimental couchbase API; call couchbase.experimental.enable() first")
