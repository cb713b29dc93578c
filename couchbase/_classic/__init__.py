"""Helpers of the classic (1.x) face that sit behind couchbase.connection: argument rules,
replica reads and observe, client-side durability, stats."""
