"""Result classes of the modern API.

They subclass the engine's ResultBase (the native data layout) with no new slots, so the
native builder creates them directly from a finished batch: one path, two faces. ``_extra`` carries what a class needs beyond the
base fields (the transcoder and expiry of a GetResult, the bucket name of a mutation).
"""
import datetime

from couchbase._core.results import ResultBase
from couchbase._modern.transcoders import JSONTranscoder

__all__ = ["GetResult", "GetReplicaResult", "ExistsResult", "MutationResult", "CounterResult", "MutationToken",
           "MultiGetResult", "MultiExistsResult", "MultiMutationResult", "MultiCounterResult", "MultiResultType"]

# the `value` slot of the base, read and written under the `value` property below
_SLOT_VALUE = ResultBase.__dict__["value"]
_get_slot = _SLOT_VALUE.__get__
_set_slot = _SLOT_VALUE.__set__


class _ReadMeta:
    """A GetResult's ``_extra``: the transcoder that decodes it, its expiry, whether decoded."""

    __slots__ = ("transcoder", "expiry", "decoded")

    def __init__(self, transcoder, expiry=None, decoded=False):
        self.transcoder = transcoder
        self.expiry = expiry
        self.decoded = decoded


_DEFAULT_TRANSCODER = JSONTranscoder()


class _ContentAs:
    __slots__ = ("_result",)

    def __init__(self, result):
        self._result = result

    def __getitem__(self, typ):
        return typ(self._result.value)


class GetResult(ResultBase):
    """A document read: ``value``/``content`` (decoded on first access), ``content_as[T]``,
    ``cas``, ``flags``, ``key`` and ``expiry_time`` (with ``get(..., with_expiry=True)``)."""

    __slots__ = ()

    @property
    def value(self):
        meta = self._extra
        raw = _get_slot(self)
        if meta is None:  # default transcoder, not decoded yet
            value = _DEFAULT_TRANSCODER.decode_value(raw, self.flags)
            self._extra = _DECODED
        elif meta.decoded:
            return raw
        else:
            value = meta.transcoder.decode_value(raw, self.flags)
            meta.decoded = True
        _set_slot(self, value)
        return value

    content = value

    @property
    def content_as(self):
        return _ContentAs(self)

    @property
    def expiry_time(self):
        meta = self._extra
        exp = meta.expiry if meta is not None else None
        if not exp:
            return None
        return datetime.datetime.fromtimestamp(exp)

    expiryTime = expiry_time

    @property
    def success(self):
        return self.rc == 0

    def __repr__(self):
        return "%s(key=%r, cas=%d, flags=0x%x)" % (type(self).__name__, getattr(self, "key", None), self.cas,
                                                  self.flags)


_DECODED = _ReadMeta(None, None, True)


class GetReplicaResult(GetResult):
    __slots__ = ()

    @property
    def is_replica(self):
        return self._vbucket < 0

    @property
    def is_active(self):
        return not self.is_replica


class ExistsResult(ResultBase):
    """``exists``: whether the document exists (a missing document is not an error)."""

    __slots__ = ()

    @property
    def exists(self):
        return self.rc == 0

    @property
    def success(self):
        return self.rc == 0

    def __repr__(self):
        return "ExistsResult(key=%r, exists=%s, cas=%d)" % (getattr(self, "key", None), self.exists, self.cas)


class MutationToken:
    """Where a mutation landed: vBucket, its UUID, the sequence number and the bucket."""

    __slots__ = ("partition_id", "partition_uuid", "sequence_number", "bucket_name")

    def __init__(self, partition_id, partition_uuid, sequence_number, bucket_name):
        self.partition_id = partition_id
        self.partition_uuid = partition_uuid
        self.sequence_number = sequence_number
        self.bucket_name = bucket_name

    def as_tuple(self):
        return (self.partition_id, self.partition_uuid, self.sequence_number, self.bucket_name)

    def as_dict(self):
        return {"partition_id": self.partition_id, "partition_uuid": self.partition_uuid,
                "sequence_number": self.sequence_number, "bucket_name": self.bucket_name}

    def __eq__(self, other):
        return isinstance(other, MutationToken) and self.as_tuple() == other.as_tuple()

    def __hash__(self):
        return hash(self.as_tuple())

    def __repr__(self):
        return "MutationToken:{%s}" % ", ".join("%s=%r" % kv for kv in self.as_dict().items())


class MutationResult(ResultBase):
    """A mutation's outcome: ``cas``, ``key`` and ``mutation_token()``."""

    __slots__ = ()

    def mutation_token(self):
        if not self._vbuuid and not self._seqno:
            return None
        return MutationToken(self._vbucket, self._vbuuid, self._seqno, self._extra)

    @property
    def success(self):
        return self.rc == 0

    def __repr__(self):
        return "%s(key=%r, cas=%d)" % (type(self).__name__, getattr(self, "key", None), self.cas)


class CounterResult(MutationResult):
    """A counter's outcome: ``content`` is the value after the operation."""

    __slots__ = ()

    @property
    def content(self):
        return _get_slot(self)

    def __repr__(self):
        return "CounterResult(key=%r, content=%r, cas=%d)" % (getattr(self, "key", None), self.content, self.cas)


class _MultiResultBase:
    """``results`` (key -> result of the keys that succeeded), ``exceptions`` (key -> exception
    of the keys that failed) and ``all_ok``."""

    __slots__ = ("results", "exceptions")

    def __init__(self, results, exceptions):
        self.results = results
        self.exceptions = exceptions

    @property
    def all_ok(self):
        return not self.exceptions

    def __repr__(self):
        return "%s(results=%d, exceptions=%d)" % (type(self).__name__, len(self.results), len(self.exceptions))


class MultiGetResult(_MultiResultBase):
    __slots__ = ()


class MultiExistsResult(_MultiResultBase):
    __slots__ = ()


class MultiMutationResult(_MultiResultBase):
    __slots__ = ()


class MultiCounterResult(_MultiResultBase):
    __slots__ = ()


MultiResultType = (MultiGetResult, MultiMutationResult)
