"""Build the C core (cffi, csrc/build_cffi.py) and the native result builder (csrc/py/)."""
import os

from setuptools import Extension, setup

DEBUG = os.environ.get("CBC_DEBUG") == "1"
CFLAGS = ["-O0", "-g3"] if DEBUG else ["-O2"]

setup(
    cffi_modules=["csrc/build_cffi.py:ffibuilder"],
    ext_modules=[
        Extension(
            "couchbase._core._fastpath",
            sources=["csrc/py/fastpath.c", "csrc/py/encode.c", "csrc/py/build.c", "csrc/py/execute.c", "csrc/py/aio.c"],
            include_dirs=["csrc"],
            extra_compile_args=CFLAGS + ["-Wall", "-Wextra"],
        )
    ],
)
