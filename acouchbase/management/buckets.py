"""BucketManager of the asyncio face (``cluster.buckets()``): the blocking manager's requests
and answers (couchbase.management.buckets), sent on the event loop (acouchbase._rest)."""
from couchbase.management import buckets as _blocking
from couchbase.management.buckets import (  # noqa: F401 (the 4.x import paths)
    BucketSettings, BucketType, CompressionMode, ConflictResolutionType, CreateBucketSettings, EvictionPolicyType,
    StorageBackend,
)

from acouchbase._rest import AsyncManager

__all__ = ["BucketManager"]


class BucketManager(AsyncManager):
    """Create, update, drop, flush and list buckets."""

    _blocking = _blocking.BucketManager
    _methods = ("create_bucket", "update_bucket", "drop_bucket", "get_bucket", "get_all_buckets", "flush_bucket",
                "bucket_describe")
