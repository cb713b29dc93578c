"""The embedded cluster's CAPI service: design documents, JavaScript map/reduce, incremental
indexes, collation and errors, over HTTP."""
import base64
import json
import urllib.error
import urllib.request

import pytest

from couchbase.mock import MockCluster
from couchbase.mock.views.collation import sort_key


@pytest.fixture(scope="module")
def cluster():
    with MockCluster(nodes=2, vbuckets=16, buckets={"default": None, "secret": "pw"}) as c:
        yield c


def call(cluster, path, method="GET", body=None, auth=("Administrator", "password"), node=0):
    req = urllib.request.Request("http://127.0.0.1:%d%s" % (cluster.nodes[node]["capi"], path), method=method,
                                 data=json.dumps(body).encode() if body is not None else None)
    if auth:
        req.add_header("Authorization", "Basic " + base64.b64encode(("%s:%s" % auth).encode()).decode())
    try:
        with urllib.request.urlopen(req) as f:
            return f.status, json.loads(f.read() or b"null"), dict(f.headers)
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null"), dict(e.headers)


def put_view(cluster, name, views, bucket="default"):
    status, body, _ = call(cluster, "/%s/_design/%s" % (bucket, name), "PUT", {"views": views})
    assert status == 201, body
    return body


def query(cluster, ddoc, view, bucket="default", node=0, **params):
    qs = "&".join("%s=%s" % (k, urllib.request.quote(v if isinstance(v, str) else json.dumps(v)))
                  for k, v in params.items())
    return call(cluster, "/%s/_design/%s/_view/%s?%s" % (bucket, ddoc, view, qs), node=node)


def test_design_document_crud_with_meta_header(cluster):
    assert put_view(cluster, "crud", {"v": {"map": "function (doc, meta) { emit(meta.id, null); }"}}) == \
        {"ok": True, "id": "_design/crud"}
    status, body, headers = call(cluster, "/default/_design/crud")
    assert status == 200 and body["views"]["v"]["map"].startswith("function")
    assert json.loads(headers["X-Couchbase-Meta"])["id"] == "_design/crud"
    assert call(cluster, "/default/_design/crud", "DELETE")[:2] == (200, {"ok": True, "id": "_design/crud"})
    assert call(cluster, "/default/_design/crud")[:2] == (404, {"error": "not_found", "reason": "missing"})


def test_invalid_design_documents_get_400(cluster):
    for views in ({"v": {"map": "function (doc) { emit(doc.id"}}, {"v": {"reduce": "_count"}},
                  {"v": {"map": "function (d) {}", "reduce": "_median"}}):
        status, body, _ = call(cluster, "/default/_design/bad", "PUT", {"views": views})
        assert status == 400 and body["error"] == "invalid_design_document", body


def test_missing_design_document_and_view_are_404_not_found(cluster):
    put_view(cluster, "has_v", {"v": {"map": "function (d, m) { emit(m.id, null); }"}})
    assert query(cluster, "nosuch", "v")[0:2] == (404, {"error": "not_found",
                                                       "reason": "Design document _design/nosuch not found"})
    status, body, _ = query(cluster, "has_v", "nosuch")
    assert status == 404 and body["error"] == "not_found" and "missing_named_view" in body["reason"]


@pytest.mark.parametrize("params", [{"stale": "maybe"}, {"limit": "-1"}, {"skip": "x"}, {"descending": "yes"},
                                    {"key": "not json"}, {"keys": '{"a":1}'}, {"reduce": "true"},
                                    {"group": "true"}, {"keys": "[1]", "startkey": "1"},
                                    {"startkey": "2", "endkey": "1"}, {"on_error": "explode"}])
def test_bad_parameters_get_400_query_parse_error(cluster, params):
    put_view(cluster, "params", {"v": {"map": "function (d, m) { emit(m.id, null); }"}})
    status, body, _ = call(cluster, "/default/_design/params/_view/v?" + "&".join(
        "%s=%s" % (k, urllib.request.quote(v)) for k, v in params.items()))
    assert status == 400 and body["error"] == "query_parse_error", body


def test_meta_fields_and_base64_documents_reach_the_map_function(cluster):
    b = cluster.bucket("default")
    b.set("meta-json", {"x": 1}, flags=0x02000000)
    b.set("meta-bin", b"\x00\xffraw", flags=0x03000000)
    put_view(cluster, "meta", {"v": {"map": "function (doc, meta) { if (meta.id.indexOf('meta-') == 0) "
                                             "emit(meta.id, [meta.type, meta.flags, meta.expiration, "
                                             "typeof meta.cas, doc]); }"}})
    _s, body, _h = query(cluster, "meta", "v", stale="false")
    vals = {r["key"]: r["value"] for r in body["rows"]}
    assert vals["meta-json"] == ["json", 0x02000000, 0, "number", {"x": 1}]
    assert vals["meta-bin"] == ["base64", 0x03000000, 0, "number", base64.b64encode(b"\x00\xffraw").decode()]


def test_a_map_function_that_throws_skips_only_that_document(cluster):
    b = cluster.bucket("default")
    for i in range(10):
        b.set("thr-%d" % i, {"n": i})
    put_view(cluster, "throws", {"v": {"map": "function (doc, meta) { if (meta.id.indexOf('thr-') != 0) return;"
                                               " if (doc.n % 3 == 0) throw new Error('no'); emit(doc.n, null); }"}})
    _s, body, _h = query(cluster, "throws", "v", stale="false")
    assert [r["key"] for r in body["rows"]] == [1, 2, 4, 5, 7, 8]


def test_index_follows_changes_incrementally(cluster):
    b = cluster.bucket("default")
    for i in range(50):
        b.set("inc-%02d" % i, {"v": i})
    put_view(cluster, "inc", {"v": {"map": "function (doc, meta) { if (meta.id.indexOf('inc-') == 0) "
                                            "emit(doc.v, null); }"}})
    query(cluster, "inc", "v", stale="false")
    idx = cluster.core.views.index(b, "_design/inc")
    mapped = idx.docs_mapped
    b.set("inc-07", {"v": 1000})                 # moves
    b.delete("inc-08")                           # leaves
    _s, body, _h = query(cluster, "inc", "v", stale="false")
    assert idx.docs_mapped - mapped == 1          # only the changed document was mapped again
    keys = [r["key"] for r in body["rows"]]
    assert keys[-1] == 1000 and 8 not in keys and 7 not in keys and len(keys) == 49


def test_stale_ok_answers_from_the_index_as_it_is(cluster):
    b = cluster.bucket("default")
    put_view(cluster, "stale", {"v": {"map": "function (doc, meta) { if (meta.id == 'stale-x') emit(doc.v, null); }"}})
    b.set("stale-x", {"v": 1})
    assert [r["key"] for r in query(cluster, "stale", "v", stale="false")[1]["rows"]] == [1]
    b.set("stale-x", {"v": 2})
    assert [r["key"] for r in query(cluster, "stale", "v", stale="ok")[1]["rows"]] == [1]
    assert [r["key"] for r in query(cluster, "stale", "v", stale="false")[1]["rows"]] == [2]


def test_builtin_reduces_and_grouping(cluster):
    b = cluster.bucket("default")
    for i in range(12):
        b.set("red-%02d" % i, {"g": ["a", "b", "c"][i % 3], "n": i})
    src = "function (doc, meta) { if (meta.id.indexOf('red-') == 0) emit([doc.g, doc.n], doc.n); }"
    put_view(cluster, "red", {"count": {"map": src, "reduce": "_count"}, "sum": {"map": src, "reduce": "_sum"},
                              "stats": {"map": src, "reduce": "_stats"}})
    assert query(cluster, "red", "count", stale="false")[1]["rows"] == [{"key": None, "value": 12}]
    assert query(cluster, "red", "sum", group_level="1")[1]["rows"] == [
        {"key": ["a"], "value": 18}, {"key": ["b"], "value": 22}, {"key": ["c"], "value": 26}]
    st = query(cluster, "red", "stats", startkey=["b"], endkey=["b", {}])[1]["rows"][0]["value"]
    assert st == {"sum": 22, "count": 4, "min": 1, "max": 10, "sumsqr": 1 + 16 + 49 + 100}
    assert len(query(cluster, "red", "count", group="true")[1]["rows"]) == 12


def test_javascript_reduce_is_rereduced_across_chunks(cluster):
    b = cluster.bucket("default")
    for i in range(300):
        b.set("js-%03d" % i, {"n": i})
    # counts rows on the first pass and adds partial counts on rereduce: right only when the
    # server calls rereduce with rereduce=true
    put_view(cluster, "jsred", {"v": {"map": "function (doc, meta) { if (meta.id.indexOf('js-') == 0) "
                                              "emit(doc.n % 2, doc.n); }",
                                      "reduce": "function (keys, values, rereduce) { if (rereduce) "
                                                "return {n: sum(values.map(function (v) { return v.n; })), r: 1};"
                                                " return {n: values.length, r: 0}; }"}})
    rows = query(cluster, "jsred", "v", stale="false", group="true")[1]["rows"]
    assert rows == [{"key": 0, "value": {"n": 150, "r": 1}}, {"key": 1, "value": {"n": 150, "r": 1}}]


def test_spatial_query_is_a_clear_error_and_the_document_is_kept(cluster):
    status, _b, _h = call(cluster, "/default/_design/geo", "PUT",
                          {"spatial": {"points": "function (doc) { if (doc.geo) emit(doc.geo, null); }"}})
    assert status == 201
    assert "spatial" in call(cluster, "/default/_design/geo")[1]
    status, body, _ = call(cluster, "/default/_design/geo/_spatial/points")
    assert status == 501 and body["error"] == "not_implemented"


def test_bucket_credentials_are_checked(cluster):
    assert call(cluster, "/secret/_design/x", auth=None)[0] == 401
    assert call(cluster, "/secret/_design/x", auth=("secret", "wrong"))[0] == 401
    assert call(cluster, "/secret/_design/x", auth=("secret", "pw"))[0] == 404


def test_every_node_answers_the_same_rows(cluster):
    put_view(cluster, "nodes", {"v": {"map": "function (doc, meta) { emit(meta.id, null); }"}})
    a = query(cluster, "nodes", "v", stale="false", node=0)[1]
    b = query(cluster, "nodes", "v", stale="false", node=1)[1]
    assert a == b and a["total_rows"] > 0


def test_management_port_lists_design_documents_with_revisions(cluster):
    put_view(cluster, "listed", {"v": {"map": "function (d, m) { emit(m.id, null); }"}})
    req = urllib.request.Request("http://127.0.0.1:%d/pools/default/buckets/default/ddocs" % cluster.rest_port)
    req.add_header("Authorization", "Basic " + base64.b64encode(b"Administrator:password").decode())
    rows = json.loads(urllib.request.urlopen(req).read())["rows"]
    row = next(r for r in rows if r["doc"]["meta"]["id"] == "_design/listed")
    assert row["doc"]["meta"]["rev"] == json.loads(call(cluster, "/default/_design/listed")[2]["X-Couchbase-Meta"])["rev"]


def test_collation_documented_examples():
    assert sorted(["b", "B", "ba", "aa", "A", "a"], key=sort_key) == ["a", "A", "aa", "b", "B", "ba"]
    values = [None, False, True, 1, 2.5, "a", [1, 2], [1, 2, 0], {}, {"p": 1}]
    assert sorted(reversed(values), key=sort_key) == values


def test_collation_of_strings_matches_icu():
    import beerdata
    strings = sorted({s for d in beerdata.docs().values() for s in d.values() if isinstance(s, str) and len(s) < 80}
                     | {"côte", "cote", "coté", "Côte", "straße", "Ørsted", "naïve", "a b", "a-b", "a_b", "é",
                        "abc\u0fff", "中", "€5"})
    icu = beerdata.IcuOrder(strings)
    assert [icu.rank[s] for s in sorted(strings, key=sort_key)] == sorted(icu.rank[s] for s in strings)
