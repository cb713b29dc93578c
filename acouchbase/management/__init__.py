"""The managers of the asyncio face: ``acouchbase.management.buckets.BucketManager``,
``.collections.CollectionManager``, ``.users.UserManager``; every method a coroutine."""
