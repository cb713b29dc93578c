"""Helpers of the modern (4.x) face that sit behind couchbase.cluster, bucket and collection:
argument rules, result classes, transcoders, client durability."""
