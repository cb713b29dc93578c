"""An embedded multi-node Couchbase cluster in pure Python (asyncio).

A cluster runs while its ``with`` block does::

    from couchbase.mock import MockCluster

    with MockCluster(nodes=3, replicas=1) as cluster:
        connect_to(cluster.connstr)
"""

from .cluster import ClusterCore, MockCluster

__all__ = ["MockCluster", "ClusterCore"]
