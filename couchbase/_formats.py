"""Format codes and item flags: the one source for both faces and the native encoder.

The 1.x ``format`` argument is a small code (``FMT_*``). What is stored with a document
is a 32-bit flags word: RFC 0020 "common flags" in the top byte (the format family) plus
the 1.x legacy bits in the low three, so the 1.x client and the modern SDKs both read
what this SDK writes. couchbase._core._fastpath reads the ``FLAGS_*`` words from
couchbase.transcoder's globals (which import them from here) when it is initialised.
"""

# 1.x format codes (the `format` argument of the classic API)
FMT_JSON = 0
FMT_PICKLE = 1
FMT_BYTES = 2
FMT_UTF8 = 4
FMT_MASK = 7

# RFC 0020 common flags: top byte `ccc0ffff` (compression, reserved, format)
FMT_COMMON_MASK = 0xFF000000
FMT_LEGACY_MASK = 0x00000007
COMMON_PRIVATE = 1 << 24
COMMON_JSON = 2 << 24
COMMON_BINARY = 3 << 24
COMMON_UTF8 = 4 << 24

# The flags written for each format: common value | legacy bits
FLAGS_JSON = COMMON_JSON | FMT_JSON
FLAGS_PICKLE = COMMON_PRIVATE | FMT_PICKLE
FLAGS_BYTES = COMMON_BINARY | FMT_BYTES
FLAGS_UTF8 = COMMON_UTF8 | FMT_UTF8

# top byte (common format) -> 1.x format code
COMMON_TO_FMT = {1: FMT_PICKLE, 2: FMT_JSON, 3: FMT_BYTES, 4: FMT_UTF8}
