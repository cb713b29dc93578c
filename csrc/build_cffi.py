"""cffi builder for couchbase._core._cbc (the C core): the cdef is the marked region of cbc_api.h."""
import os

import cffi

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DEBUG = os.environ.get("CBC_DEBUG") == "1"


def _cdef():
    with open(os.path.join(HERE, "cbc_api.h")) as f:
        text = f.read()
    return text.split("/* CDEF-BEGIN */", 1)[1].split("/* CDEF-END */", 1)[0]


def _sources():
    names = sorted(n for n in os.listdir(HERE) if n.endswith(".c"))
    return [os.path.relpath(os.path.join(HERE, n), ROOT) for n in names]


ffibuilder = cffi.FFI()
ffibuilder.cdef(_cdef())
ffibuilder.set_source(
    "couchbase._core._cbc",
    '#include "cbc_api.h"\n',
    sources=_sources(),
    include_dirs=[os.path.relpath(HERE, ROOT)],
    # TLS, SCRAM: OpenSSL (Debian's libssl-dev); the resolver threads: pthreads
    libraries=["ssl", "crypto"],
    extra_compile_args=(["-O0", "-g3"] if DEBUG else ["-O2"]) + ["-std=c99", "-pthread"],
    extra_link_args=["-pthread"],
)

if __name__ == "__main__":
    ffibuilder.compile(verbose=True)
