"""Views on the real beer-sample data through the classic API, each answer checked against
rows computed in the test from the documents (tests/support/beerdata.py)."""
import itertools

import pytest

import beerdata
from couchbase.connection import Connection
from couchbase.mock import MockCluster
from couchbase.views.iterator import RowProcessor
from couchbase.views.params import Query


@pytest.fixture(scope="module")
def cluster():
    with MockCluster(nodes=2, vbuckets=64) as c:
        c.load_sample("beer-sample", beerdata.ZIP)
        yield c


@pytest.fixture(scope="module")
def cb(cluster):
    conn = Connection(bucket="beer-sample", host="127.0.0.1", port=cluster.rest_port)
    list(conn.query("beer", "brewery_beers", stale=False, limit=1))
    list(conn.query("beer", "by_location", stale=False, limit=1))
    return conn


@pytest.fixture(scope="module")
def brewery_beers():
    rows = beerdata.brewery_beers_rows()
    return beerdata.ordered(rows, beerdata.IcuOrder(beerdata.strings_of(rows)))


@pytest.fixture(scope="module")
def by_location():
    rows = beerdata.by_location_rows()
    icu = beerdata.IcuOrder(beerdata.strings_of(rows))
    return beerdata.ordered(rows, icu), icu


def pairs(view):
    return [(r.key, r.docid) for r in view]


def test_brewery_beers_whole_view_in_collation_order(cb, brewery_beers):
    v = cb.query("beer", "brewery_beers")
    assert pairs(v) == brewery_beers
    assert v.indexed_rows == len(brewery_beers)


def test_brewery_beers_key_range_of_one_brewery(cb, brewery_beers):
    b = "bell_s_brewery_inc"
    got = pairs(cb.query("beer", "brewery_beers", mapkey_range=[[b], [b, {}]]))
    assert got == [r for r in brewery_beers if r[0][0] == b] and len(got) > 5


def test_brewery_beers_single_key(cb):
    assert pairs(cb.query("beer", "brewery_beers", key=["bell_s_brewery_inc"])) == [
        (["bell_s_brewery_inc"], "bell_s_brewery_inc")]


def test_brewery_beers_multi_key_keeps_the_order_of_the_keys(cb, brewery_beers):
    keys = [r[0] for r in brewery_beers[500:503]][::-1] + [["no such brewery"]]
    assert [k for k, _ in pairs(cb.query("beer", "brewery_beers", keys=keys))] == keys[:3]


def test_brewery_beers_descending_with_skip_and_limit(cb, brewery_beers):
    got = pairs(cb.query("beer", "brewery_beers", descending=True, skip=10, limit=25))
    assert got == brewery_beers[::-1][10:35]


def test_brewery_beers_docid_range_within_one_key(cb, brewery_beers):
    b = "bell_s_brewery_inc"
    rows = [r for r in brewery_beers if r[0][0] == b]
    got = pairs(cb.query("beer", "brewery_beers", startkey=rows[2][0], startkey_docid=rows[2][1],
                         endkey=rows[5][0], endkey_docid=rows[5][1]))
    assert got == rows[2:6]


def test_brewery_beers_exclusive_end(cb, brewery_beers):
    got = pairs(cb.query("beer", "brewery_beers", startkey=brewery_beers[0][0], endkey=brewery_beers[4][0],
                         inclusive_end=False))
    assert got == brewery_beers[:4]


def test_brewery_beers_include_docs_fetches_each_page_with_one_multi_get(cb, brewery_beers):
    calls = []
    real = cb.get_multi

    def counting(keys, **kw):
        calls.append(len(keys))
        return real(keys, **kw)
    cb.get_multi = counting
    try:
        rows = list(cb.query("beer", "brewery_beers", include_docs=True, limit=1500))
    finally:
        del cb.get_multi
    assert calls == [1000, 500]
    docs = beerdata.docs()
    assert all(r.doc.value == docs[r.docid] for r in rows)


def test_streamed_and_buffered_answers_are_equal(cb, brewery_beers):
    assert pairs(cb.query("beer", "brewery_beers", streaming=True)) == brewery_beers


@pytest.mark.parametrize("level", [1, 2, 3])
def test_by_location_count_per_group_level(cb, by_location, level):
    rows, icu = by_location
    expected = [(k, sum(1 for _ in g)) for k, g in itertools.groupby(
        rows, key=lambda r: r[0][:level])]
    got = [(r.key, r.value) for r in cb.query("beer", "by_location", group_level=level)]
    assert got == expected


def test_by_location_count_without_grouping_is_every_row(cb, by_location):
    assert [(r.key, r.value) for r in cb.query("beer", "by_location")] == [(None, len(by_location[0]))]


def test_by_location_reduce_false_range_of_one_country(cb, by_location):
    rows, _ = by_location
    got = pairs(cb.query("beer", "by_location", reduce=False, startkey=["Belgium"], endkey=["Belgium", {}]))
    assert got == [r for r in rows if r[0][0] == "Belgium"]


def test_include_docs_with_reduce_is_refused(cb):
    from couchbase.exceptions import ArgumentError
    with pytest.raises(ArgumentError):
        cb.query("beer", "by_location", include_docs=True, reduce=True)


# ---- the tutorial's by_name view, row processor and prefix search ----

class Beer:
    def __init__(self, id, name, doc=None):
        self.id = id
        self.name = name
        self.brewery_id = None


class BeerListRowProcessor:
    """The manual's processor: rows -> Beer objects, brewery ids from one get_multi."""

    def handle_rows(self, rows, connection, include_docs):
        ret = []
        by_docids = {}
        for r in rows:
            b = Beer(r["id"], r["key"])
            ret.append(b)
            by_docids[b.id] = b
        docs = connection.get_multi([x.id for x in ret], quiet=True)
        for beer_id, doc in docs.items():
            beer = by_docids[beer_id]
            if not doc.success:
                ret.remove(beer)
                continue
            beer.brewery_id = doc.value["brewery_id"]
        return ret


@pytest.fixture(scope="module")
def by_name(cb):
    cb.design_create("beer_names", {"views": {"by_name": {
        "map": "function (doc, meta) { if (doc.type && doc.type == 'beer') { emit(doc.name, null); } }"}}},
        use_devmode=False, syncwait=10)
    return "beer_names"


def test_row_processor_of_the_manual_lists_beers_with_breweries(cb, by_name):
    rows = list(cb.query(by_name, "by_name", limit=20, stale=False, row_processor=BeerListRowProcessor()))
    docs = beerdata.docs()
    assert len(rows) == 20
    assert all(isinstance(b, Beer) and b.brewery_id == docs[b.id]["brewery_id"] for b in rows)


def test_mapkey_range_prefix_search_of_the_tutorial(cb, by_name):
    value = "Ab"
    q = Query()
    q.mapkey_range = [value, value + Query.STRING_RANGE_END]
    q.limit = 50
    got = [b.name for b in cb.query(by_name, "by_name", row_processor=BeerListRowProcessor(), query=q,
                                    stale=False) if True] if False else \
        [b.name for b in cb.query(by_name, "by_name", row_processor=BeerListRowProcessor(), query=q)]
    expected = sorted({d["name"] for d in beerdata.docs().values()
                       if d.get("type") == "beer" and d["name"].lower().startswith("ab")})
    assert sorted(set(got)) == expected and got
    assert all(n.lower().startswith("ab") for n in got)


def test_default_row_processor_gives_view_rows(cb, by_name):
    row = next(iter(cb.query(by_name, "by_name", limit=1, row_processor=RowProcessor())))
    assert row.docid and row.value is None and isinstance(row.key, str)
