"""Show, create and edit: validation shown in the form, ``add`` for new ids, the CAS in
the edit form and the 409 answer to a conflicting save."""
import html as htmlmod
import re

import pytest

import beerdata
from beersample_helpers import beer_form, brewery_form, hrefs

BREWERY = "21st_amendment_brewery_cafe"
BEER = "21st_amendment_brewery_cafe-21a_ipa"


def text(page):
    return htmlmod.unescape(page.get_data(as_text=True))


def hidden(page, name):
    return re.search(r'name="%s" value="([^"]*)"' % name, page.get_data(as_text=True)).group(1)


def field_value(page, name):
    html = page.get_data(as_text=True)
    m = re.search(r'name="%s"\s+value="([^"]*)"' % name, html)
    if m:
        return htmlmod.unescape(m.group(1))
    return htmlmod.unescape(re.search(r'name="%s"[^>]*>([^<]*)</textarea>' % name, html).group(1))


def invalid_fields(page):
    return re.findall(r'is-invalid" id="(\w+)"', page.get_data(as_text=True))


@pytest.fixture
def new_beer(client, db, unique_name):
    """A beer created through the form: its id."""
    def make(**fields):
        form = beer_form(name=unique_name(), brewery_id=BREWERY, abv="5.5")
        form.update({"beer_" + k: v for k, v in fields.items()})
        answer = client.post("/beers/create", form)
        assert answer.status_code == 303, text(answer)
        return answer.headers["Location"].rsplit("/", 1)[1]
    return make


# ---- show ----

def test_show_beer_displays_its_fields_and_its_brewery(client):
    doc = beerdata.docs()[BEER]
    page = client.get("/beers/show/" + BEER)
    body = text(page)
    assert page.status_code == 200
    assert doc["name"] in body and doc["style"] in body and doc["description"][:40] in body
    assert "/breweries/show/" + BREWERY in hrefs(page.get_data(as_text=True), "/breweries/show/")
    assert beerdata.docs()[BREWERY]["name"] in body


def test_show_missing_beer_is_404_naming_it(client):
    page = client.get("/beers/show/no-such-beer")
    assert page.status_code == 404 and "No such beer 'no-such-beer'" in text(page)


def test_show_id_longer_than_any_key_is_404(client):
    assert client.get("/beers/show/" + "x" * 300).status_code == 404


def test_show_brewery_under_beers_is_404(client):
    assert client.get("/beers/show/" + BREWERY).status_code == 404


def test_brewery_page_lists_its_beers_from_the_view(client):
    brewery = "deschutes_brewery"  # no test adds beers to it
    expected = sorted(k for k, d in beerdata.docs().items() if d.get("type") == "beer" and d["brewery_id"] == brewery)
    page = client.get("/breweries/show/" + brewery)
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert [h.rsplit("/", 1)[1] for h in hrefs(body, "/beers/show/")] == expected
    assert "/beers/create?brewery_id=" + brewery in hrefs(body, "/beers/create")


def test_brewery_page_pages_its_beers(make_app):
    from beersample_helpers import Client

    client = Client(make_app(ENTRIES_PER_PAGE=20))
    expected = sorted(k for k, d in beerdata.docs().items() if d.get("type") == "beer"
                      and d["brewery_id"] == "midnight_sun_brewing_co")
    url, seen = "/breweries/show/midnight_sun_brewing_co", []
    while url:
        body = client.get(url).get_data(as_text=True)
        seen += [h.rsplit("/", 1)[1] for h in hrefs(body, "/beers/show/")]
        m = re.search(r'id="next-page" href="([^"#]+)"', body)
        url = htmlmod.unescape(m.group(1)) if m else None
    assert len(expected) > 40 and seen == expected


def test_show_missing_brewery_is_404(client):
    assert client.get("/breweries/show/no_such_brewery").status_code == 404


# ---- create ----

def test_create_form_is_empty_and_takes_the_brewery_from_the_query(client):
    page = client.get("/beers/create?brewery_id=" + BREWERY)
    assert page.status_code == 200
    assert field_value(page, "beer_name") == "" and field_value(page, "beer_brewery_id") == BREWERY


def test_create_stores_a_typed_beer_with_add_and_shows_it(client, db, unique_name):
    name = unique_name()
    answer = client.post("/beers/create", beer_form(name=name, brewery_id=BREWERY, abv="6.1", ibu="45",
                                                    srm="", upc="123456", style="Porter"))
    beer_id = "%s-%s" % (BREWERY, "_".join(name.lower().split()))
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/beers/show/" + beer_id)
    doc = db.get(beer_id).value
    assert doc["type"] == "beer" and doc["name"] == name and doc["brewery_id"] == BREWERY
    assert (doc["abv"], doc["ibu"], doc["srm"], doc["upc"]) == (6.1, 45.0, 0.0, 123456)
    assert name in text(client.get(answer.headers["Location"]))


def test_create_existing_id_is_400_with_a_message(client, db, new_beer):
    beer_id = new_beer(description="first")
    name = db.get(beer_id).value["name"]
    answer = client.post("/beers/create", beer_form(name=name, brewery_id=BREWERY, description="second"))
    assert answer.status_code == 400
    assert "A beer with the id '%s' already exists." % beer_id in text(answer)
    assert db.get(beer_id).value["description"] == "first"


@pytest.mark.parametrize("fields,field,message", [
    ({"name": ""}, "beer_name", "Every beer needs a name."),
    ({"name": "x" * 101}, "beer_name", "The name is too long"),
    ({"name": "!!!"}, "beer_name", "at least one letter or digit"),
    ({"brewery_id": ""}, "beer_brewery_id", "Choose the brewery"),
    ({"brewery_id": "no_such_brewery"}, "beer_brewery_id", "There is no brewery with the id 'no_such_brewery'."),
    ({"brewery_id": BEER}, "beer_brewery_id", "There is no brewery with the id"),
    ({"abv": "strong"}, "beer_abv", "Alcohol (ABV) must be a number."),
    ({"abv": "101"}, "beer_abv", "Alcohol (ABV) must be between 0.0 and 100.0."),
    ({"ibu": "-3"}, "beer_ibu", "Bitterness (IBU) must be at least 0.0."),
    ({"srm": "nan"}, "beer_srm", "Color (SRM) must be a number."),
    ({"upc": "12.5"}, "beer_upc", "UPC must be a whole number."),
])
def test_create_with_bad_input_is_400_with_the_error_in_the_form(client, db, unique_name, fields, field, message):
    form = beer_form(name=unique_name(), brewery_id=BREWERY, abv="5", description="kept")
    form.update({"beer_" + k: v for k, v in fields.items()})
    answer = client.post("/beers/create", form)
    body = text(answer)
    assert answer.status_code == 400
    assert invalid_fields(answer) == [field] and message in body
    assert field_value(answer, "beer_description") == "kept"  # the form keeps what was typed
    if form["beer_name"] and "!" not in form["beer_name"] and len(form["beer_name"]) <= 100:
        assert not db.get("%s-%s" % (BREWERY, "_".join(form["beer_name"].lower().split())), quiet=True).success


def test_create_brewery_makes_its_id_from_the_name(client, db, unique_name):
    name = unique_name() + " Brauhaus Schönram"
    answer = client.post("/breweries/create", brewery_form(name=name, city="Petting", country="Germany",
                                                           address="Schönram 1\n\nPetting", lat="47.9", lon="12.8",
                                                           website="https://example.org/"))
    brewery_id = "_".join(name.lower().replace("ö", "o").split())
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/breweries/show/" + brewery_id)
    doc = db.get(brewery_id).value
    assert doc["address"] == ["Schönram 1", "Petting"] and doc["geo"] == {"lat": 47.9, "lon": 12.8}
    assert doc["type"] == "brewery"


@pytest.mark.parametrize("fields,field,message", [
    ({"name": ""}, "brewery_name", "Every brewery needs a name."),
    ({"website": "javascript:alert(1)"}, "brewery_website", "must be an address starting with http"),
    ({"lat": "45"}, "brewery_lon", "Give both latitude and longitude"),
    ({"lat": "95", "lon": "3"}, "brewery_lat", "Latitude must be between -90.0 and 90.0."),
    ({"lat": "1", "lon": "east"}, "brewery_lon", "Longitude must be a number."),
])
def test_create_brewery_with_bad_input_is_400_with_the_error_in_the_form(client, unique_name, fields, field, message):
    form = brewery_form(name=unique_name())
    form.update({"brewery_" + k: v for k, v in fields.items()})
    answer = client.post("/breweries/create", form)
    assert answer.status_code == 400
    assert invalid_fields(answer) == [field] and message in text(answer)


def test_post_without_the_csrf_token_is_refused(client, db, unique_name):
    name = unique_name()
    answer = client.raw.post("/beers/create", data=beer_form(name=name, brewery_id=BREWERY))
    assert answer.status_code == 400 and "Reload the page" in text(answer)
    assert not db.get("%s-%s" % (BREWERY, "_".join(name.lower().split())), quiet=True).success


# ---- edit ----

def test_edit_form_shows_the_beer_and_carries_its_cas(client, db, new_beer):
    beer_id = new_beer(style="Stout")
    page = client.get("/beers/edit/" + beer_id)
    assert page.status_code == 200
    assert field_value(page, "beer_style") == "Stout"
    assert int(hidden(page, "cas")) == db.get(beer_id).cas


def test_edit_missing_beer_is_404(client):
    assert client.get("/beers/edit/no-such-beer").status_code == 404
    form = beer_form(name="x", brewery_id=BREWERY)
    form["cas"] = "1"
    answer = client.post("/beers/edit/no-such-beer", form)
    assert answer.status_code == 404


def test_edit_saves_and_keeps_fields_the_form_does_not_show(client, db, new_beer):
    beer_id = new_beer()
    doc = db.get(beer_id).value
    doc["awards"] = ["gold"]
    db.set(beer_id, doc)
    form_page = client.get("/beers/edit/" + beer_id)
    form = beer_form(name=doc["name"], brewery_id=BREWERY, abv="7", description="Now with more hops")
    form["cas"] = hidden(form_page, "cas")
    answer = client.post("/beers/edit/" + beer_id, form)
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/beers/show/" + beer_id)
    saved = db.get(beer_id).value
    assert saved["description"] == "Now with more hops" and saved["abv"] == 7.0 and saved["awards"] == ["gold"]


def test_edit_with_a_stale_cas_is_409_and_shows_the_current_version(client, db, new_beer):
    beer_id = new_beer(description="original")
    form_page = client.get("/beers/edit/" + beer_id)
    doc = db.get(beer_id).value
    doc["description"] = "changed by someone else"
    db.set(beer_id, doc)
    form = beer_form(name=doc["name"], brewery_id=BREWERY, abv="5.5", description="my edit")
    form["cas"] = hidden(form_page, "cas")
    answer = client.post("/beers/edit/" + beer_id, form)
    body = text(answer)
    assert answer.status_code == 409
    assert "Someone else changed this beer" in body
    assert field_value(answer, "beer_description") == "changed by someone else"
    assert "<td>my edit</td>" in body
    assert int(hidden(answer, "cas")) == db.get(beer_id).cas
    assert db.get(beer_id).value["description"] == "changed by someone else"


def test_a_save_losing_the_race_after_the_check_is_409(make_app, db, new_beer):
    """The CAS also guards the write itself: a change landing between the check and the
    replace makes the replace fail, and the user sees the current version."""
    from beersample_helpers import Client

    beer_id = new_beer(description="original")

    class Racing:
        def __init__(self, real):
            self.real = real

        def __getattr__(self, name):
            return getattr(self.real, name)

        def replace(self, key, value, cas=0, **kw):
            other = self.real.get(key).value
            other["description"] = "sneaked in"
            self.real.set(key, other)
            return self.real.replace(key, value, cas=cas, **kw)

    app = make_app()
    app.extensions["couchbase"] = Racing(db)
    client = Client(app)
    form_page = client.get("/beers/edit/" + beer_id)
    form = beer_form(name=db.get(beer_id).value["name"], brewery_id=BREWERY, description="mine")
    form["cas"] = hidden(form_page, "cas")
    answer = client.post("/beers/edit/" + beer_id, form)
    assert answer.status_code == 409
    assert field_value(answer, "beer_description") == "sneaked in"
    assert db.get(beer_id).value["description"] == "sneaked in"


def test_edit_without_a_cas_is_400(client, new_beer):
    beer_id = new_beer()
    answer = client.post("/beers/edit/" + beer_id, beer_form(name="x", brewery_id=BREWERY))
    assert answer.status_code == 400 and "which version" in text(answer)


def test_edit_with_bad_input_is_400_and_changes_nothing(client, db, new_beer):
    beer_id = new_beer(description="original")
    form_page = client.get("/beers/edit/" + beer_id)
    form = beer_form(name="", brewery_id=BREWERY, description="edited")
    form["cas"] = hidden(form_page, "cas")
    answer = client.post("/beers/edit/" + beer_id, form)
    assert answer.status_code == 400 and invalid_fields(answer) == ["beer_name"]
    assert field_value(answer, "beer_description") == "edited"
    assert db.get(beer_id).value["description"] == "original"


def test_edit_brewery_clearing_the_location_removes_it(client, db, unique_name):
    name = unique_name()
    created = client.post("/breweries/create", brewery_form(name=name, lat="10", lon="20"))
    brewery_id = created.headers["Location"].rsplit("/", 1)[1]
    form_page = client.get("/breweries/edit/" + brewery_id)
    assert field_value(form_page, "brewery_lat") == "10.0"
    form = brewery_form(name=name, city="Somewhere")
    form["cas"] = hidden(form_page, "cas")
    assert client.post("/breweries/edit/" + brewery_id, form).status_code == 303
    doc = db.get(brewery_id).value
    assert "geo" not in doc and doc["city"] == "Somewhere"
