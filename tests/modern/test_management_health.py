"""Management (buckets, collections, users), ping/diagnostics/wait_until_ready, the services
this SDK does not run, and cluster options, against the embedded cluster."""
from datetime import timedelta

import pytest

from couchbase.diagnostics import ClusterState, PingState, ServiceType
from couchbase.exceptions import (
    BucketAlreadyExistsException, BucketDoesNotExistException, CollectionAlreadyExistsException,
    CollectionNotFoundException, InvalidArgumentException, ScopeAlreadyExistsException, ScopeNotFoundException,
    ServiceUnavailableException, UserNotFoundException,
)
from couchbase.management.buckets import BucketSettings, CreateBucketSettings
from couchbase.management.collections import CreateCollectionSettings
from couchbase.management.users import Role, User
from modern_cluster import connect


def test_bucket_lifecycle(cluster):
    bm = cluster.buckets()
    bm.create_bucket(CreateBucketSettings(name="lifecycle", ram_quota_mb=100, num_replicas=0, flush_enabled=True))
    try:
        with pytest.raises(BucketAlreadyExistsException):
            bm.create_bucket(CreateBucketSettings(name="lifecycle", ram_quota_mb=100))
        assert bm.get_bucket("lifecycle").flush_enabled is True
        bm.update_bucket(BucketSettings(name="lifecycle", ram_quota_mb=150, max_expiry=timedelta(seconds=5)))
        got = bm.get_bucket("lifecycle")
        assert (got.ram_quota_mb, got.max_expiry) == (150, timedelta(seconds=5))
        bm.flush_bucket("lifecycle")
        assert "lifecycle" in [b.name for b in bm.get_all_buckets()]
    finally:
        bm.drop_bucket("lifecycle")
    with pytest.raises(BucketDoesNotExistException):
        bm.get_bucket("lifecycle")


def test_scopes_and_collections_by_the_same_rest_calls_as_a_real_server(cluster):
    bucket = cluster.bucket("default")
    cm = bucket.collections()
    cm.create_scope("app")
    with pytest.raises(ScopeAlreadyExistsException):
        cm.create_scope("app")
    cm.create_collection("app", "orders", CreateCollectionSettings(max_expiry=timedelta(seconds=60)))
    with pytest.raises(CollectionAlreadyExistsException):
        cm.create_collection("app", "orders")
    with pytest.raises(ScopeNotFoundException):
        cm.create_collection("nope", "orders")
    spec = {s.name: s for s in cm.get_all_scopes()}["app"].collections[0]
    assert (spec.name, spec.max_expiry) == ("orders", timedelta(seconds=60))
    coll = bucket.scope("app").collection("orders")
    coll.upsert("o1", {"n": 1})
    assert coll.get("o1").content_as[dict] == {"n": 1}
    cm.drop_collection("app", "orders")
    with pytest.raises(CollectionNotFoundException):
        cm.drop_collection("app", "orders")
    cm.drop_scope("app")


def test_users_are_created_and_can_log_in(one_node, cluster):
    um = cluster.users()
    um.upsert_user(User(username="app-user", password="app-secret", roles=[Role(name="data_reader",
                                                                             bucket="default")]))
    got = um.get_user("app-user")
    assert [r.name for r in got.user.roles] == ["data_reader"]
    c = connect_as(one_node, "app-user", "app-secret")
    assert c.bucket("default").default_collection().exists("nothing").exists is False
    c.close()
    um.drop_user("app-user")
    with pytest.raises(UserNotFoundException):
        um.get_user("app-user")


def connect_as(mock, user, password):
    from couchbase.auth import PasswordAuthenticator
    from couchbase.cluster import Cluster
    from couchbase.options import ClusterOptions

    return Cluster.connect(mock.connstr, ClusterOptions(PasswordAuthenticator(user, password)))


def test_ping_reports_each_service_the_cluster_runs(cluster3):
    report = cluster3.ping()
    assert {ServiceType.KeyValue, ServiceType.Management, ServiceType.View} <= set(report.endpoints)
    assert all(e.state == PingState.OK for eps in report.endpoints.values() for e in eps)
    assert len(report.endpoints[ServiceType.Management]) == 3
    assert len(cluster3.bucket("default").ping().endpoints[ServiceType.KeyValue]) == 3


def test_diagnostics_is_online_and_wait_until_ready_returns(cluster):
    cluster.bucket("default").default_collection().exists("x")
    assert cluster.diagnostics().state == ClusterState.Online
    assert cluster.wait_until_ready(timedelta(seconds=5), service_types=[ServiceType.KeyValue]) is None


def test_query_analytics_and_search_raise_service_unavailable(cluster):
    with pytest.raises(ServiceUnavailableException):
        list(cluster.query("SELECT 1").rows())
    with pytest.raises(ServiceUnavailableException):
        cluster.analytics_query("SELECT 1").execute()
    import couchbase.search as search

    with pytest.raises(ServiceUnavailableException):
        list(cluster.search_query("idx", search.TermQuery("x")))


def test_connection_string_options_are_honoured_and_unknown_ones_refused(one_node):
    from couchbase.auth import PasswordAuthenticator
    from couchbase.cluster import Cluster
    from couchbase.options import ClusterOptions

    auth = PasswordAuthenticator("Administrator", "password")
    c = Cluster.connect(one_node.connstr + "?kv_timeout=1500ms&management_timeout=3s", ClusterOptions(auth))
    assert (c._settings.kv_timeout, c._settings.management_timeout) == (1.5, 3.0)
    c.close()
    with pytest.raises(InvalidArgumentException):
        Cluster.connect(one_node.connstr + "?kv_timeot=1s", ClusterOptions(auth))
    with pytest.raises(InvalidArgumentException):
        Cluster.connect(one_node.connstr, ClusterOptions(auth, kv_timeot=timedelta(seconds=1)))
