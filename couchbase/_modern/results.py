"""Result classes of the modern API.

They subclass the engine's ResultBase (the native data layout) with no new slots, so the
native builder creates them directly from a finished batch: one path, two faces. ``_extra`` carries what a class needs beyond the
base fields (the transcoder and expiry of a GetResult, the bucket name of a mutation).
"""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, TypeVar

    _T = TypeVar("_T")
import datetime
import json
import struct

from couchbase import subdocument as _sd
from couchbase._core.results import ResultBase
from couchbase._modern.transcoders import JSONTranscoder
from couchbase.diagnostics import (
    ClusterState, EndpointDiagnosticsReport, EndpointPingReport, EndpointState, ServiceType,
)

__all__ = ["GetResult", "GetReplicaResult", "ExistsResult", "MutationResult", "CounterResult", "MutationToken",
           "MultiGetResult", "MultiExistsResult", "MultiMutationResult", "MultiCounterResult", "MultiResultType",
           "LookupInResult", "LookupInReplicaResult", "MutateInResult", "MultiGetReplicaResult", "PingResult",
           "DiagnosticsResult"]

# the `value` slot of the base, read and written under the `value` property below
_SLOT_VALUE = ResultBase.__dict__["value"]
_get_slot = _SLOT_VALUE.__get__
_set_slot = _SLOT_VALUE.__set__


class _ReadMeta:
    """A GetResult's ``_extra``: the transcoder that decodes it, its expiry, whether decoded."""

    __slots__ = ("transcoder", "expiry", "decoded")

    def __init__(self, transcoder: Any, expiry: Optional[int] = None, decoded: bool = False) -> None:
        self.transcoder = transcoder
        self.expiry = expiry
        self.decoded = decoded


_DEFAULT_TRANSCODER = JSONTranscoder()


class _ContentAs:
    """``content_as[T]``: the value converted by ``T`` (``content_as[dict]`` is a ``dict``)."""

    __slots__ = ("_result",)

    def __init__(self, result: GetResult) -> None:
        self._result = result

    def __getitem__(self, typ: Callable[[Any], _T]) -> _T:
        return typ(self._result.value)


class GetResult(ResultBase):
    """A document read: ``value``/``content`` (decoded on first access), ``content_as[T]``,
    ``cas``, ``flags``, ``key`` and ``expiry_time`` (with ``get(..., with_expiry=True)``)."""

    __slots__ = ()

    @property
    def value(self) -> Any:
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
    def content_as(self) -> _ContentAs:
        return _ContentAs(self)

    @property
    def expiry_time(self) -> Optional[datetime.datetime]:
        meta = self._extra
        exp = meta.expiry if meta is not None else None
        if not exp:
            return None
        return datetime.datetime.fromtimestamp(exp)

    expiryTime = expiry_time

    @property
    def success(self) -> bool:
        return self.rc == 0

    def __repr__(self) -> str:
        return "%s(key=%r, cas=%d, flags=0x%x)" % (type(self).__name__, getattr(self, "key", None), self.cas,
                                                  self.flags)


_DECODED = _ReadMeta(None, None, True)


class _ReplicaMeta(_ReadMeta):
    """A GetReplicaResult's ``_extra``: adds whether the copy came from a replica."""

    __slots__ = ("replica",)

    def __init__(self, transcoder: Any, replica: bool) -> None:
        _ReadMeta.__init__(self, transcoder)
        self.replica = replica


class GetReplicaResult(GetResult):
    """A copy read by ``get_any_replica``/``get_all_replicas``: ``is_replica`` says whether
    it came from a replica (True) or the active node (False)."""

    __slots__ = ()

    @property
    def is_replica(self) -> bool:
        meta = self._extra
        return bool(getattr(meta, "replica", False))

    @property
    def is_active(self) -> bool:
        return not self.is_replica


class ExistsResult(ResultBase):
    """``exists``: whether the document exists (a missing document is not an error)."""

    __slots__ = ()

    @property
    def exists(self) -> bool:
        return self.rc == 0

    @property
    def success(self) -> bool:
        return self.rc == 0

    def __repr__(self) -> str:
        return "ExistsResult(key=%r, exists=%s, cas=%d)" % (getattr(self, "key", None), self.exists, self.cas)


class MutationToken:
    """Where a mutation landed: vBucket, its UUID, the sequence number and the bucket."""

    __slots__ = ("partition_id", "partition_uuid", "sequence_number", "bucket_name")

    def __init__(self, partition_id: int, partition_uuid: int, sequence_number: int,
                 bucket_name: Optional[str]) -> None:
        self.partition_id = partition_id
        self.partition_uuid = partition_uuid
        self.sequence_number = sequence_number
        self.bucket_name = bucket_name

    def as_tuple(self) -> Tuple[int, int, int, Optional[str]]:
        return (self.partition_id, self.partition_uuid, self.sequence_number, self.bucket_name)

    def as_dict(self) -> Dict[str, Any]:
        return {"partition_id": self.partition_id, "partition_uuid": self.partition_uuid,
                "sequence_number": self.sequence_number, "bucket_name": self.bucket_name}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MutationToken) and self.as_tuple() == other.as_tuple()

    def __hash__(self) -> int:
        return hash(self.as_tuple())

    def __repr__(self) -> str:
        return "MutationToken:{%s}" % ", ".join("%s=%r" % kv for kv in self.as_dict().items())


class MutationResult(ResultBase):
    """A mutation's outcome: ``cas``, ``key`` and ``mutation_token()``."""

    __slots__ = ()

    def mutation_token(self) -> Optional[MutationToken]:
        if not self._vbuuid and not self._seqno:
            return None
        return MutationToken(self._vbucket, self._vbuuid, self._seqno, self._extra)

    @property
    def success(self) -> bool:
        return self.rc == 0

    def __repr__(self) -> str:
        return "%s(key=%r, cas=%d)" % (type(self).__name__, getattr(self, "key", None), self.cas)


class CounterResult(MutationResult):
    """A counter's outcome: ``content`` is the value after the operation."""

    __slots__ = ()

    @property
    def content(self) -> int:
        return _get_slot(self)  # type: ignore[no-any-return]

    def __repr__(self) -> str:
        return "CounterResult(key=%r, content=%r, cas=%d)" % (getattr(self, "key", None), self.content, self.cas)


class _MultiResultBase:
    """``results`` (key -> result of the keys that succeeded), ``exceptions`` (key -> exception
    of the keys that failed) and ``all_ok``."""

    __slots__ = ("results", "exceptions")

    def __init__(self, results: Dict[Any, Any], exceptions: Dict[Any, Exception]) -> None:
        self.results = results
        self.exceptions = exceptions

    @property
    def all_ok(self) -> bool:
        return not self.exceptions

    def __repr__(self) -> str:
        return "%s(results=%d, exceptions=%d)" % (type(self).__name__, len(self.results), len(self.exceptions))


class MultiGetResult(_MultiResultBase):
    __slots__ = ()
    results: Dict[Any, GetResult]


class MultiExistsResult(_MultiResultBase):
    __slots__ = ()
    results: Dict[Any, ExistsResult]


class MultiMutationResult(_MultiResultBase):
    __slots__ = ()
    results: Dict[Any, MutationResult]


class MultiCounterResult(_MultiResultBase):
    __slots__ = ()
    results: Dict[Any, CounterResult]


MultiResultType = (MultiGetResult, MultiMutationResult)


# ---------------------------------------------------------------------------------------
# sub-document results: built by the native builder (kind "subdoc": body, CAS, and the
# server status in `flags`), parsed on first access
# ---------------------------------------------------------------------------------------

_LOOKUP_FIELD = struct.Struct(">HI")
_MUTATION_FIELD = struct.Struct(">BHI")
_EXISTS = _sd.SubDocOp.EXISTS
_PATH_NOT_FOUND = _sd.SubDocStatus.PathNotFound
_DELETED_STATUSES = (0xCD, 0xD3)


def raw_body(result: ResultBase) -> Any:
    """The undecoded value slot of a result (a sub-document answer's body)."""
    return _get_slot(result)


class _SubdocMeta:
    """A sub-document result's ``_extra``: the specs as given, the wire order (position ->
    spec index, or None when the same), and the per-spec (status, value bytes), in spec order,
    once parsed. `replica` is set for replica reads."""

    __slots__ = ("specs", "order", "fields", "replica", "bucket")

    def __init__(self, specs: Sequence[Any], order: Optional[Sequence[int]], replica: bool = False,
                 bucket: Optional[str] = None) -> None:
        self.specs = specs
        self.order = order
        self.fields: Optional[List[Tuple[int, Any]]] = None
        self.replica = replica
        self.bucket = bucket


def _lookup_fields(body: bytes, n: int, order: Optional[Sequence[int]]) -> List[Tuple[int, Any]]:
    fields: List[Any] = [None] * n
    pos = 0
    for i in range(n):
        status, size = _LOOKUP_FIELD.unpack_from(body, pos)
        pos += 6
        fields[order[i] if order else i] = (status, body[pos:pos + size])
        pos += size
    return fields


def _mutation_fields(body: bytes, n: int, order: Optional[Sequence[int]]) -> List[Tuple[int, Any]]:
    fields: List[Tuple[int, Any]] = [(0, None)] * n
    pos = 0
    while pos + 7 <= len(body):
        index, status, size = _MUTATION_FIELD.unpack_from(body, pos)
        pos += 7
        if index < n:
            fields[order[index] if order else index] = (status, body[pos:pos + size])
        pos += size
    return fields


class _SubdocContent:
    """``content_as[T]``: a function of a spec's index giving its value converted by ``T``."""

    __slots__ = ("_result",)

    def __init__(self, result: _SubdocResult) -> None:
        self._result = result

    def __getitem__(self, typ: Callable[[Any], _T]) -> Callable[[int], _T]:
        result = self._result
        return lambda index: typ(result._content(index))


class _SubdocResult(ResultBase):
    __slots__ = ()
    _parse: Any
    _content: Callable[[int], Any]

    def _fields(self) -> List[Tuple[int, Any]]:
        meta = self._extra
        if meta.fields is None:
            meta.fields = self._parse(_get_slot(self), len(meta.specs), meta.order)
        return meta.fields  # type: ignore[no-any-return]

    def _field(self, index: int) -> Tuple[int, Any]:
        fields = self._fields()
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(fields):
            raise _sd.InvalidIndexException("Provided index is invalid. Index=%s." % (index,))
        return fields[index]

    @property
    def content_as(self) -> _SubdocContent:
        """``content_as[T](index)``: the value of spec `index` as T."""
        return _SubdocContent(self)

    @property
    def success(self) -> bool:
        return True


class LookupInResult(_SubdocResult):
    """``lookup_in``: ``content_as[T](i)`` (a failed spec raises its exception then),
    ``exists(i)``, ``cas``, ``key``."""

    __slots__ = ()
    _parse = staticmethod(_lookup_fields)

    def _content(self, index: int) -> Any:
        status, raw = self._field(index)
        spec = self._extra.specs[index]
        if spec[0] == _EXISTS:
            return self.exists(index)
        if status == 0:
            return json.loads(raw) if raw else None
        _sd.parse_subdocument_status(status, spec[1], getattr(self, "key", None))

    def exists(self, index: int) -> bool:
        """Whether spec `index` found its path (other failures of that spec raise)."""
        status, _raw = self._field(index)
        if status == 0:
            return True
        if status == _PATH_NOT_FOUND:
            return False
        _sd.parse_subdocument_status(status, self._extra.specs[index][1], getattr(self, "key", None))

    @property
    def value(self) -> List[Dict[str, Any]]:
        """Every spec's outcome as a dict (path, original_index, exists, opcode, status, value)."""
        out = []
        for i, (status, raw) in enumerate(self._fields()):
            spec = self._extra.specs[i]
            found = status == 0
            value = found if spec[0] == _EXISTS else (json.loads(raw) if found and raw else None)
            out.append({"path": spec[1], "original_index": i, "exists": found, "opcode": int(spec[0]),
                        "status": status, "value": value})
        return out

    content = value

    @property
    def is_deleted(self) -> bool:
        """Whether the document is a tombstone (read with ``access_deleted=True``)."""
        return self.flags in _DELETED_STATUSES

    def __repr__(self) -> str:
        return "LookupInResult(key=%r, cas=%d)" % (getattr(self, "key", None), self.cas)


class LookupInReplicaResult(LookupInResult):
    """A ``lookup_in_any_replica``/``lookup_in_all_replicas`` answer: adds ``is_replica``."""

    __slots__ = ()

    @property
    def is_replica(self) -> bool:
        return bool(self._extra.replica)

    @property
    def is_active(self) -> bool:
        return not self._extra.replica

    def __repr__(self) -> str:
        return "LookupInReplicaResult(key=%r, cas=%d, is_replica=%s)" % (getattr(self, "key", None), self.cas,
                                                                        self.is_replica)


class MutateInResult(_SubdocResult):
    """``mutate_in``: ``cas``, ``key``, ``mutation_token()`` and ``content_as[T](i)`` (the
    value a counter spec returns; None for the other specs)."""

    __slots__ = ()
    _parse = staticmethod(_mutation_fields)

    def _content(self, index: int) -> Any:
        _status, raw = self._field(index)
        return json.loads(raw) if raw else None

    def mutation_token(self) -> Optional[MutationToken]:
        if not self._vbuuid and not self._seqno:
            return None
        return MutationToken(self._vbucket, self._vbuuid, self._seqno, self._extra.bucket)

    @property
    def value(self) -> List[Dict[str, Any]]:
        out = []
        for i, (status, raw) in enumerate(self._fields()):
            spec = self._extra.specs[i]
            d = {"path": spec[1], "original_index": i, "opcode": int(spec[0]), "status": status}
            if raw:
                d["value"] = json.loads(raw)
            out.append(d)
        return out

    content = value

    def __repr__(self) -> str:
        return "MutateInResult(key=%r, cas=%d)" % (getattr(self, "key", None), self.cas)


class MultiGetReplicaResult(_MultiResultBase):
    __slots__ = ()
    results: Dict[Any, Any]


# ---------------------------------------------------------------------------------------
# ping and diagnostics reports
# ---------------------------------------------------------------------------------------

class _HealthReport:
    """``id``, ``version``, ``sdk``, ``endpoints`` ({ServiceType: [report]}) and ``as_json()``."""

    _report_cls: Any = None

    def __init__(self, raw: Dict[str, Any]) -> None:
        self._raw = raw
        self._endpoints = {ServiceType(svc): [self._report_cls(ServiceType(svc), e) for e in eps]
                           for svc, eps in (raw.get("services") or {}).items()}

    @property
    def id(self) -> Optional[str]:
        return self._raw.get("id")

    @property
    def version(self) -> Optional[int]:
        return self._raw.get("version")

    @property
    def sdk(self) -> Optional[str]:
        return self._raw.get("sdk")

    @property
    def endpoints(self) -> Dict[ServiceType, List[Any]]:
        return self._endpoints

    def as_json(self) -> str:
        return json.dumps({"version": self.version, "id": self.id, "sdk": self.sdk,
                           "services": {k.value: [e.as_dict() for e in v] for k, v in self._endpoints.items()}})

    def __repr__(self) -> str:
        return "%s:%s" % (type(self).__name__, self._raw)


class PingResult(_HealthReport):
    """``cluster.ping()``/``bucket.ping()``: every pinged endpoint's state and latency."""

    _report_cls = EndpointPingReport


class DiagnosticsResult(_HealthReport):
    """``cluster.diagnostics()``: the open connections and the cluster ``state``."""

    _report_cls = EndpointDiagnosticsReport

    @property
    def state(self) -> ClusterState:
        eps = [e for v in self._endpoints.values() for e in v]
        up = sum(1 for e in eps if e.state == EndpointState.Connected)
        if up == len(eps):
            return ClusterState.Online
        return ClusterState.Degraded if up else ClusterState.Offline
