"""Import couchbase.mock even while the top-level ``couchbase`` package fails to import.

The mock depends on nothing else in the package; when ``import couchbase`` raises (the
SDK side is being changed), an empty package object stands in for it. Run as a script it
behaves like ``python -m couchbase.mock``.
"""

import os
import sys
import types

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def import_mock():
    if ROOT not in sys.path:
        sys.path.insert(0, ROOT)
    try:
        import couchbase.mock as mock
        return mock
    except Exception:
        for name in [m for m in sys.modules if m == "couchbase" or m.startswith("couchbase.")]:
            del sys.modules[name]
        pkg = types.ModuleType("couchbase")
        pkg.__path__ = [os.path.join(ROOT, "couchbase")]
        sys.modules["couchbase"] = pkg
        import couchbase.mock as mock
        return mock


if __name__ == "__main__":
    import_mock()
    from couchbase.mock.__main__ import main
    sys.exit(main(sys.argv[1:]))
