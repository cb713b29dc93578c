"""REST and CAPI services over real sockets."""

import base64
import http.client
import json
import urllib.parse

import pytest

from couchbase.mock import MockCluster


@pytest.fixture(scope="module")
def cluster():
    with MockCluster(nodes=2, replicas=1, vbuckets=16,
                     buckets={"default": None, "secret": "pw"}) as c:
        yield c


def call(port, method, path, body=None, auth=("Administrator", "password"), form=True):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Connection": ""}
    if auth:
        headers["Authorization"] = "Basic " + base64.b64encode(
            ("%s:%s" % auth).encode()).decode()
    if body is not None:
        if form:
            body = urllib.parse.urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        else:
            body = json.dumps(body)
    conn.request(method, path, body=body, headers=headers)
    r = conn.getresponse()
    data = r.read()
    conn.close()
    return r.status, data


def test_auth(cluster):
    p = cluster.rest_port
    assert call(p, "GET", "/pools", auth=("Administrator", "wrong"))[0] == 401
    assert call(p, "GET", "/pools", auth=None)[0] == 401
    assert call(p, "GET", "/pools")[0] == 200
    assert call(p, "GET", "/pools/default/b/secret", auth=("secret", "pw"))[0] == 200
    assert call(p, "GET", "/pools/default/b/secret", auth=("secret", "no"))[0] == 401
    assert call(p, "GET", "/pools/default/b/nope")[0] == 404
    assert call(p, "GET", "/pools/default/buckets/nope")[0] == 404


def test_pools_and_buckets(cluster):
    p = cluster.rest_port
    pools = json.loads(call(p, "GET", "/pools")[1])
    assert pools["pools"][0]["name"] == "default"
    pd = json.loads(call(p, "GET", "/pools/default")[1])
    assert len(pd["nodes"]) == 2 and pd["buckets"]["terseBucketsBase"] == "/pools/default/b/"
    lst = json.loads(call(p, "GET", "/pools/default/buckets")[1])
    assert {b["name"] for b in lst} >= {"default", "secret"}
    verbose = json.loads(call(p, "GET", "/pools/default/buckets/default")[1])
    assert verbose["nodes"][0]["hostname"].startswith("127.0.0.1:")
    assert verbose["replicaNumber"] == 1
    terse = json.loads(call(p, "GET", "/pools/default/b/default")[1])
    assert terse["nodesExt"][0]["hostname"] == "$HOST"


def test_bucket_create_flush_delete(cluster):
    p = cluster.rest_port
    st, _ = call(p, "POST", "/pools/default/buckets",
                 {"name": "made", "ramQuotaMB": "100", "flushEnabled": "1",
                  "replicaNumber": "0"})
    assert st == 202
    assert call(p, "POST", "/pools/default/buckets", {"name": "made"})[0] == 400
    cluster.bucket("made").set("k", b"v")
    assert call(p, "POST", "/pools/default/buckets/made/controller/doFlush")[0] == 200
    assert cluster.bucket("made").get("k") is None
    assert call(p, "DELETE", "/pools/default/buckets/made")[0] == 200
    assert call(p, "DELETE", "/pools/default/buckets/made")[0] == 404


def test_flush_disabled(cluster):
    p = cluster.rest_port
    call(p, "POST", "/pools/default/buckets", {"name": "noflush"})
    st, body = call(p, "POST", "/pools/default/buckets/noflush/controller/doFlush")
    assert st == 400 and b"Flush is disabled" in body


def test_scopes_and_collections(cluster):
    p = cluster.rest_port
    base = "/pools/default/buckets/default/scopes"
    assert call(p, "POST", base, {"name": "inv"})[0] == 200
    assert call(p, "POST", base, {"name": "inv"})[0] == 400
    st, body = call(p, "POST", base + "/inv/collections", {"name": "air", "maxTTL": "0"})
    assert st == 200 and "uid" in json.loads(body)
    man = json.loads(call(p, "GET", base)[1])
    inv = [s for s in man["scopes"] if s["name"] == "inv"][0]
    assert inv["collections"][0]["name"] == "air"
    assert call(p, "DELETE", base + "/inv/collections/air")[0] == 200
    assert call(p, "DELETE", base + "/inv/collections/air")[0] == 404
    assert call(p, "DELETE", base + "/inv")[0] == 200


def test_capi_answers_404_json(cluster):
    st, body = call(cluster.nodes[0]["capi"], "GET", "/default/_design/x/_view/y")
    assert st == 404 and json.loads(body)["error"] == "not_found"


def test_hooks_over_rest(cluster):
    p = cluster.rest_port
    st, body = call(p, "POST", "/mock/hooks", {"kind": "status", "value": 134, "count": 2},
                    form=False)
    assert st == 200 and json.loads(body)[0]["remaining"] == 2
    assert call(p, "DELETE", "/mock/hooks")[0] == 200
    assert cluster.hooks.rules == []


def test_streaming_pushes_new_config_on_change(cluster):
    import socket
    p = cluster.rest_port
    s = socket.create_connection(("127.0.0.1", p), timeout=10)
    auth = base64.b64encode(b"Administrator:password").decode()
    s.sendall(("GET /pools/default/bs/default HTTP/1.1\r\nHost: x\r\n"
               "Authorization: Basic %s\r\n\r\n" % auth).encode())
    buf = b""
    while buf.count(b"\n\n\n\n") < 1:
        buf += s.recv(65536)
    assert b"Transfer-Encoding: chunked" in buf
    cluster.create_collection("default", "streamscope")
    while buf.count(b"\n\n\n\n") < 2:
        buf += s.recv(65536)
    s.close()
    body = buf.split(b"\r\n\r\n", 1)[1]
    configs = []
    for part in body.split(b"\n\n\n\n")[:2]:
        configs.append(json.loads(part[part.index(b"{"):]))
    assert configs[1]["rev"] > configs[0]["rev"]
