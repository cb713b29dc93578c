"""Type stub of the compiled core ``couchbase._core._cbc`` (cffi, built by csrc/build_cffi.py).

cffi objects have no static types: ``ffi`` and ``lib`` are typed ``Any``; the C
declarations they expose are those of the CDEF region of ``csrc/cbc_api.h``.
"""
from typing import Any

ffi: Any
lib: Any
