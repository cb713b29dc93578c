"""Classic view API: the manual's blog example, dev -> production publishing, design
document errors, query argument rules, Admin and the raw HTTP calls."""
import pytest

from couchbase.admin import Admin
from couchbase.connection import Connection
from couchbase.exceptions import (AlreadyQueriedError, ArgumentError, AuthError, BadHandleError, ConnectError,
                                  HTTPError)
from couchbase.mock import MockCluster
from couchbase.result import HttpResult
from couchbase.views.params import Query
from servers import free_port

POSTS = {"post-1": {"title": "First", "date": "2013-01-10"}, "post-2": {"title": "Second", "date": "2013-03-02"},
         "post-3": {"title": "Third", "date": "2013-02-14"}, "note": {"text": "no title"}}
BLOG = {"views": {"recent_posts": {"map": "function (doc) { if (doc.date && doc.title) { "
                                          "emit(doc.date, doc.title); } }"}}}


@pytest.fixture(scope="module")
def cluster():
    with MockCluster(nodes=2, vbuckets=16, buckets={"blog": None}) as c:
        yield c


@pytest.fixture(scope="module")
def cb(cluster):
    conn = Connection(bucket="blog", host="127.0.0.1", port=cluster.rest_port)
    conn.set_multi(POSTS)
    return conn


def test_manual_blog_example_recent_posts(cb):
    cb.design_create("blog", BLOG, use_devmode=False, syncwait=10)
    rows = list(cb.query("blog", "recent_posts", descending=True, stale=False))
    assert [(r.key, r.value, r.docid) for r in rows] == [
        ("2013-03-02", "Second", "post-2"), ("2013-02-14", "Third", "post-3"), ("2013-01-10", "First", "post-1")]


def test_development_design_document_is_published_to_production(cb):
    ddoc = {"views": {"titles": {"map": "function (doc, meta) { if (doc.title) emit(doc.title, null); }"}}}
    created = cb.design_create("pub", ddoc, use_devmode=True, syncwait=10)
    assert isinstance(created, HttpResult) and created.value["id"] == "_design/dev_pub"
    with pytest.raises(HTTPError) as e:
        cb.design_get("pub", use_devmode=False)
    assert e.value.objextra.http_status == 404
    assert list(cb.query("pub", "titles", use_devmode=True, stale=False, limit=1))[0].key == "First"
    cb.design_publish("pub", syncwait=10)
    prod = cb.design_get("pub", use_devmode=False)
    assert prod.value["views"] == ddoc["views"] and '"rev"' in prod.headers["X-Couchbase-Meta"]
    assert [r.key for r in cb.query("pub", "titles", stale=False)] == ["First", "Second", "Third"]
    cb.design_delete("pub", use_devmode=True, syncwait=10)
    with pytest.raises(HTTPError):
        cb.design_get("pub", use_devmode=True)


def test_query_twice_raises_already_queried(cb):
    v = cb.query("blog", "recent_posts", stale=False)
    list(v)
    with pytest.raises(AlreadyQueriedError):
        list(v)


def test_query_object_and_keyword_parameters_cannot_be_mixed(cb):
    with pytest.raises(ArgumentError):
        cb.query("blog", "recent_posts", query=Query(limit=1), limit=2)


def test_raw_query_string_is_sent_as_is(cb):
    rows = list(cb.query("blog", "recent_posts", query="limit=1&skip=1&stale=false"))
    assert [r.docid for r in rows] == ["post-3"]


def test_bad_parameter_values_raise_before_any_request(cb):
    for kw in ({"limit": "ten"}, {"skip": -1}, {"stale": "sometimes"}, {"descending": "maybe"},
               {"keys": "notalist"}, {"no_such_option": 1}, {"startkey_docid": None}):
        with pytest.raises(ArgumentError):
            cb.query("blog", "recent_posts", **kw)


def test_missing_view_raises_http_error_with_server_json(cb):
    with pytest.raises(HTTPError) as e:
        list(cb.query("blog", "nosuch"))
    assert e.value.objextra.http_status == 404 and e.value.objextra.value["error"] == "not_found"


def test_invalid_design_document_raises_http_error_400(cb):
    with pytest.raises(HTTPError) as e:
        cb.design_create("broken", {"views": {"v": {"map": "function ("}}}, use_devmode=False)
    assert e.value.objextra.http_status == 400


def test_private_view_and_http_request_calls(cb):
    res = cb._view("blog", "recent_posts", params={"limit": 1, "stale": False})
    assert res.success and res.value["rows"][0]["id"] == "post-1"
    raw = cb._http_request(type=0, method=0, path="_design/blog", fetch_headers=True)
    assert raw.http_status == 200 and "recent_posts" in raw.value["views"]
    mgmt = cb._http_request(type=1, method=0, path="pools/default/buckets/blog/ddocs")
    assert any(r["doc"]["meta"]["id"] == "_design/blog" for r in mgmt.value["rows"])


# ---- Admin ----

def test_admin_http_request_pools_returns_a_dict_with_status_200(cluster):
    a = Admin("Administrator", "password", host="127.0.0.1", port=cluster.rest_port)
    res = a.http_request("pools/")
    assert res.http_status == 200 and isinstance(res.value, dict) and res.success


def test_admin_bad_path_raises_http_error_with_result(cluster):
    a = Admin("Administrator", "password", host="127.0.0.1", port=cluster.rest_port)
    with pytest.raises(HTTPError) as e:
        a.http_request("no/such/path")
    assert isinstance(e.value.objextra, HttpResult) and e.value.objextra.http_status == 404


def test_admin_bad_method_and_non_str_path_raise_argument_error(cluster):
    a = Admin("Administrator", "password", host="127.0.0.1", port=cluster.rest_port)
    with pytest.raises(ArgumentError) as e:
        a.http_request("pools/", method="PATCH")
    assert e.value.objextra == "PATCH"
    with pytest.raises(ArgumentError):
        a.http_request(42)


def test_admin_bad_credentials_raise_auth_error(cluster):
    with pytest.raises(AuthError):
        Admin("Administrator", "wrong", host="127.0.0.1", port=cluster.rest_port)


def test_admin_dead_host_raises_connect_error():
    with pytest.raises(ConnectError):
        Admin("Administrator", "password", host="127.0.0.1", port=free_port())


def test_admin_refuses_key_value_methods(cluster):
    a = Admin("Administrator", "password", host="127.0.0.1", port=cluster.rest_port)
    for call in (lambda: a.get("k"), lambda: a.set("k", 1), lambda: a.get_multi(["k"])):
        with pytest.raises(BadHandleError):
            call()
