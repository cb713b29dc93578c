"""Delete (with the brewery-still-has-beers refusal) and like/unlike counters."""
import html as htmlmod
import re

import pytest

from beersample_helpers import beer_form, brewery_form

BREWERY = "21st_amendment_brewery_cafe"


@pytest.fixture
def new_beer(client, unique_name):
    def make(brewery=BREWERY):
        answer = client.post("/beers/create", beer_form(name=unique_name(), brewery_id=brewery))
        assert answer.status_code == 303
        return answer.headers["Location"].rsplit("/", 1)[1]
    return make


@pytest.fixture
def new_brewery(client, unique_name):
    def make():
        answer = client.post("/breweries/create", brewery_form(name=unique_name()))
        assert answer.status_code == 303
        return answer.headers["Location"].rsplit("/", 1)[1]
    return make


def text(page):
    return htmlmod.unescape(page.get_data(as_text=True))


# ---- delete ----

def test_delete_page_asks_for_confirmation_and_deletes_nothing(client, db, new_beer):
    beer_id = new_beer()
    page = client.get("/beers/delete/" + beer_id)
    assert page.status_code == 200 and 'id="confirm-delete"' in page.get_data(as_text=True)
    assert db.get(beer_id, quiet=True).success


def test_delete_removes_the_beer_and_its_likes_and_returns_to_the_listing(client, db, new_beer):
    from examples.beersample.models import likes_key

    beer_id = new_beer()
    client.post("/beers/like/" + beer_id)
    answer = client.post("/beers/delete/" + beer_id)
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/beers")
    assert not db.get(beer_id, quiet=True).success
    assert not db.get(likes_key(beer_id), quiet=True).success
    assert "Deleted beer" in text(client.get("/beers"))


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("docid", ["nonexistent", "x" * 300])
def test_delete_missing_id_is_404(client, method, docid):
    page = getattr(client, method)("/beers/delete/" + docid)
    assert page.status_code == 404 and "No such beer '%s'" % docid in text(page)


def test_delete_of_an_unknown_object_type_is_404(client):
    assert client.get("/wines/delete/x").status_code == 404
    assert client.post("/wines/delete/x").status_code == 404


def test_delete_brewery_under_beers_is_404_and_keeps_it(client, db):
    assert client.post("/beers/delete/" + BREWERY).status_code == 404
    assert db.get(BREWERY, quiet=True).success


def test_delete_brewery_with_beers_is_refused_with_a_message(client, db):
    page = client.get("/breweries/delete/" + BREWERY)
    body = text(page)
    assert page.status_code == 200 and "still has beers" in body and 'id="confirm-delete"' not in body
    answer = client.post("/breweries/delete/" + BREWERY)
    assert answer.status_code == 409 and "still has beers" in text(answer)
    assert db.get(BREWERY, quiet=True).success


def test_brewery_can_be_deleted_once_its_beers_are_gone(client, db, new_brewery, new_beer):
    brewery_id = new_brewery()
    beer_id = new_beer(brewery_id)
    assert client.post("/breweries/delete/" + brewery_id).status_code == 409
    assert client.post("/beers/delete/" + beer_id).status_code == 303
    assert client.post("/breweries/delete/" + brewery_id).status_code == 303
    assert not db.get(brewery_id, quiet=True).success


# ---- like / unlike ----

@pytest.mark.parametrize("otype", ["beers", "breweries"])
def test_like_counts_once_per_browser_session(client, new_client, new_beer, new_brewery, otype):
    docid = new_beer() if otype == "beers" else new_brewery()
    first = client.post("/%s/like/%s" % (otype, docid), json_answer=True).get_json()
    again = client.post("/%s/like/%s" % (otype, docid), json_answer=True).get_json()
    other = new_client().post("/%s/like/%s" % (otype, docid), json_answer=True).get_json()
    assert first == {"id": docid, "likes": 1, "liked": True}
    assert again == {"id": docid, "likes": 1, "liked": True}
    assert other == {"id": docid, "likes": 2, "liked": True}


def test_unlike_takes_back_only_this_sessions_like(client, new_client, new_beer):
    beer_id = new_beer()
    other = new_client()
    client.post("/beers/like/" + beer_id)
    other.post("/beers/like/" + beer_id)
    once = client.post("/beers/unlike/" + beer_id, json_answer=True).get_json()
    twice = client.post("/beers/unlike/" + beer_id, json_answer=True).get_json()
    assert once == {"id": beer_id, "likes": 1, "liked": False} and twice == once


def test_unlike_without_a_like_leaves_the_count_alone(client, new_beer):
    beer_id = new_beer()
    assert client.post("/beers/unlike/" + beer_id, json_answer=True).get_json()["likes"] == 0


def test_like_from_a_plain_form_redirects_to_the_page_showing_it(client, new_beer):
    beer_id = new_beer()
    answer = client.post("/beers/like/" + beer_id)
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/beers/show/" + beer_id)
    page = client.get("/beers/show/" + beer_id).get_data(as_text=True)
    assert re.search(r'id="like-count">1<', page) and ">Unlike<" in page
    assert "/beers/unlike/" + beer_id in page


def test_listing_shows_like_counts(client, db):
    client.post("/breweries/like/" + BREWERY)
    page = client.get("/breweries/search?value=21st").get_json()
    assert page[0]["likes"] >= 1


def test_like_missing_id_is_404(client):
    assert client.post("/beers/like/no-such-beer").status_code == 404
    assert client.post("/beers/unlike/no-such-beer", json_answer=True).get_json()["error"].startswith("No such beer")


def test_like_is_post_only(client, new_beer):
    assert client.get("/beers/like/" + new_beer()).status_code == 405


def test_like_without_the_csrf_token_is_refused(client, new_beer):
    beer_id = new_beer()
    assert client.raw.post("/beers/like/" + beer_id).status_code == 400
    assert client.post("/beers/unlike/" + beer_id, json_answer=True).get_json()["likes"] == 0


def test_like_keys_stay_valid_for_the_longest_ids():
    from examples.beersample.models import like_marker, likes_key

    long_id = "b" * 250
    assert len(likes_key(long_id)) <= 250 and len(like_marker("f" * 32, long_id)) <= 250
    assert likes_key(long_id) != likes_key("c" * 250)
