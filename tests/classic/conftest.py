"""Fixtures of the classic-API tests beyond the shared ones (tests/conftest.py)."""
import pytest


@pytest.fixture
def cb(mock_cluster):
    """A classic Connection to the embedded cluster's `default` bucket (3 nodes, 1 replica)."""
    from couchbase import Couchbase

    conn = Couchbase.connect(bucket="default", host="127.0.0.1", port=mock_cluster.rest_port)
    yield conn
    conn._close()
