"""Management APIs of the 4.x face (``couchbase.management.views``: design documents)."""
