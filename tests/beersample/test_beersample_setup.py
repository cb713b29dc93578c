"""The design-document setup, the generated dataset, and ``make beersample``'s command."""
import collections
import itertools
import json
import urllib.request

import pytest

import beerdata
from beersample_helpers import ServedApp, wait_closed


_buckets = itertools.count()


@pytest.fixture
def empty_bucket(beer_cluster):
    from couchbase import Couchbase

    name = "setup-%d" % next(_buckets)
    beer_cluster.create_bucket(name)
    yield Couchbase.connect(bucket=name, host="127.0.0.1", port=beer_cluster.rest_port)
    beer_cluster.delete_bucket(name)


def test_setup_creates_and_publishes_the_views(empty_bucket):
    from examples.beersample.design_setup import setup_views

    db = empty_bucket
    db.set("b1", {"type": "brewery", "name": "Brew One"})
    db.set("b1-ale", {"type": "beer", "name": "Ale", "brewery_id": "b1"})
    assert setup_views(db) == ["beer", "brewery"]
    assert set(db.design_get("beer", use_devmode=False).value["views"]) == {"by_name", "brewery_beers"}
    assert set(db.design_get("beer", use_devmode=True).value["views"]) == {"by_name", "brewery_beers"}
    assert [r.docid for r in db.query("beer", "by_name", stale=False)] == ["b1-ale"]
    assert [r.docid for r in db.query("brewery", "by_name", stale=False)] == ["b1"]
    assert [r.key for r in db.query("beer", "brewery_beers", stale=False)] == [["b1"], ["b1", "b1-ale"]]


def test_setup_twice_changes_nothing_the_second_time(empty_bucket):
    from examples.beersample.design_setup import setup_views

    setup_views(empty_bucket)
    assert setup_views(empty_bucket) == []


def test_setup_keeps_the_other_views_of_a_design_document(empty_bucket):
    from examples.beersample.design_setup import setup_views

    by_location = {"map": "function (doc) { if (doc.country) emit([doc.country], 1); }", "reduce": "_count"}
    empty_bucket.design_create("beer", {"views": {"by_location": by_location}}, use_devmode=False, syncwait=10)
    setup_views(empty_bucket)
    views = empty_bucket.design_get("beer", use_devmode=False).value["views"]
    assert views["by_location"] == by_location and "by_name" in views


def test_setup_command_publishes_the_views(empty_bucket, beer_cluster, capsys):
    from examples.beersample.design_setup import main

    main(["--port", str(beer_cluster.rest_port), "--bucket", empty_bucket.bucket])
    assert capsys.readouterr().out.strip() == "published: beer, brewery"


def test_generated_dataset_has_the_shape_of_the_sample():
    from examples.beersample.dataset import documents

    docs = documents()
    kinds = collections.Counter(d["type"] for d in docs.values())
    breweries = {k for k, d in docs.items() if d["type"] == "brewery"}
    assert 200 <= kinds["brewery"] <= 900 and 2000 <= kinds["beer"] <= 9000
    sample = beerdata.docs()
    sample_fields = {t: set().union(*(d.keys() for d in sample.values() if d.get("type") == t))
                     for t in ("beer", "brewery")}
    for docid, doc in docs.items():
        assert set(doc) <= sample_fields[doc["type"]] and doc["name"]
        if doc["type"] == "beer":
            assert doc["brewery_id"] in breweries and docid.startswith(doc["brewery_id"] + "-")
            assert isinstance(doc["abv"], float) and isinstance(doc["upc"], int)
    assert documents() == docs  # the same every time


def test_generated_archive_loads_like_the_sample(tmp_path, beer_cluster):
    from couchbase import Couchbase
    from examples.beersample.dataset import documents, generate
    from examples.beersample.design_setup import setup_views

    path = str(tmp_path / "generated.zip")
    assert generate(path, breweries=20) == len(documents(breweries=20))
    beer_cluster.create_bucket("generated")
    try:
        beer_cluster.load_sample("generated", path)
        db = Couchbase.connect(bucket="generated", host="127.0.0.1", port=beer_cluster.rest_port)
        setup_views(db)
        docs = documents(breweries=20)
        assert {k: r.value for k, r in db.get_multi(list(docs)).items()} == docs
        beers = sorted(k for k, d in docs.items() if d["type"] == "beer")
        assert sorted(r.docid for r in db.query("beer", "by_name", stale=False)) == beers
    finally:
        beer_cluster.delete_bucket("generated")


def test_make_beersample_serves_a_generated_dataset_and_stops_cleanly():
    """What ``make beersample`` runs, on a generated dataset: it prints the URL, serves the
    pages, and on SIGTERM stops with the cluster it started."""
    from examples.beersample.dataset import documents

    served = ServedApp("--generate")
    try:
        assert served.url == "http://127.0.0.1:%d/" % served.port
        with urllib.request.urlopen(served.url) as answer:
            body = answer.read().decode()
        beers = sum(1 for d in documents().values() if d["type"] == "beer")
        assert answer.status == 200 and 'id="beer-count">{:,}<'.format(beers) in body
        with urllib.request.urlopen(served.url + "beers/search?value=Hazy") as answer:
            assert all(i["name"].startswith("Hazy") for i in json.load(answer))
    finally:
        assert served.stop() == 0
    assert "stopped" in "".join(served.lines)
    assert wait_closed(served.cluster_port)
