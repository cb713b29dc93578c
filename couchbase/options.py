"""Option objects of the modern API: ClusterOptions and one ``*Options`` class per KV operation.

Every option class is a ``dict`` taking keyword arguments only; ``None`` values are
dropped. An operation reads its first positional options object (a matching class or
any dict) and then its keyword arguments, which win on conflicts. ``timeout`` is a
``timedelta``; ``expiry`` is a ``timedelta`` (relative) or a ``datetime`` (absolute).
"""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, FrozenSet, List, Mapping, Optional, TypeVar, Union

    from typing_extensions import Unpack

    from couchbase._modern import option_keys as _k
    from couchbase.auth import Authenticator

    _O = TypeVar("_O", bound="OptionsTimeout")
import time
from datetime import datetime, timedelta
from enum import Enum, IntEnum

from couchbase._modern import cluster_options as _copts
from couchbase.exceptions import InvalidArgumentException

_THIRTY_DAYS = 30 * 24 * 60 * 60
_MAX_U32 = 0xFFFFFFFF


# ---------------------------------------------------------------------------------------
# value checks shared with couchbase.collection
# ---------------------------------------------------------------------------------------

def timeout_seconds(value: timedelta, what: str = "timeout") -> float:
    """A timedelta as float seconds (must be positive)."""
    if not isinstance(value, timedelta):
        raise InvalidArgumentException("Expected timedelta for %s, got %s." % (what, type(value).__name__))
    s = value.total_seconds()
    if s <= 0:
        raise InvalidArgumentException("%s must be positive." % (what,))
    return s


def expiry_to_wire(value: Optional[Union[timedelta, datetime]]) -> int:
    """The u32 expiry sent to the server for a timedelta (relative) or datetime (absolute).

    timedelta(0) means no expiry. From 30 days on, relative values are sent as an
    absolute Unix time, as the server reads anything above 30 days as absolute."""
    if value is None:
        return 0
    if isinstance(value, timedelta):
        seconds = int(value.total_seconds())
        if seconds < 0:
            raise InvalidArgumentException("Expiry cannot be negative.")
        if seconds >= _THIRTY_DAYS:
            seconds += int(time.time())
    elif isinstance(value, datetime):
        seconds = int(value.timestamp())
        if seconds <= _THIRTY_DAYS:
            raise InvalidArgumentException("An absolute expiry must be a date after 1970-01-31.")
    else:
        raise InvalidArgumentException("Expected timedelta or datetime for expiry, got %s." % type(value).__name__)
    if seconds > _MAX_U32:
        raise InvalidArgumentException("Expiry is too far in the future.")
    return seconds


class ConstrainedInt:
    """An int checked against [min, max] when constructed."""

    MIN = 0
    MAX = 0

    def __init__(self, value: int) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or not self.MIN <= value <= self.MAX:
            raise InvalidArgumentException("Argument is not a valid %s: %r" % (type(self).__name__, value))
        self.value = int(value)

    def __int__(self) -> int:
        return self.value

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self.value == other.value

    def __hash__(self) -> int:
        return hash(self.value)

    def __repr__(self) -> str:
        return "%s(%d)" % (type(self).__name__, self.value)


class SignedInt64(ConstrainedInt):
    MIN = -(2 ** 63)
    MAX = 2 ** 63 - 1


class UnsignedInt32(ConstrainedInt):
    MIN = 0
    MAX = 2 ** 32 - 1


class UnsignedInt64(ConstrainedInt):
    MIN = 0
    MAX = 2 ** 64 - 1


class DeltaValue(ConstrainedInt):
    MIN = 0
    MAX = 2 ** 63 - 1


# ---------------------------------------------------------------------------------------
# per-operation option classes
# ---------------------------------------------------------------------------------------

class OptionsTimeout(dict):  # type: ignore[type-arg]
    """Base of the option classes: keyword arguments only, ``None`` values dropped."""

    _valid: FrozenSet[str] = frozenset(("timeout", "parent_span", "span"))

    def __init__(self, **kwargs: Any) -> None:
        super().__init__({k: v for k, v in kwargs.items() if v is not None})

    def timeout(self: _O, value: timedelta) -> _O:
        self["timeout"] = value
        return self

    def parent_span(self: _O, span: Any) -> _O:
        self["parent_span"] = span
        return self

    def span(self: _O, span: Any) -> _O:
        self["span"] = span
        return self

    @classmethod
    def get_valid_keys(cls) -> List[str]:
        return sorted(cls._valid)


def _keys(*names: str, base: FrozenSet[str] = OptionsTimeout._valid) -> FrozenSet[str]:
    return frozenset(base | set(names))


class DurabilityOptionBlock(OptionsTimeout):
    """Options of the mutations: adds ``durability`` and ``expiry``."""

    _valid = _keys("durability", "expiry")

    @property
    def expiry(self) -> Optional[Union[timedelta, datetime]]:
        return self.get("expiry")


class GetOptions(OptionsTimeout):
    _valid = _keys("with_expiry", "project", "transcoder")
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.GetOptionsKeys]) -> None: ...

    @property
    def with_expiry(self) -> bool:
        return self.get("with_expiry", False)  # type: ignore[no-any-return]

    @property
    def project(self) -> List[str]:
        return self.get("project", [])  # type: ignore[no-any-return]


class GetAndLockOptions(OptionsTimeout):
    _valid = _keys("transcoder")
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.GetAndLockOptionsKeys]) -> None: ...


class GetAndTouchOptions(OptionsTimeout):
    _valid = _keys("transcoder")
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.GetAndTouchOptionsKeys]) -> None: ...


class GetAnyReplicaOptions(OptionsTimeout):
    _valid = _keys("transcoder", "read_preference")
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.GetAnyReplicaOptionsKeys]) -> None: ...


class GetAllReplicasOptions(OptionsTimeout):
    _valid = _keys("transcoder", "read_preference")
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.GetAllReplicasOptionsKeys]) -> None: ...


class ExistsOptions(OptionsTimeout):
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.ExistsOptionsKeys]) -> None: ...


class InsertOptions(DurabilityOptionBlock):
    _valid = _keys("expiry", "durability", "transcoder")
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.InsertOptionsKeys]) -> None: ...


class UpsertOptions(DurabilityOptionBlock):
    _valid = _keys("expiry", "preserve_expiry", "durability", "transcoder")
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.UpsertOptionsKeys]) -> None: ...


class ReplaceOptions(DurabilityOptionBlock):
    _valid = _keys("expiry", "cas", "preserve_expiry", "durability", "transcoder")
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.ReplaceOptionsKeys]) -> None: ...


class RemoveOptions(DurabilityOptionBlock):
    _valid = _keys("cas", "durability")
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.RemoveOptionsKeys]) -> None: ...


class TouchOptions(OptionsTimeout):
    _valid = _keys("expiry")
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.TouchOptionsKeys]) -> None: ...


class UnlockOptions(OptionsTimeout):
    _valid = _keys("cas")
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.UnlockOptionsKeys]) -> None: ...


class IncrementOptions(DurabilityOptionBlock):
    _valid = _keys("expiry", "durability", "delta", "initial")
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.IncrementOptionsKeys]) -> None: ...


class DecrementOptions(DurabilityOptionBlock):
    _valid = _keys("expiry", "durability", "delta", "initial")
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.DecrementOptionsKeys]) -> None: ...


class AppendOptions(DurabilityOptionBlock):
    _valid = _keys("durability", "cas")
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.AppendOptionsKeys]) -> None: ...


class PrependOptions(DurabilityOptionBlock):
    _valid = _keys("durability", "cas")
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.PrependOptionsKeys]) -> None: ...


class LookupInOptions(OptionsTimeout):
    _valid = _keys("access_deleted")
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.LookupInOptionsKeys]) -> None: ...


class MutateInOptions(DurabilityOptionBlock):
    _valid = _keys("expiry", "durability", "cas", "preserve_expiry", "store_semantics", "access_deleted",
                   "create_as_deleted")
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.MutateInOptionsKeys]) -> None: ...


class LookupInAnyReplicaOptions(OptionsTimeout):
    _valid = _keys("read_preference", "serializer")
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.LookupInAnyReplicaOptionsKeys]) -> None: ...


class LookupInAllReplicasOptions(OptionsTimeout):
    _valid = _keys("read_preference", "serializer")
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.LookupInAllReplicasOptionsKeys]) -> None: ...


class PingOptions(OptionsTimeout):
    _valid = _keys("report_id", "service_types")
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.PingOptionsKeys]) -> None: ...


class DiagnosticsOptions(OptionsTimeout):
    _valid = _keys("report_id")
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.DiagnosticsOptionsKeys]) -> None: ...


class WaitUntilReadyOptions(OptionsTimeout):
    _valid = _keys("desired_state", "service_types")
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.WaitUntilReadyOptionsKeys]) -> None: ...


class QueryOptions(OptionsTimeout):
    """Options of ``cluster.query`` / ``scope.query`` (no query service runs here)."""
    _valid = _keys("adhoc", "client_context_id", "consistent_with", "flex_index", "max_parallelism", "metrics",
                   "named_parameters", "pipeline_batch", "pipeline_cap", "positional_parameters",
                   "preserve_expiry", "profile", "query_context", "raw", "read_only", "scan_cap",
                   "scan_consistency", "scan_wait", "send_to_node", "serializer", "use_replica")
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.QueryOptionsKeys]) -> None: ...


class AnalyticsOptions(OptionsTimeout):
    """Options of ``analytics_query`` (no analytics service runs here)."""
    _valid = _keys("client_context_id", "metrics", "named_parameters", "positional_parameters", "priority",
                   "query_context", "raw", "read_only", "scan_consistency", "serializer")
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.AnalyticsOptionsKeys]) -> None: ...


class SearchOptions(OptionsTimeout):
    """Options of ``search_query`` / ``search`` (no search service runs here)."""
    _valid = _keys("client_context_id", "collections", "consistent_with", "disable_scoring", "explain", "facets",
                   "fields", "highlight_fields", "highlight_style", "include_locations", "limit", "log_request",
                   "log_response", "raw", "scan_consistency", "scope_name", "serializer", "show_request", "skip",
                   "sort")
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.SearchOptionsKeys]) -> None: ...


# ---- *_multi options ----

class _MultiOptions(dict):  # type: ignore[type-arg]
    _valid: FrozenSet[str] = frozenset(("timeout", "parent_span", "per_key_options", "return_exceptions"))

    def __init__(self, **kwargs: Any) -> None:
        super().__init__({k: v for k, v in kwargs.items() if v is not None})

    @classmethod
    def get_valid_keys(cls) -> List[str]:
        return sorted(cls._valid)


def _mkeys(*names: str) -> FrozenSet[str]:
    return frozenset(_MultiOptions._valid | set(names))


class GetMultiOptions(_MultiOptions):
    _valid = _mkeys("with_expiry", "project", "transcoder")
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.GetMultiOptionsKeys]) -> None: ...


class ExistsMultiOptions(_MultiOptions):
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.ExistsMultiOptionsKeys]) -> None: ...


class InsertMultiOptions(_MultiOptions):
    _valid = _mkeys("expiry", "durability", "transcoder")
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.InsertMultiOptionsKeys]) -> None: ...


class UpsertMultiOptions(_MultiOptions):
    _valid = _mkeys("expiry", "preserve_expiry", "durability", "transcoder")
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.UpsertMultiOptionsKeys]) -> None: ...


class ReplaceMultiOptions(_MultiOptions):
    _valid = _mkeys("expiry", "cas", "preserve_expiry", "durability", "transcoder")
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.ReplaceMultiOptionsKeys]) -> None: ...


class RemoveMultiOptions(_MultiOptions):
    _valid = _mkeys("cas", "durability", "transcoder")
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.RemoveMultiOptionsKeys]) -> None: ...


class TouchMultiOptions(_MultiOptions):
    _valid = _mkeys("expiry")
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.TouchMultiOptionsKeys]) -> None: ...


class GetAnyReplicaMultiOptions(_MultiOptions):
    _valid = _mkeys("transcoder", "read_preference")
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.GetAnyReplicaMultiOptionsKeys]) -> None: ...


class GetAllReplicasMultiOptions(_MultiOptions):
    _valid = _mkeys("transcoder", "read_preference")
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.GetAllReplicasMultiOptionsKeys]) -> None: ...


class GetAndLockMultiOptions(_MultiOptions):
    _valid = _mkeys("transcoder")
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.GetAndLockMultiOptionsKeys]) -> None: ...


LockMultiOptions = GetAndLockMultiOptions


class UnlockMultiOptions(_MultiOptions):
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.UnlockMultiOptionsKeys]) -> None: ...


class IncrementMultiOptions(_MultiOptions):
    _valid = _mkeys("durability", "delta", "initial", "expiry")
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.IncrementMultiOptionsKeys]) -> None: ...


class DecrementMultiOptions(_MultiOptions):
    _valid = _mkeys("durability", "delta", "initial", "expiry")
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.DecrementMultiOptionsKeys]) -> None: ...


class AppendMultiOptions(_MultiOptions):
    _valid = _mkeys("durability", "cas")
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.AppendMultiOptionsKeys]) -> None: ...


class PrependMultiOptions(_MultiOptions):
    _valid = _mkeys("durability", "cas")
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.PrependMultiOptionsKeys]) -> None: ...


MutationOptions = (InsertOptions, UpsertOptions, ReplaceOptions, RemoveOptions, IncrementOptions,
                   DecrementOptions, AppendOptions, PrependOptions)
MutationMultiOptions = (InsertMultiOptions, UpsertMultiOptions, ReplaceMultiOptions, RemoveMultiOptions,
                        IncrementMultiOptions, DecrementMultiOptions, AppendMultiOptions, PrependMultiOptions)
NoValueMultiOptions = (GetMultiOptions, ExistsMultiOptions, RemoveMultiOptions, TouchMultiOptions,
                       GetAndLockMultiOptions, UnlockMultiOptions)


class LockMode(IntEnum):
    WAIT = 0
    EXC = 1
    NONE = 2


# ---------------------------------------------------------------------------------------
# cluster options
# ---------------------------------------------------------------------------------------

_TIMEOUT_KEYS = ("bootstrap_timeout", "resolve_timeout", "connect_timeout", "kv_timeout", "kv_durable_timeout",
                 "views_timeout", "query_timeout", "analytics_timeout", "search_timeout", "management_timeout",
                 "dns_srv_timeout", "idle_http_connection_timeout", "config_idle_redial_timeout")

#: The defaults the 4.x core reports.
DEFAULT_TIMEOUTS = {
    "kv_timeout": timedelta(milliseconds=2500), "kv_durable_timeout": timedelta(seconds=10),
    "bootstrap_timeout": timedelta(seconds=10), "connect_timeout": timedelta(seconds=2),
    "resolve_timeout": timedelta(seconds=2), "dns_srv_timeout": timedelta(milliseconds=500),
    "views_timeout": timedelta(seconds=75), "query_timeout": timedelta(seconds=75),
    "analytics_timeout": timedelta(seconds=75), "search_timeout": timedelta(seconds=75),
    "management_timeout": timedelta(seconds=75), "idle_http_connection_timeout": timedelta(seconds=1),
    "config_idle_redial_timeout": timedelta(minutes=5),
}

_BOOL_KEYS = ("enable_tls", "enable_mutation_tokens", "enable_compression", "enable_tcp_keep_alive",
              "enable_dns_srv", "enable_unordered_execution", "enable_lazy_connections", "show_queries",
              "enable_clustermap_notification", "enable_metrics", "enable_tracing")


class TLSVerifyMode(Enum):
    """ClusterOptions(tls_verify=...): PEER checks the server's certificate chain and host
    name (the default); NONE accepts any certificate (encryption without authentication)."""
    NONE = "none"
    PEER = "peer"
    NO_VERIFY = "no_verify"  # the 3.x spelling of NONE

    @classmethod
    def from_value(cls, value: Union[TLSVerifyMode, str]) -> TLSVerifyMode:
        """A TLSVerifyMode from itself or its str value."""
        if isinstance(value, cls):
            return value
        for mode in cls:
            if isinstance(value, str) and value.lower() == mode.value:
                return mode
        raise InvalidArgumentException("tls_verify must be a TLSVerifyMode or one of %s, not %r."
                                       % (", ".join(m.value for m in cls), value))


class _SettingsBlock(dict):  # type: ignore[type-arg]
    """A block of cluster settings: known keys only, None values dropped."""

    _valid: FrozenSet[str] = frozenset()

    def __init__(self, **kwargs: Any) -> None:
        for k in kwargs:
            if k not in self._valid:
                raise InvalidArgumentException("Unknown option %r for %s." % (k, type(self).__name__))
        super().__init__({k: v for k, v in kwargs.items() if v is not None})


class ClusterTimeoutOptions(_SettingsBlock):
    """Timeouts, each a ``timedelta``: ``kv_timeout`` (2.5 s), ``kv_durable_timeout`` (10 s),
    ``bootstrap_timeout`` (10 s), ``connect_timeout`` (2 s) and the service timeouts."""

    _valid = _copts.TIMEOUT_KEYS

    def __init__(self, **kwargs: Unpack[_k.ClusterTimeoutOptionsKeys]) -> None:
        kwargs.pop("config_total_timeout", None)
        for k, v in kwargs.items():
            if v is not None and k in _TIMEOUT_KEYS and not isinstance(v, timedelta):
                raise InvalidArgumentException("Expected timedelta for %s, got %s." % (k, type(v).__name__))
        super().__init__(**kwargs)


class ClusterTracingOptions(_SettingsBlock):
    """Accepted for 4.x code; this SDK has no tracing."""
    _valid = _copts.TRACING_KEYS
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.ClusterTracingOptionsKeys]) -> None: ...
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.ClusterTracingOptionsKeys]) -> None: ...


class ClusterMetricsOptions(_SettingsBlock):
    """Accepted for 4.x code; this SDK has no metrics."""
    _valid = _copts.METRICS_KEYS
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.ClusterMetricsOptionsKeys]) -> None: ...
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.ClusterMetricsOptionsKeys]) -> None: ...


class ClusterOrphanReportingOptions(_SettingsBlock):
    """Accepted for 4.x code; this SDK has no orphan reporting."""
    _valid = _copts.ORPHAN_KEYS
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.ClusterOrphanReportingOptionsKeys]) -> None: ...
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.ClusterOrphanReportingOptionsKeys]) -> None: ...


class KnownConfigProfiles(Enum):
    WanDevelopment = "wan_development"


class ClusterOptions(dict):  # type: ignore[type-arg]
    """Cluster settings: the authenticator (positional) and keyword settings.

    ``timeout_options=ClusterTimeoutOptions(...)`` is flattened into this dict; a timeout
    given directly (``kv_timeout=...``) wins over the same key inside it."""

    def __init__(self, authenticator: Optional[Authenticator] = None, **kwargs: Unpack[_k.ClusterOptionsKeys]) -> None:
        flat: Dict[str, Any] = {}
        for sub in ("timeout_options", "tracing_options", "metrics_options", "orphan_reporting_options"):
            block = kwargs.pop(sub, None)  # type: ignore[misc]
            if block:
                flat.update({k: v for k, v in dict(block).items() if v is not None})
        flat.update({k: v for k, v in kwargs.items() if v is not None})
        if authenticator is not None:
            flat["authenticator"] = authenticator
        _copts.check_keys(flat)
        _check_cluster_values(flat)
        super().__init__(flat)

    @classmethod
    def create_options_with_profile(cls, authenticator: Authenticator,
                                    profile: Union[KnownConfigProfiles, str]) -> ClusterOptions:
        opts = cls(authenticator)
        opts.apply_profile(profile)
        return opts

    def apply_profile(self, profile: Union[KnownConfigProfiles, str]) -> None:
        name = profile.value if isinstance(profile, KnownConfigProfiles) else profile
        if name != "wan_development":
            raise InvalidArgumentException("Unknown profile %r." % (profile,))
        for k in ("kv_timeout", "kv_durable_timeout", "connect_timeout", "dns_srv_timeout", "resolve_timeout"):
            self[k] = timedelta(seconds=20)
        for k in ("bootstrap_timeout", "views_timeout", "query_timeout", "analytics_timeout", "search_timeout",
                  "management_timeout"):
            self[k] = timedelta(seconds=120)


def _check_cluster_values(d: Dict[str, Any]) -> None:
    if d.get("tls_verify") is not None:
        d["tls_verify"] = TLSVerifyMode.from_value(d["tls_verify"])
    if d.get("trust_store_path") is not None and not isinstance(d["trust_store_path"], str):
        raise InvalidArgumentException("trust_store_path must be a str path.")
    for k, v in d.items():
        if k in _TIMEOUT_KEYS and not isinstance(v, timedelta):
            raise InvalidArgumentException("Expected timedelta for %s, got %s." % (k, type(v).__name__))
        if k in _BOOL_KEYS and not isinstance(v, bool):
            raise InvalidArgumentException("Expected bool for %s, got %s." % (k, type(v).__name__))
        if k == "max_response_size" and (isinstance(v, bool) or not isinstance(v, int) or v < 0):
            raise InvalidArgumentException("Expected a non-negative int (bytes) for max_response_size.")


def cluster_timeouts(options: Mapping[str, Any]) -> Dict[str, timedelta]:
    """Every timeout key of ClusterTimeoutOptions with the defaults filled in (timedeltas)."""
    out = dict(DEFAULT_TIMEOUTS)
    for k in _TIMEOUT_KEYS:
        if k in options:
            out[k] = options[k]
    return out


class ViewOptions(OptionsTimeout):
    """Options of ``bucket.view_query``: ``scan_consistency`` (ViewScanConsistency),
    ``skip``, ``limit``, ``startkey``, ``endkey``, ``startkey_docid``, ``endkey_docid``,
    ``inclusive_end``, ``group``, ``group_level``, ``key``, ``keys``, ``order``
    (ViewOrdering), ``reduce``, ``on_error`` (ViewErrorMode), ``debug``, ``namespace``
    (DesignDocumentNamespace, DEVELOPMENT when not given), ``raw``, ``query_string``,
    ``full_set``, ``client_context_id``, ``timeout``."""

    _valid = _keys("scan_consistency", "skip", "limit", "startkey", "endkey", "startkey_docid", "endkey_docid",
                   "inclusive_end", "group", "group_level", "key", "keys", "order", "reduce", "on_error", "debug",
                   "namespace", "query_string", "client_context_id", "raw", "full_set", "serializer")
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.ViewOptionsKeys]) -> None: ...
