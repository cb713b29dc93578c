"""Management REST as a real server answers it: bucket settings, the error texts SDKs read,
collections with maxTTL, and users, groups and roles (couchbase/mock/manage.py)."""
import json

import pytest

from couchbase.mock import MockCluster
from test_rest import call


@pytest.fixture(scope="module")
def cluster():
    with MockCluster(nodes=1, replicas=1, vbuckets=16) as c:
        yield c


def test_verbose_bucket_has_the_settings_sdks_read(cluster):
    status, body = call(cluster.rest_port, "GET", "/pools/default/buckets/default")
    doc = json.loads(body)
    assert status == 200
    for key in ("conflictResolutionType", "evictionPolicy", "compressionMode", "durabilityMinLevel", "maxTTL",
                "storageBackend", "replicaIndex", "numVBuckets"):
        assert key in doc, key
    assert doc["conflictResolutionType"] == "seqno"
    pool = json.loads(call(cluster.rest_port, "GET", "/pools/default")[1])
    assert all("os" in n and "version" in n for n in pool["nodes"])


def test_bucket_create_keeps_its_settings_and_update_changes_them(cluster):
    p = cluster.rest_port
    form = {"name": "s1", "ramQuotaMB": "120", "conflictResolutionType": "lww", "durabilityMinLevel": "majority",
            "flushEnabled": "0", "maxTTL": "30"}
    assert call(p, "POST", "/pools/default/buckets", form)[0] == 202
    doc = json.loads(call(p, "GET", "/pools/default/buckets/s1")[1])
    assert (doc["conflictResolutionType"], doc["durabilityMinLevel"], doc["maxTTL"]) == ("lww", "majority", 30)
    assert "flush" not in doc["controllers"]
    assert call(p, "POST", "/pools/default/buckets/s1", {"ramQuotaMB": "200", "flushEnabled": "1"})[0] == 200
    doc = json.loads(call(p, "GET", "/pools/default/buckets/s1")[1])
    assert doc["quota"]["rawRAM"] == 200 * 1024 * 1024 and "flush" in doc["controllers"]
    status, body = call(p, "POST", "/pools/default/buckets/s1", {"conflictResolutionType": "seqno"})
    assert status == 400 and b"Conflict resolution type not allowed in update bucket" in body
    assert call(p, "DELETE", "/pools/default/buckets/s1")[0] == 200


@pytest.mark.parametrize("form,text", [
    ({"name": "default", "ramQuotaMB": "100"}, b"Bucket with given name already exists"),
    ({"name": "q", "ramQuotaMB": "50"}, b"RAM quota cannot be less than 100 MiB"),
    ({"name": "q", "ramQuotaMB": "100", "evictionPolicy": "nruEviction"}, b"Eviction policy must be"),
    ({"name": "q", "ramQuotaMB": "100", "replicaNumber": "4"}, b"Replica number must be between 0 and 3"),
])
def test_bucket_create_refusals_are_worded_as_a_real_server(cluster, form, text):
    status, body = call(cluster.rest_port, "POST", "/pools/default/buckets", form)
    assert status == 400 and text in body


def test_scope_and_collection_texts_and_max_ttl(cluster):
    p = cluster.rest_port
    base = "/pools/default/buckets/default/scopes"
    assert call(p, "POST", base, {"name": "sc"})[0] == 200
    status, body = call(p, "POST", base, {"name": "sc"})
    assert status == 400 and b'Scope with name \\"sc\\" already exists' in body
    assert call(p, "POST", base + "/sc/collections", {"name": "co", "maxTTL": "40"})[0] == 200
    status, body = call(p, "POST", base + "/sc/collections", {"name": "co"})
    assert status == 400 and b'Collection with name \\"co\\" in scope \\"sc\\" already exists' in body
    status, body = call(p, "POST", base + "/nope/collections", {"name": "co"})
    assert status == 404 and b'Scope with name \\"nope\\" is not found' in body
    assert call(p, "PATCH", base + "/sc/collections/co", {"maxTTL": "90"})[0] == 200
    scopes = {s["name"]: s for s in json.loads(call(p, "GET", base)[1])["scopes"]}
    assert scopes["sc"]["collections"][0]["maxTTL"] == 90
    status, body = call(p, "DELETE", base + "/sc/collections/nope")
    assert status == 404 and b'Collection with name \\"nope\\" in scope \\"sc\\" is not found' in body
    assert call(p, "DELETE", base + "/sc")[0] == 200


def test_users_groups_and_roles(cluster):
    p = cluster.rest_port
    assert call(p, "PUT", "/settings/rbac/groups/g", {"roles": "data_reader[default]", "description": "d"})[0] == 200
    form = {"name": "Bob", "password": "secret123", "roles": "admin,data_writer[default]", "groups": "g"}
    assert call(p, "PUT", "/settings/rbac/users/local/bob", form)[0] == 200
    user = json.loads(call(p, "GET", "/settings/rbac/users/local/bob")[1])
    assert (user["id"], user["domain"], user["name"]) == ("bob", "local", "Bob")
    origins = sorted((r["role"], r["origins"][0]["type"]) for r in user["roles"])
    assert origins == [("admin", "user"), ("data_reader", "group"), ("data_writer", "user")]
    status, body = call(p, "PUT", "/settings/rbac/users/local/eve", {"password": "secret123", "roles": "nope"})
    assert status == 400 and b"roles are unknown" in body
    roles = json.loads(call(p, "GET", "/settings/rbac/roles")[1])
    assert {"role": "data_reader", "bucket_name": "*"}.items() <= next(r for r in roles
                                                                      if r["role"] == "data_reader").items()
    assert call(p, "DELETE", "/settings/rbac/users/local/bob")[0] == 200
    assert call(p, "GET", "/settings/rbac/users/local/bob")[0] == 404
    assert call(p, "DELETE", "/settings/rbac/groups/g")[0] == 200
    assert call(p, "DELETE", "/settings/rbac/groups/g")[0] == 404


def test_a_created_user_logs_in_over_kv(cluster):
    from couchbase.mock._client import SmartClient

    p = cluster.rest_port
    assert call(p, "PUT", "/settings/rbac/users/local/kvuser", {"password": "secret123",
                                                               "roles": "bucket_full_access[default]"})[0] == 200
    c = SmartClient("127.0.0.1", cluster.info()["nodes"][0]["kv"], "kvuser", "secret123", "default")
    assert c.cfg["name"] == "default"
