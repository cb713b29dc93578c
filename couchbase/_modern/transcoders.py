"""The modern API's transcoders (re-exported by couchbase.transcoder).

Flags follow RFC 0020 common flags with the legacy bits of the 2.x+ Python SDKs (JSON
0x02000000, pickle 0x01000001, bytes 0x03000002, UTF-8 0x04000004), so documents
written here and by the official 4.x SDK read the same in both.
"""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, Optional, Tuple
import json
import pickle
from abc import ABC, abstractmethod

from couchbase import _formats as _f
from couchbase.exceptions import ValueFormatException

__all__ = ["Transcoder", "JSONTranscoder", "RawJSONTranscoder", "RawStringTranscoder", "RawBinaryTranscoder",
           "LegacyTranscoder", "Serializer", "DefaultJsonSerializer", "get_decode_format",
           "FMT_JSON", "FMT_PICKLE", "FMT_BYTES", "FMT_UTF8", "FMT_COMMON_MASK", "FMT_LEGACY_MASK"]

# 4.x names its flag words FMT_*; they are the words couchbase._formats defines
FMT_JSON = _f.FLAGS_JSON
FMT_PICKLE = _f.FLAGS_PICKLE
FMT_BYTES = _f.FLAGS_BYTES
FMT_UTF8 = _f.FLAGS_UTF8
FMT_COMMON_MASK = _f.FMT_COMMON_MASK
FMT_LEGACY_MASK = _f.FMT_LEGACY_MASK

# format names get_decode_format returns
_BY_COMMON: Dict[int, int] = {1: FMT_PICKLE, 2: FMT_JSON, 3: FMT_BYTES, 4: FMT_UTF8}
_BY_LEGACY: Dict[int, int] = {0: FMT_JSON, 1: FMT_PICKLE, 2: FMT_BYTES, 4: FMT_UTF8}


def get_decode_format(flags: Optional[int]) -> Optional[int]:
    """FMT_* constant for item ``flags``, or None when unknown.

    A non-zero top byte decides (RFC 0020); otherwise the low three bits do, so flags 0
    read as JSON."""
    flags = flags or 0
    top = (flags & FMT_COMMON_MASK) >> 24
    if top:
        return _BY_COMMON.get(top)
    return _BY_LEGACY.get(flags & FMT_LEGACY_MASK)


class Serializer(ABC):
    @abstractmethod
    def serialize(self, value: Any) -> bytes:
        """Python value -> bytes."""

    @abstractmethod
    def deserialize(self, value: bytes) -> Any:
        """bytes -> Python value."""

    @classmethod
    def __subclasshook__(cls, other: type) -> Any:
        if cls is Serializer:
            return all(callable(getattr(other, m, None)) for m in ("serialize", "deserialize"))
        return NotImplemented


class DefaultJsonSerializer(Serializer):
    """``json.dumps(ensure_ascii=False)`` as UTF-8, and ``json.loads``."""

    def serialize(self, value: Any) -> bytes:
        return json.dumps(value, ensure_ascii=False).encode("utf-8")

    def deserialize(self, value: bytes) -> Any:
        return json.loads(value)


class Transcoder(ABC):
    """``encode_value(value) -> (bytes, flags)`` and ``decode_value(bytes, flags) -> value``.
    Any object with both methods counts as a Transcoder."""

    @abstractmethod
    def encode_value(self, value: Any) -> Tuple[bytes, int]:
        """(bytes, flags)"""

    @abstractmethod
    def decode_value(self, value: bytes, flags: int) -> Any:
        """the Python value"""

    @classmethod
    def __subclasshook__(cls, other: type) -> Any:
        if cls is Transcoder:
            return all(callable(getattr(other, m, None)) for m in ("encode_value", "decode_value"))
        return NotImplemented


def _name(flags: Optional[int]) -> str:
    return "0x%08x" % (flags or 0)


_JSON_TYPES = (dict, list, tuple, str, int, float, bool, type(None))


class JSONTranscoder(Transcoder):
    """The default: JSON values only; bytes are refused. Undecodable JSON reads as bytes."""

    def __init__(self, serializer: Optional[Serializer] = None) -> None:
        self._serializer = serializer if serializer is not None else DefaultJsonSerializer()
        self._default = type(self._serializer) is DefaultJsonSerializer

    def encode_value(self, value: Any) -> Tuple[bytes, int]:
        if isinstance(value, (bytes, bytearray)):
            raise ValueFormatException("The JSONTranscoder (default transcoder) does not support binary data.")
        if not isinstance(value, _JSON_TYPES):
            raise ValueFormatException("Unsupported value type for the JSONTranscoder: %s." % type(value).__name__)
        try:
            return self._serializer.serialize(value), FMT_JSON
        except Exception as e:
            raise ValueFormatException("Unable to serialize value to JSON.", inner_cause=e) from e

    def decode_value(self, value: bytes, flags: int) -> Any:
        fmt = get_decode_format(flags)
        if fmt == FMT_JSON or fmt is None:
            try:
                return self._serializer.deserialize(value)
            except Exception:
                return value
        if fmt == FMT_BYTES:
            raise ValueFormatException("Binary data (flags %s) cannot be decoded by the JSONTranscoder; "
                                       "use the RawBinaryTranscoder." % _name(flags))
        if fmt == FMT_UTF8:
            raise ValueFormatException("String data (flags %s) cannot be decoded by the JSONTranscoder; "
                                       "use the RawStringTranscoder." % _name(flags))
        raise ValueFormatException("Pickled data (flags %s) cannot be decoded by the JSONTranscoder; "
                                   "use the LegacyTranscoder." % _name(flags))


class RawJSONTranscoder(Transcoder):
    """Already-encoded JSON (str or bytes) stored unchanged; reads give the raw bytes."""

    def encode_value(self, value: Any) -> Tuple[bytes, int]:
        if isinstance(value, str):
            return value.encode("utf-8"), FMT_JSON
        if isinstance(value, (bytes, bytearray)):
            return bytes(value), FMT_JSON
        raise ValueFormatException("Only str and bytes are supported by the RawJSONTranscoder.")

    def decode_value(self, value: bytes, flags: int) -> Any:
        if get_decode_format(flags) == FMT_JSON:
            return bytes(value)
        raise ValueFormatException("Only JSON flags can be decoded by the RawJSONTranscoder (flags %s)."
                                   % _name(flags))


class RawStringTranscoder(Transcoder):
    """str stored as UTF-8 text."""

    def encode_value(self, value: Any) -> Tuple[bytes, int]:
        if isinstance(value, str):
            return value.encode("utf-8"), FMT_UTF8
        raise ValueFormatException("Only str is supported by the RawStringTranscoder.")

    def decode_value(self, value: bytes, flags: int) -> Any:
        if get_decode_format(flags) == FMT_UTF8:
            return bytes(value).decode("utf-8")
        raise ValueFormatException("Only string flags can be decoded by the RawStringTranscoder (flags %s)."
                                   % _name(flags))


class RawBinaryTranscoder(Transcoder):
    """bytes stored unchanged."""

    def encode_value(self, value: Any) -> Tuple[bytes, int]:
        if isinstance(value, (bytes, bytearray)):
            return bytes(value), FMT_BYTES
        raise ValueFormatException("Only bytes and bytearray are supported by the RawBinaryTranscoder.")

    def decode_value(self, value: bytes, flags: int) -> Any:
        if get_decode_format(flags) == FMT_BYTES:
            return bytes(value)
        raise ValueFormatException("Only binary flags can be decoded by the RawBinaryTranscoder (flags %s)."
                                   % _name(flags))


class LegacyTranscoder(Transcoder):
    """The 2.x rules: str as UTF-8, bytes as binary, JSON types as JSON, anything else pickled."""

    def encode_value(self, value: Any) -> Tuple[bytes, int]:
        if isinstance(value, str):
            return value.encode("utf-8"), FMT_UTF8
        if isinstance(value, (bytes, bytearray)):
            return bytes(value), FMT_BYTES
        if isinstance(value, (dict, list, tuple, bool, int, float)) or value is None:
            try:
                return json.dumps(value, ensure_ascii=False).encode("utf-8"), FMT_JSON
            except Exception as e:
                raise ValueFormatException("Unable to serialize value to JSON.", inner_cause=e) from e
        try:
            return pickle.dumps(value), FMT_PICKLE
        except Exception as e:
            raise ValueFormatException("Unable to pickle value.", inner_cause=e) from e

    def decode_value(self, value: bytes, flags: int) -> Any:
        fmt = get_decode_format(flags)
        if fmt == FMT_JSON or fmt is None:
            try:
                return json.loads(value)
            except Exception:
                return value
        if fmt == FMT_BYTES:
            return bytes(value)
        if fmt == FMT_UTF8:
            return bytes(value).decode("utf-8")
        if fmt == FMT_PICKLE:
            return pickle.loads(value)
        return value
