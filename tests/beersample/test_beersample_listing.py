"""The welcome page, the paged listings, the row processor and the prefix search."""
import json
import re

import pytest

import beerdata
from beersample_helpers import hrefs, link, shown_ids

PER_PAGE = 30


def view_ids(db, design, view, **params):
    return [r.docid for r in db.query(design, view, stale=False, **params)]


def page_link(html, which):
    href = link(html, which)
    return None if href in (None, "#") else href


@pytest.mark.parametrize("path", ["/", "/welcome"])
def test_welcome_page_counts_beers_and_breweries(client, db, path):
    keys = [r.key for r in db.query("beer", "brewery_beers", stale=False)]
    beers, breweries = sum(1 for k in keys if len(k) == 2), sum(1 for k in keys if len(k) == 1)
    page = client.get(path)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'id="beer-count">{:,}<'.format(beers) in html
    assert 'id="brewery-count">{:,}<'.format(breweries) in html
    assert "/beers" in hrefs(html, "/beers") and "/breweries" in hrefs(html, "/breweries")


def test_pages_load_bootstrap_from_the_application_not_a_cdn(client):
    html = client.get("/beers").get_data(as_text=True)
    assets = [u for u in (hrefs(html, "") + re.findall(r'src="([^"]*)"', html))
              if u.endswith((".css", ".js"))]
    assert any("bootstrap.min.css" in u for u in assets) and any("bootstrap" in u and u.endswith(".js") for u in assets)
    assert all(u.startswith("/") for u in assets)
    assert client.get([u for u in assets if "bootstrap.min.css" in u][0]).status_code == 200


@pytest.mark.parametrize("otype,design", [("beers", "beer"), ("breweries", "brewery")])
def test_first_page_lists_the_first_names_of_the_view(client, db, otype, design):
    html = client.get("/" + otype).get_data(as_text=True)
    assert shown_ids(html, otype) == view_ids(db, design, "by_name", limit=PER_PAGE)
    assert page_link(html, "prev-page") is None


def test_beer_rows_link_to_their_brewery(client, db):
    html = client.get("/beers").get_data(as_text=True)
    ids = shown_ids(html, "beers")
    expected = ["/breweries/show/" + db.get(i).value["brewery_id"] for i in ids]
    assert hrefs(html, "/breweries/show/") == expected


@pytest.mark.parametrize("otype,design", [("beers", "beer"), ("breweries", "brewery")])
def test_next_links_walk_the_view_by_startkey_without_repeats(client, db, otype, design):
    url, seen = "/" + otype, []
    for _ in range(3):
        html = client.get(url).get_data(as_text=True)
        seen += shown_ids(html, otype)
        url = page_link(html, "next-page")
        assert "startkey=" in url and "startkey_docid=" in url and "skip" not in url
    assert seen == view_ids(db, design, "by_name", limit=3 * PER_PAGE)


def test_previous_link_returns_the_page_before(client):
    first = client.get("/beers").get_data(as_text=True)
    second = client.get(page_link(first, "next-page")).get_data(as_text=True)
    third = client.get(page_link(second, "next-page")).get_data(as_text=True)
    back = client.get(page_link(third, "prev-page")).get_data(as_text=True)
    assert shown_ids(back, "beers") == shown_ids(second, "beers")
    assert page_link(back, "next-page") == page_link(second, "next-page")


def test_previous_from_the_second_page_is_the_first_page(client):
    first = client.get("/beers").get_data(as_text=True)
    second = client.get(page_link(first, "next-page")).get_data(as_text=True)
    back = client.get(page_link(second, "prev-page")).get_data(as_text=True)
    assert shown_ids(back, "beers") == shown_ids(first, "beers")
    assert page_link(back, "prev-page") is None


def test_last_page_has_no_next_link(client, db):
    last_rows = list(db.query("beer", "by_name", descending=True, limit=5, stale=False))
    start = last_rows[-1]
    html = client.get("/beers", query_string={"startkey": json.dumps(start.key),
                                              "startkey_docid": start.docid}).get_data(as_text=True)
    assert shown_ids(html, "beers") == [r.docid for r in reversed(last_rows)]
    assert page_link(html, "next-page") is None


def test_bad_paging_parameter_is_400(client):
    page = client.get("/beers?startkey=%7Bnot-json")
    assert page.status_code == 400
    assert "not a JSON value" in page.get_data(as_text=True)


def test_unknown_object_type_is_404(client):
    assert client.get("/wines").status_code == 404


def test_row_processor_fetches_a_page_with_one_get_multi(db):
    from examples.beersample.models import BeerListRowProcessor

    class Recording:
        def __init__(self):
            self.calls = []

        def get_multi(self, keys, **kw):
            self.calls.append(list(keys))
            return db.get_multi(keys, **kw)

    rows = [{"id": r.docid, "key": r.key, "value": None} for r in db.query("beer", "by_name", limit=12, stale=False)]
    recording = Recording()
    beers = BeerListRowProcessor().handle_rows(rows, recording, False)
    assert len(recording.calls) == 1
    assert [b.id for b in beers] == [r["id"] for r in rows]
    assert [b.brewery_id for b in beers] == [beerdata.docs()[r["id"]]["brewery_id"] for r in rows]


def test_row_processor_drops_rows_whose_document_is_gone(db):
    from examples.beersample.models import BeerListRowProcessor

    rows = [{"id": "no-such-beer", "key": "A", "value": None},
            {"id": "21st_amendment_brewery_cafe-21a_ipa", "key": "21A IPA", "value": None}]
    assert [b.id for b in BeerListRowProcessor().handle_rows(rows, db, False)] == ["21st_amendment_brewery_cafe-21a_ipa"]


def test_search_returns_the_beers_whose_name_starts_with_the_value(client):
    answer = client.get("/beers/search?value=Bud")
    expected = sorted(k for k, d in beerdata.docs().items()
                      if d.get("type") == "beer" and d["name"].lower().startswith("bud"))
    assert answer.status_code == 200 and answer.mimetype == "application/json"
    items = answer.get_json()
    assert sorted(i["id"] for i in items) == expected
    assert all(i["brewery"] == beerdata.docs()[i["id"]]["brewery_id"] for i in items)
    assert [i["name"] for i in items] == sorted(i["name"] for i in items)


def test_search_stops_at_one_page(client):
    assert len(client.get("/beers/search?value=").get_json()) == PER_PAGE


def test_search_without_a_match_is_an_empty_list(client):
    assert client.get("/beers/search?value=Qqqxx").get_json() == []


def test_search_without_value_is_400_json(client):
    answer = client.get("/beers/search")
    assert answer.status_code == 400 and "?value=" in answer.get_json()["error"]


def test_search_value_longer_than_a_name_is_400(client):
    answer = client.get("/beers/search?value=" + "x" * 101)
    assert answer.status_code == 400 and "at most 100" in answer.get_json()["error"]


def test_brewery_search_returns_breweries_with_their_place(client):
    items = client.get("/breweries/search?value=21st").get_json()
    assert [i["id"] for i in items] == ["21st_amendment_brewery_cafe"]
    assert items[0]["city"] == "San Francisco"


def test_database_unreachable_is_a_503_page(make_app, beer_cluster):
    from beersample_helpers import Client, free_port

    client = Client(make_app(PORT=free_port()))
    page = client.get("/beers")
    assert page.status_code == 503
    assert "did not answer" in page.get_data(as_text=True)
    assert client.get("/beers/search?value=a").get_json()["error"].startswith("The database")
