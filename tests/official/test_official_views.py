"""The official SDK 4.6.3's view_query and view index manager against the embedded cluster,
checked against the beer-sample documents read in the test."""

import json
import os
import urllib.request
import zipfile

import pytest

from couchbase.mock import MockCluster
from official import run_script

HERE = os.path.dirname(os.path.abspath(__file__))
ZIP = os.path.join(HERE, "..", "..", "..", "shared", "data", "beer-sample.zip")


@pytest.fixture(scope="module")
def outcomes():
    with MockCluster(nodes=2, vbuckets=64) as cluster:
        cluster.load_sample("beer-sample", ZIP)
        for view in ("brewery_beers", "by_location"):      # build the indexes first
            url = "http://127.0.0.1:%d/beer-sample/_design/beer/_view/%s?stale=false&limit=1" % (
                cluster.nodes[0]["capi"], view)
            with urllib.request.urlopen(url) as f:
                assert f.status == 200
        return run_script(os.path.join(HERE, "official_views_script.py"), {"info": cluster.info()})


@pytest.fixture(scope="module")
def docs():
    out = {}
    with zipfile.ZipFile(ZIP) as z:
        for n in z.namelist():
            if "/docs/" in n and n.endswith(".json"):
                out[n.rsplit("/", 1)[1][:-5]] = json.loads(z.read(n))
    return out


def test_view_query_range_returns_the_brewery_and_its_beers_in_docid_order(outcomes, docs):
    got = outcomes["brewery_beers_range"]
    brewery = "abbey_wright_brewing_valley_inn"
    beers = sorted(k for k, d in docs.items() if d.get("type") == "beer" and d.get("brewery_id") == brewery)
    expected = [[[brewery], brewery, None]] + [[[brewery, b], b, None] for b in beers]
    assert got["rows"] == expected[:5], got
    assert got["total_rows"] == sum(1 for d in docs.values()
                                    if d.get("type") == "brewery" or (d.get("type") == "beer" and d.get("brewery_id")))


def test_view_query_group_level_one_counts_per_country(outcomes, docs):
    counts = {}
    for d in docs.values():
        if d.get("country"):
            counts[d["country"]] = counts.get(d["country"], 0) + 1
    first = sorted(counts)[:4]       # country names here are plain ASCII words
    assert outcomes["by_location_group1"]["rows"] == [[[c], None, counts[c]] for c in first]


def test_view_query_keys_are_sent_and_matched(outcomes, docs):
    ids = sorted(k for k, d in docs.items()
                 if d.get("country") == "Aruba" and d.get("city") == "Oranjestad" and d.get("state", "") == "")
    assert [r[1] for r in outcomes["by_location_keys"]["rows"]] == ids


def test_view_query_descending_with_skip_and_limit(outcomes):
    rows = outcomes["by_location_desc_keys"]["rows"]
    assert len(rows) == 3 and rows[0][0] >= rows[1][0] >= rows[2][0]


def test_view_index_manager_upsert_get_publish_drop(outcomes):
    m = outcomes["manager"]
    assert m["dev_views"] == ["ids", "n"] and "official" in m["dev_names"]
    assert m["prod_views"] == ["ids", "n"] and {"beer", "official"} <= set(m["prod_names"])
    assert "brewery" in m["prod_map"]
    assert m["dropped"] == "DesignDocumentNotFoundException"


def test_view_query_counts_per_type_after_publish(outcomes, docs):
    counts = {}
    for d in docs.values():
        counts[d["type"]] = counts.get(d["type"], 0) + 1
    assert outcomes["manager"]["counts"] == [[t, None, counts[t]] for t in sorted(counts)]


def test_view_query_of_a_missing_design_document_raises(outcomes):
    assert outcomes["missing_ddoc"].startswith("raised:DesignDocumentNotFoundException"), outcomes
