"""Format flags and the Transcoder: how values become (bytes, flags) and back.

Two styles of flags are written. The classic face writes what the 1.x client wrote: the
format code itself (JSON 0, pickle 1, bytes 2, UTF-8 4; a ``format`` argument is stored
as ``format & FMT_MASK``). The modern face, and a classic connection opened with
``common_flags=True``, write RFC 0020 common flags in the top byte plus the 1.x bits in
the low three (JSON 0x02000000, pickle 0x01000001, bytes 0x03000002, UTF-8 0x04000004).
Both faces read both: a non-zero top byte decides the format; otherwise the legacy bits
are tested in the order UTF-8 (4), bytes (2), pickle (1), and anything else is JSON.

couchbase._core._fastpath implements the same rules in C for the built-in formats and
reads the converters below (``_json_encode`` ...) from this module's globals at
call time, so set_json_converters/set_pickle_converters apply to it too.
"""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Optional, Tuple, Union

import json
import pickle

from couchbase._formats import (  # noqa: F401  (FLAGS_* are read from here by the native encoder)
    COMMON_BINARY, COMMON_JSON, COMMON_PRIVATE, COMMON_TO_FMT as _COMMON_TO_FMT, COMMON_UTF8, FLAGS_BYTES,
    FLAGS_JSON, FLAGS_PICKLE, FLAGS_UTF8, FMT_BYTES, FMT_COMMON_MASK, FMT_JSON, FMT_LEGACY_MASK, FMT_MASK,
    FMT_PICKLE, FMT_UTF8,
)
from couchbase.exceptions import ArgumentError, ValueFormatError

__all__ = [
    "FMT_JSON", "FMT_PICKLE", "FMT_BYTES", "FMT_UTF8", "FMT_MASK", "FMT_AUTO",
    "FMT_COMMON_MASK", "FMT_LEGACY_MASK", "Transcoder", "set_json_converters",
    "set_pickle_converters",
]

class _Auto:
    """The FMT_AUTO sentinel: pick the format from the value's type."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "FMT_AUTO"

    def __reduce__(self) -> str:
        return "FMT_AUTO"


FMT_AUTO = _Auto()

WRITE_FLAGS = {FMT_JSON: FLAGS_JSON, FMT_PICKLE: FLAGS_PICKLE, FMT_BYTES: FLAGS_BYTES, FMT_UTF8: FLAGS_UTF8}
#: the 1.x client's flags for each format: the code itself
LEGACY_FLAGS = {FMT_JSON: FMT_JSON, FMT_PICKLE: FMT_PICKLE, FMT_BYTES: FMT_BYTES, FMT_UTF8: FMT_UTF8}

# Process-wide converters (see set_json_converters). Each takes one argument.
# An encoder may return str (sent as UTF-8) or bytes; the JSON decoder gets str,
# the pickle decoder bytes.
_json_encode: Callable[[Any], Any] = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_json_decode: Callable[[Any], Any] = json.loads
_pickle_encode: Callable[[Any], Any] = pickle.dumps
_pickle_decode: Callable[[Any], Any] = pickle.loads


def legacy_format(fmt: int) -> int:
    """The format an int `format` argument (or legacy flags) selects: bits 4, 2, 1, else JSON."""
    if fmt & FMT_UTF8:
        return FMT_UTF8
    if fmt & FMT_BYTES:
        return FMT_BYTES
    if fmt & FMT_PICKLE:
        return FMT_PICKLE
    return FMT_JSON


def format_for_flags(flags: int) -> int:
    """The format to decode stored `flags` with (common flags first, then legacy bits)."""
    if flags & FMT_COMMON_MASK:
        fmt = _COMMON_TO_FMT.get((flags >> 24) & 0x0F)
        if fmt is not None:
            return fmt
    return legacy_format(flags)


def auto_format(value: Any) -> int:
    """FMT_AUTO's choice: str UTF-8, bytes/bytearray BYTES, containers/bool/None JSON, else pickle."""
    if isinstance(value, str):
        return FMT_UTF8
    if isinstance(value, (bytes, bytearray)):
        return FMT_BYTES
    if isinstance(value, (dict, list, tuple, bool)) or value is None:
        return FMT_JSON
    return FMT_PICKLE


# Errors are raised after their `except` block, never inside it: an exception raised while
# another is handled keeps that one as __context__, with frames that reach the caller.

def _converted(fn: Callable[[Any], Any], value: Any, what: str) -> bytes:
    try:
        out = fn(value)
    except Exception as e:
        err: Optional[Exception] = e
    else:
        err = None
    if err is not None:
        raise ValueFormatError.pyexc("Couldn't encode value as %s" % what, obj=value, inner=err)
    if isinstance(out, bytes):
        return out
    if isinstance(out, str):
        data, err = _utf8(out)
        if err is None:
            return data
        raise ValueFormatError.pyexc("Couldn't encode the %s text as UTF-8" % what, obj=value, inner=err)
    raise ValueFormatError.pyexc(
        "The %s encoder returned %.80s, not str or bytes" % (what, type(out).__name__), obj=value)


def _utf8(text: str) -> Tuple[bytes, Optional[Exception]]:
    """(bytes, None), or (None, the UnicodeError)."""
    try:
        return text.encode("utf-8"), None
    except UnicodeError as e:
        return None, e  # type: ignore[return-value]  # (None, error) or (bytes, None)


def encode_format(fmt: int, value: Any, legacy: bool = False) -> Tuple[bytes, int]:
    """(bytes, flags) for `value` in built-in format `fmt` (one of the four FMT_* codes):
    common flags, or the 1.x client's with `legacy`.

    Raises ValueFormatError when the value does not suit the format or cannot be encoded.
    """
    data, flags = _encode_format(fmt, value)
    return data, (fmt if legacy else flags)


def _encode_format(fmt: int, value: Any) -> Tuple[bytes, int]:
    if fmt == FMT_UTF8:
        if not isinstance(value, str):
            raise ValueFormatError.pyexc("Expected str for FMT_UTF8, got %.80s" % type(value).__name__, obj=value)
        data, err = _utf8(value)
        if err is None:
            return data, FLAGS_UTF8
        raise ValueFormatError.pyexc("Couldn't encode value as UTF-8", obj=value, inner=err)
    if fmt == FMT_BYTES:
        if not isinstance(value, (bytes, bytearray)):
            raise ValueFormatError.pyexc(
                "Expected bytes or bytearray for FMT_BYTES, got %.80s" % type(value).__name__, obj=value)
        return bytes(value), FLAGS_BYTES
    if fmt == FMT_JSON:
        return _converted(_json_encode, value, "JSON"), FLAGS_JSON
    return _converted(_pickle_encode, value, "pickle"), FLAGS_PICKLE


def decode_format(fmt: int, raw: bytes) -> Any:
    """Decode `raw` bytes in built-in format `fmt`; decoder errors propagate unchanged."""
    if fmt == FMT_BYTES:
        return bytes(raw)
    if fmt == FMT_UTF8:
        return raw.decode("utf-8")
    if fmt == FMT_JSON:
        return _json_decode(raw.decode("utf-8"))
    return _pickle_decode(bytes(raw))


def auto_encode(value: Any) -> Tuple[bytes, int]:
    """(bytes, flags) for `value` under FMT_AUTO. The batch builder recognises this function and
    applies the same rule natively."""
    return encode_format(auto_format(value), value)


def _format_arg(fmt: Optional[Union[int, _Auto]]) -> Optional[int]:
    if fmt is FMT_AUTO:
        return None
    if not isinstance(fmt, int):
        raise ValueFormatError.pyexc("format must be an int or FMT_AUTO, not %.80s" % type(fmt).__name__, obj=fmt)
    return legacy_format(fmt)


class Transcoder:
    """The built-in conversions, as methods a subclass can override one at a time.

    A transcoder passed to a Connection is any object with these four methods. Flags
    returned by ``encode_value`` are stored unmasked, so a subclass may keep its own
    bits above FMT_MASK and test them in ``decode_value``.
    """

    def encode_key(self, key: Any) -> bytes:
        """The wire bytes of ``key``: a str encoded as UTF-8."""
        if not isinstance(key, str):
            raise ValueFormatError.pyexc("Key must be a str, not %.80s" % type(key).__name__, obj=key)
        data, err = _utf8(key)
        if err is None:
            return data
        raise ValueFormatError.pyexc("Couldn't encode key as UTF-8", obj=key, inner=err)

    def decode_key(self, key: bytes) -> Any:
        """The key object for wire bytes: decoded strictly as UTF-8."""
        try:
            return bytes(key).decode("utf-8")
        except UnicodeError as e:
            err = e
        raise ValueFormatError.pyexc("Couldn't decode key as UTF-8", obj=key, inner=err)

    def encode_value(self, value: Any, format: Any) -> Tuple[bytes, int]:
        """(bytes, flags) for ``value``; ``format`` is a FMT_* int or FMT_AUTO.

        The flags are the 1.x client's: ``format & FMT_MASK`` (the chosen format's code
        under FMT_AUTO). A connection that calls this unchanged method writes the flags
        of its own style instead (see ``Connection(common_flags=...)``)."""
        fmt = _format_arg(format)
        if fmt is None:
            return encode_format(auto_format(value), value, True)
        return encode_format(fmt, value, True)[0], format & FMT_MASK

    def decode_value(self, value: bytes, flags: int) -> Any:
        """The object stored as ``value`` bytes with ``flags``."""
        try:
            return decode_format(format_for_flags(flags), value)
        except Exception as e:
            err = e
        raise ValueFormatError.pyexc("Failed to decode bytes", obj=value, inner=err)


def _check_pair(encode: Any, decode: Any) -> None:
    if not callable(encode) or not callable(decode):
        raise ArgumentError.pyexc("Converters must be callable", obj=(encode, decode))


def set_json_converters(encode: Callable[[Any], Union[str, bytes]],
                        decode: Callable[[str], Any]) -> Tuple[Callable[[Any], Any], Callable[[Any], Any]]:
    """Replace the process-wide JSON helpers; returns the old ``(encode, decode)``.

    ``encode(obj)`` returns str or bytes; ``decode(text)`` receives str.
    """
    global _json_encode, _json_decode
    _check_pair(encode, decode)
    old = (_json_encode, _json_decode)
    _json_encode, _json_decode = encode, decode
    return old


def set_pickle_converters(encode: Callable[[Any], Union[str, bytes]],
                          decode: Callable[[bytes], Any]) -> Tuple[Callable[[Any], Any], Callable[[Any], Any]]:
    """Replace the process-wide pickle helpers; returns the old ``(encode, decode)``.

    ``encode(obj)`` returns bytes (or str); ``decode(data)`` receives bytes.
    """
    global _pickle_encode, _pickle_decode
    _check_pair(encode, decode)
    old = (_pickle_encode, _pickle_decode)
    _pickle_encode, _pickle_decode = encode, decode
    return old


# The modern API's transcoders live beside the classic ones, under the names 4.x code imports.
# `Transcoder` stays the classic base above: a 4.x-style subclass that overrides
# encode_value(value) / decode_value(value, flags) works with the modern API all the same.
from couchbase._modern.transcoders import (  # noqa: E402
    DefaultJsonSerializer, JSONTranscoder, LegacyTranscoder, RawBinaryTranscoder, RawJSONTranscoder,
    RawStringTranscoder, Serializer, get_decode_format,
)
