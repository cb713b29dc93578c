"""BucketManager of the asyncio face (``cluster.buckets()``): the blocking manager's requests
and answers (couchbase.management.buckets), sent on the event loop (acouchbase._rest)."""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, List

    from couchbase.management.buckets import BucketDescribeResult
    from couchbase.management.options import (
        BucketDescribeOptions, CreateBucketOptions, DropBucketOptions, FlushBucketOptions, GetAllBucketOptions,
        GetBucketOptions, UpdateBucketOptions,
    )

from couchbase.management import buckets as _blocking
from couchbase.management.buckets import (  # noqa: F401 (the 4.x import paths)
    BucketSettings, BucketType, CompressionMode, ConflictResolutionType, CreateBucketSettings, EvictionPolicyType,
    StorageBackend,
)

from acouchbase._rest import AsyncManager

__all__ = ["BucketManager", "BucketSettings", "BucketType", "CompressionMode", "ConflictResolutionType",
           "CreateBucketSettings", "EvictionPolicyType", "StorageBackend"]


class BucketManager(AsyncManager):
    """Create, update, drop, flush and list buckets."""

    _blocking = _blocking.BucketManager
    _methods = ("create_bucket", "update_bucket", "drop_bucket", "get_bucket", "get_all_buckets", "flush_bucket",
                "bucket_describe")

    if TYPE_CHECKING:  # the coroutines AsyncManager makes of the blocking manager's methods
        async def create_bucket(self, settings: CreateBucketSettings, *options: CreateBucketOptions,
                                **kwargs: Any) -> None: ...

        async def update_bucket(self, settings: BucketSettings, *options: UpdateBucketOptions,
                                **kwargs: Any) -> None: ...

        async def drop_bucket(self, bucket_name: str, *options: DropBucketOptions, **kwargs: Any) -> None: ...

        async def get_bucket(self, bucket_name: str, *options: GetBucketOptions, **kwargs: Any) -> BucketSettings: ...

        async def get_all_buckets(self, *options: GetAllBucketOptions, **kwargs: Any) -> List[BucketSettings]: ...

        async def flush_bucket(self, bucket_name: str, *options: FlushBucketOptions, **kwargs: Any) -> None: ...

        async def bucket_describe(self, bucket_name: str, *options: BucketDescribeOptions,
                                  **kwargs: Any) -> BucketDescribeResult: ...
