"""Bucket management (``cluster.buckets()``): create, update, drop, flush, get and list
buckets through the REST API (``/pools/default/buckets``), against the embedded cluster or
a real server alike."""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, List, Optional, Sequence, Type, TypeVar

    from enum import Enum

    from couchbase.cluster import Cluster
    from couchbase.exceptions import CouchbaseException
    from couchbase.management.options import (
        BucketDescribeOptions, CreateBucketOptions, DropBucketOptions, FlushBucketOptions, GetAllBucketOptions,
        GetBucketOptions, UpdateBucketOptions,
    )

    _B = TypeVar("_B", bound="BucketSettings")
    _E = TypeVar("_E", bound=Enum)

from datetime import timedelta
from enum import Enum

from couchbase._modern.rest import Rest, path_escape
from couchbase.durability import DurabilityLevel
from couchbase.exceptions import (
    BucketAlreadyExistsException, BucketDoesNotExistException, BucketNotFlushableException, InvalidArgumentException,
)
from couchbase.management.options import (  # noqa: F401  (4.x import paths)
    BucketDescribeOptions, CreateBucketOptions, DropBucketOptions, FlushBucketOptions, GetAllBucketOptions,
    GetBucketOptions, UpdateBucketOptions,
)

__all__ = ["BucketManager", "BucketSettings", "CreateBucketSettings", "BucketType", "CompressionMode",
           "ConflictResolutionType", "EvictionPolicyType", "EjectionMethod", "StorageBackend",
           "BucketDescribeResult", "CreateBucketOptions", "UpdateBucketOptions", "DropBucketOptions",
           "GetAllBucketOptions", "GetBucketOptions", "FlushBucketOptions", "BucketDescribeOptions"]


class BucketType(Enum):
    COUCHBASE = "membase"
    MEMCACHED = "memcached"
    EPHEMERAL = "ephemeral"
    UNKNOWN = "unknown"


class CompressionMode(Enum):
    OFF = "off"
    PASSIVE = "passive"
    ACTIVE = "active"
    UNKNOWN = "unknown"


class ConflictResolutionType(Enum):
    TIMESTAMP = "lww"
    SEQUENCE_NUMBER = "seqno"
    CUSTOM = "custom"
    UNKNOWN = "unknown"


class EvictionPolicyType(Enum):
    NOT_RECENTLY_USED = "nruEviction"
    NO_EVICTION = "noEviction"
    FULL = "fullEviction"
    VALUE_ONLY = "valueOnly"


class EjectionMethod(Enum):
    FULL_EVICTION = "fullEviction"
    VALUE_ONLY = "valueOnly"


class StorageBackend(Enum):
    UNDEFINED = "undefined"
    COUCHSTORE = "couchstore"
    MAGMA = "magma"


#: the REST words of the minimum durability levels
_DURABILITY_WORDS = {0: "none", 1: "majority", 2: "majorityAndPersistActive", 3: "persistToMajority"}
_DURABILITY_LEVELS = {v: k for k, v in _DURABILITY_WORDS.items()}
_TYPE_WORDS = {BucketType.COUCHBASE: "couchbase", BucketType.MEMCACHED: "memcached",
               BucketType.EPHEMERAL: "ephemeral"}


def _prop(name: str, doc: str) -> Any:
    return property(lambda self: self.get(name), doc=doc)


class BucketSettings(dict):  # type: ignore[type-arg]
    """A bucket's settings: ``name`` (required), ``bucket_type``, ``ram_quota_mb``,
    ``num_replicas``, ``flush_enabled``, ``max_expiry``, ``eviction_policy``,
    ``compression_mode``, ``minimum_durability_level``, ``replica_index``,
    ``storage_backend``, ``num_vbuckets``, ``history_retention_*``."""

    def __init__(self, **kwargs: Any) -> None:
        if not kwargs.get("name"):
            raise InvalidArgumentException("Must provide a non-empty bucket name.")
        if kwargs.get("bucket_type") == "couchbase":
            kwargs["bucket_type"] = BucketType.COUCHBASE
        if "max_ttl" in kwargs and kwargs.get("max_expiry") is None:
            kwargs["max_expiry"] = kwargs.pop("max_ttl")
        super().__init__(**{k: v for k, v in kwargs.items() if v is not None})

    name = _prop("name", "The bucket's name.")
    bucket_type = _prop("bucket_type", "A BucketType.")
    compression_mode = _prop("compression_mode", "A CompressionMode.")
    eviction_policy = _prop("eviction_policy", "An EvictionPolicyType.")
    flush_enabled = _prop("flush_enabled", "Whether flush_bucket is allowed.")
    history_retention_collection_default = _prop("history_retention_collection_default", "magma only.")
    history_retention_bytes = _prop("history_retention_bytes", "magma only.")
    history_retention_duration = _prop("history_retention_duration", "magma only.")
    max_expiry = _prop("max_expiry", "The longest expiry a document gets (timedelta).")
    max_ttl = max_expiry
    minimum_durability_level = _prop("minimum_durability_level", "A DurabilityLevel.")
    num_replicas = _prop("num_replicas", "The number of replicas.")
    num_vbuckets = _prop("num_vbuckets", "The number of vBuckets.")
    ram_quota_mb = _prop("ram_quota_mb", "The memory quota per node, in MiB.")
    replica_index = _prop("replica_index", "Whether view indexes are replicated.")
    storage_backend = _prop("storage_backend", "A StorageBackend.")

    @classmethod
    def bucket_settings_from_server(cls: Type[_B], doc: Dict[str, Any]) -> _B:
        """The settings of a verbose bucket JSON (``/pools/default/buckets/NAME``)."""
        out: Dict[str, Any] = {"name": doc.get("name")}
        btype = doc.get("bucketType")
        out["bucket_type"] = BucketType.EPHEMERAL if btype == "ephemeral" else \
            BucketType.MEMCACHED if btype == "memcached" else BucketType.COUCHBASE
        if isinstance(doc.get("compressionMode"), str):
            out["compression_mode"] = _enum(CompressionMode, doc["compressionMode"])
        if "conflictResolutionType" in doc:
            out["conflict_resolution_type"] = _enum(ConflictResolutionType, doc["conflictResolutionType"])
        if "evictionPolicy" in doc:
            out["eviction_policy"] = _enum(EvictionPolicyType, doc["evictionPolicy"])
        out["flush_enabled"] = "flush" in (doc.get("controllers") or {})
        for key, name in (("historyRetentionCollectionDefault", "history_retention_collection_default"),
                          ("historyRetentionBytes", "history_retention_bytes")):
            if key in doc:
                out[name] = doc[key]
        if "historyRetentionSeconds" in doc:
            out["history_retention_duration"] = timedelta(seconds=doc["historyRetentionSeconds"])
        if "maxTTL" in doc:
            out["max_expiry"] = timedelta(seconds=doc["maxTTL"])
        if "durabilityMinLevel" in doc:
            out["minimum_durability_level"] = DurabilityLevel(_DURABILITY_LEVELS.get(doc["durabilityMinLevel"], 0))
        out["num_replicas"] = doc.get("replicaNumber")
        if "numVBuckets" in doc:
            out["num_vbuckets"] = doc["numVBuckets"]
        quota = (doc.get("quota") or {}).get("rawRAM")
        if quota is not None:
            out["ram_quota_mb"] = quota // (1024 * 1024)
        if "replicaIndex" in doc:
            out["replica_index"] = doc["replicaIndex"]
        backend = doc.get("storageBackend")
        out["storage_backend"] = _enum(StorageBackend, backend) if backend in ("couchstore", "magma") else \
            StorageBackend.UNDEFINED
        return cls(**out)

    def __repr__(self) -> str:
        return "%s(%s)" % (type(self).__name__, dict.__repr__(self))

    __str__ = __repr__


class CreateBucketSettings(BucketSettings):
    """BucketSettings for create_bucket: adds ``conflict_resolution_type``."""

    conflict_resolution_type = _prop("conflict_resolution_type", "A ConflictResolutionType.")


class BucketDescribeResult:
    """``bucket_describe``: name, uuid, node and replica counts, capabilities, storage backend."""

    def __init__(self, name: Optional[str] = None, uuid: Optional[str] = None, number_of_nodes: Optional[int] = None,
                 number_of_replicas: Optional[int] = None, bucket_capabilities: Optional[List[str]] = None,
                 storage_backend: Optional[StorageBackend] = None, server_groups: Any = None) -> None:
        self.name = name
        self.uuid = uuid
        self.number_of_nodes = number_of_nodes
        self.number_of_replicas = number_of_replicas
        self.bucket_capabilities = bucket_capabilities
        self.storage_backend = storage_backend
        self.server_groups = server_groups

    def __repr__(self) -> str:
        return "BucketDescribeResult(%r)" % (vars(self),)


def _enum(cls: Type[_E], value: Any) -> Any:
    for member in cls:
        if member.value == value:
            return member
    return getattr(cls, "UNKNOWN", None) or getattr(cls, "UNDEFINED", None)


def _seconds(value: Any, what: str) -> int:
    if isinstance(value, timedelta):
        return int(value.total_seconds())
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return int(value)
    raise InvalidArgumentException("%s must be a timedelta or a number of seconds." % what)


def _form(settings: BucketSettings, creating: bool) -> Dict[str, Any]:
    """The REST form of `settings` (the fields a real server reads)."""
    if not isinstance(settings, BucketSettings):
        if isinstance(settings, dict):
            settings = (CreateBucketSettings if creating else BucketSettings)(**settings)
        else:
            raise InvalidArgumentException("settings must be a BucketSettings.")
    f = {"name": settings.name} if creating else {}
    btype = settings.bucket_type
    if creating and btype is not None:
        if btype not in _TYPE_WORDS:
            raise InvalidArgumentException("Unsupported bucket type %r." % (btype,))
        f["bucketType"] = _TYPE_WORDS[btype]
    f["ramQuotaMB"] = str(settings.ram_quota_mb or 100)
    if settings.num_replicas is not None and btype != BucketType.MEMCACHED:
        f["replicaNumber"] = str(int(settings.num_replicas))
    if settings.max_expiry is not None:
        f["maxTTL"] = str(_seconds(settings.max_expiry, "max_expiry"))
    if settings.replica_index is not None and btype != BucketType.EPHEMERAL:
        f["replicaIndex"] = "1" if settings.replica_index else "0"
    if settings.history_retention_collection_default is not None:
        f["historyRetentionCollectionDefault"] = "true" if settings.history_retention_collection_default else "false"
    if settings.history_retention_bytes is not None:
        f["historyRetentionBytes"] = str(int(settings.history_retention_bytes))
    if settings.history_retention_duration is not None:
        f["historyRetentionSeconds"] = str(_seconds(settings.history_retention_duration, "history_retention_duration"))
    if settings.flush_enabled is not None:
        f["flushEnabled"] = "1" if settings.flush_enabled else "0"
    if settings.num_vbuckets is not None:
        f["numVBuckets"] = str(int(settings.num_vbuckets))
    for attr, key in (("eviction_policy", "evictionPolicy"), ("compression_mode", "compressionMode")):
        v = settings.get(attr)
        if v is not None and getattr(v, "value", "unknown") != "unknown":
            f[key] = v.value
    crt = settings.get("conflict_resolution_type")
    if creating and crt is not None and crt.value != "unknown":
        f["conflictResolutionType"] = crt.value
    level = settings.minimum_durability_level
    if level is not None:
        f["durabilityMinLevel"] = _DURABILITY_WORDS[int(getattr(level, "value", level))]
    backend = settings.storage_backend
    if creating and backend is not None and backend != StorageBackend.UNDEFINED:
        f["storageBackend"] = backend.value
    return f


class BucketManager:
    """``cluster.buckets()``."""

    def __init__(self, cluster: Cluster) -> None:
        self._rest = Rest(cluster)

    @staticmethod
    def _opts(options: Sequence[Any], kwargs: Dict[str, Any]) -> Dict[str, Any]:
        o = dict(options[0]) if options and options[0] else {}
        o.update(kwargs)
        return o

    def _missing(self, status: int, path: str, text: str) -> CouchbaseException:
        return self._rest.error(BucketDoesNotExistException, status, path, text, "The bucket does not exist.")

    def create_bucket(self, settings: CreateBucketSettings, *options: CreateBucketOptions, **kwargs: Any) -> None:
        """Create a bucket (BucketAlreadyExistsException when the name is taken)."""
        path = "/pools/default/buckets"
        status, text = self._rest.call("POST", path, _form(settings, True), self._opts(options, kwargs))
        if status in (200, 202):
            return None
        if status == 400:
            cls = BucketAlreadyExistsException if "Bucket with given name already exists" in text else \
                InvalidArgumentException
            raise self._rest.error(cls, status, path, text)
        if status == 404:
            raise self._missing(status, path, text)
        raise self._rest.common_error(status, path, text)

    def update_bucket(self, settings: BucketSettings, *options: UpdateBucketOptions, **kwargs: Any) -> None:
        """Change a bucket's settings."""
        if not isinstance(settings, BucketSettings):
            settings = BucketSettings(**dict(settings))
        path = "/pools/default/buckets/" + path_escape(settings.name)
        status, text = self._rest.call("POST", path, _form(settings, False), self._opts(options, kwargs))
        if status in (200, 202):
            return None
        if status == 404:
            raise self._missing(status, path, text)
        if status == 400:
            raise self._rest.error(InvalidArgumentException, status, path, text)
        raise self._rest.common_error(status, path, text)

    def drop_bucket(self, bucket_name: str, *options: DropBucketOptions, **kwargs: Any) -> None:
        path = "/pools/default/buckets/" + path_escape(bucket_name)
        status, text = self._rest.call("DELETE", path, None, self._opts(options, kwargs))
        if status == 200:
            return None
        if status == 404:
            raise self._missing(status, path, text)
        raise self._rest.common_error(status, path, text)

    def get_bucket(self, bucket_name: str, *options: GetBucketOptions, **kwargs: Any) -> BucketSettings:
        """BucketSettings (BucketDoesNotExistException when there is no such bucket)."""
        path = "/pools/default/buckets/" + path_escape(bucket_name)
        status, text = self._rest.call("GET", path, None, self._opts(options, kwargs))
        if status == 200:
            return BucketSettings.bucket_settings_from_server(self._rest.json(status, path, text))
        if status == 404:
            raise self._missing(status, path, text)
        raise self._rest.common_error(status, path, text)

    def get_all_buckets(self, *options: GetAllBucketOptions, **kwargs: Any) -> List[BucketSettings]:
        """A list of BucketSettings, one per bucket."""
        path = "/pools/default/buckets"
        status, text = self._rest.call("GET", path, None, self._opts(options, kwargs))
        if status != 200:
            raise self._rest.common_error(status, path, text)
        return [BucketSettings.bucket_settings_from_server(d) for d in self._rest.json(status, path, text)]

    def flush_bucket(self, bucket_name: str, *options: FlushBucketOptions, **kwargs: Any) -> None:
        """Remove every document (BucketNotFlushableException when flush is disabled)."""
        path = "/pools/default/buckets/%s/controller/doFlush" % path_escape(bucket_name)
        status, text = self._rest.call("POST", path, {}, self._opts(options, kwargs))
        if status == 200:
            return None
        if status == 400:
            cls = BucketNotFlushableException if "Flush is disabled" in text else InvalidArgumentException
            raise self._rest.error(cls, status, path, text)
        if status == 404:
            raise self._missing(status, path, text)
        raise self._rest.common_error(status, path, text)

    def bucket_describe(self, bucket_name: str, *options: BucketDescribeOptions, **kwargs: Any) -> BucketDescribeResult:
        """BucketDescribeResult from the bucket's terse config."""
        path = "/pools/default/b/" + path_escape(bucket_name)
        status, text = self._rest.call("GET", path, None, self._opts(options, kwargs))
        if status == 404:
            raise self._missing(status, path, text)
        if status != 200:
            raise self._rest.common_error(status, path, text)
        doc = self._rest.json(status, path, text)
        smap = doc.get("vBucketServerMap") or {}
        backend = doc.get("storageBackend")
        return BucketDescribeResult(name=doc.get("name"), uuid=doc.get("uuid"),
                                    number_of_nodes=len(doc.get("nodesExt") or doc.get("nodes") or []),
                                    number_of_replicas=smap.get("numReplicas"),
                                    bucket_capabilities=list(doc.get("bucketCapabilities") or []),
                                    storage_backend=_enum(StorageBackend, backend) if backend else
                                    StorageBackend.UNDEFINED)
