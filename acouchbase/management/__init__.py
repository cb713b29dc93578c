"""The managers of the asyncio face: ``acouchbase.management.buckets.BucketManager``,
``.collections.CollectionManager``, ``.users.UserManager``, ``.views.ViewIndexManager``; every
method a coroutine."""
