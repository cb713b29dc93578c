"""A beer-sample-shaped dataset, made here, for machines without the sample archive.

``generate(path)`` writes a zip laid out as the sample's (``beer-sample/docs/<id>.json``):
a few hundred breweries and a few thousand beers with the sample's fields and id scheme
(``<brewery_id>-<beer name>``). The same seed always gives the same documents.
"""
import json
import random
import zipfile

from .models import slug

PLACES = [
    ("San Francisco", "California", "United States", "94107", 37.78, -122.39),
    ("Portland", "Oregon", "United States", "97209", 45.52, -122.68),
    ("Denver", "Colorado", "United States", "80202", 39.74, -104.99),
    ("Asheville", "North Carolina", "United States", "28801", 35.60, -82.55),
    ("Burlington", "Vermont", "United States", "05401", 44.48, -73.21),
    ("Milwaukee", "Wisconsin", "United States", "53202", 43.04, -87.91),
    ("Austin", "Texas", "United States", "78701", 30.27, -97.74),
    ("Vancouver", "British Columbia", "Canada", "V6B", 49.28, -123.12),
    ("Montreal", "Quebec", "Canada", "H2X", 45.50, -73.57),
    ("Brussels", "Brussel", "Belgium", "1000", 50.85, 4.35),
    ("Ghent", "Oost-Vlaanderen", "Belgium", "9000", 51.05, 3.72),
    ("Munich", "Bayern", "Germany", "80331", 48.14, 11.58),
    ("Bamberg", "Bayern", "Germany", "96047", 49.89, 10.89),
    ("Cologne", "Nordrhein-Westfalen", "Germany", "50667", 50.94, 6.96),
    ("Plzen", "Plzensky kraj", "Czech Republic", "301 00", 49.75, 13.38),
    ("Dublin", "Leinster", "Ireland", "D08", 53.34, -6.27),
    ("London", "England", "United Kingdom", "SE1", 51.50, -0.09),
    ("Edinburgh", "Scotland", "United Kingdom", "EH1", 55.95, -3.19),
    ("Amsterdam", "Noord-Holland", "Netherlands", "1012", 52.37, 4.90),
    ("Copenhagen", "Hovedstaden", "Denmark", "1050", 55.68, 12.57),
    ("Oslo", "Oslo", "Norway", "0150", 59.91, 10.75),
    ("Tokyo", "Tokyo", "Japan", "100-0005", 35.68, 139.77),
    ("Melbourne", "Victoria", "Australia", "3000", -37.81, 144.96),
    ("Nelson", "Tasman", "New Zealand", "7010", -41.27, 173.28),
    ("Mexico City", "Distrito Federal", "Mexico", "06000", 19.43, -99.13),
]
FIRST = ["Old", "Red", "Iron", "Copper", "Golden", "Black", "Blue", "Stone", "River", "Harbor", "Mountain",
         "Silver", "Wild", "Lucky", "Northern", "Granite", "Cedar", "Foggy", "Twin", "Hidden", "Brass",
         "Crooked", "Salty", "Humble", "Rusty", "Happy", "Grand", "Little", "Bold", "Quiet"]
SECOND = ["Oak", "Bear", "Anchor", "Hill", "Valley", "Fox", "Owl", "Lantern", "Bridge", "Mill", "Barrel",
          "Kettle", "Falcon", "Pine", "Hare", "Raven", "Tide", "Creek", "Wolf", "Gate", "Lion", "Moose",
          "Hop", "Crown", "Forge", "Harvest", "Cellar", "Compass", "Badger", "Whistle"]
SUFFIX = ["Brewing Company", "Brewery", "Brewing Co.", "Beer Works", "Brewhouse", "Ales", "Craft Brewery",
          "Brewpub", "Bierbrouwerij", "Brauerei"]
# (category, style, abv range, ibu range, srm range)
STYLES = [
    ("North American Ale", "American-Style Pale Ale", (4.5, 6.2), (30, 50), (6, 14)),
    ("North American Ale", "American-Style India Pale Ale", (6.0, 7.5), (50, 70), (6, 14)),
    ("North American Ale", "American-Style Amber/Red Ale", (4.5, 6.0), (25, 40), (11, 18)),
    ("North American Ale", "American-Style Stout", (5.7, 8.0), (35, 60), (40, 70)),
    ("North American Lager", "American-Style Lager", (4.1, 5.1), (5, 15), (2, 4)),
    ("British Ale", "Ordinary Bitter", (3.0, 4.1), (20, 35), (5, 12)),
    ("British Ale", "Scotch Ale", (6.2, 8.0), (15, 30), (15, 30)),
    ("Irish Ale", "Irish-Style Dry Stout", (3.8, 5.0), (30, 40), (40, 70)),
    ("Belgian and French Ale", "Belgian-Style Tripel", (7.0, 10.0), (20, 45), (4, 7)),
    ("Belgian and French Ale", "Belgian-Style Dubbel", (6.2, 7.5), (15, 25), (16, 36)),
    ("Belgian and French Ale", "French & Belgian-Style Saison", (4.5, 7.0), (20, 38), (4, 14)),
    ("Belgian and French Ale", "Belgian-Style White", (4.8, 5.6), (10, 17), (2, 4)),
    ("German Lager", "German-Style Pilsener", (4.6, 5.3), (25, 40), (3, 4)),
    ("German Lager", "Traditional German-Style Bock", (6.3, 7.5), (20, 30), (20, 30)),
    ("German Lager", "German-Style Oktoberfest", (5.3, 6.5), (20, 28), (4, 15)),
    ("German Ale", "South German-Style Hefeweizen", (4.9, 5.5), (10, 15), (3, 9)),
    ("German Ale", "German-Style Brown Ale/Altbier", (4.6, 5.6), (25, 52), (11, 19)),
    ("Other Style", "Fruit Beer", (2.5, 12.0), (5, 45), (5, 50)),
    ("Other Style", "Specialty Beer", (2.5, 25.0), (1, 100), (1, 100)),
]
BEER_FIRST = ["Hazy", "Midnight", "Summer", "Winter", "Harvest", "Double", "Imperial", "Session", "Smoked",
              "Barrel-Aged", "Dry-Hopped", "Sunset", "Foggy", "Velvet", "Amber", "Wild", "Citrus", "Rye",
              "Honey", "Oatmeal", "Coffee", "Cherry", "Maple", "Spiced", "Bright", "Dark", "Northern", "Copper"]
BEER_SECOND = ["Ale", "Lager", "IPA", "Stout", "Porter", "Pils", "Bock", "Tripel", "Saison", "Wit", "Weizen",
               "Bitter", "Red", "Brown", "Blonde", "Dubbel", "Kolsch", "Gose", "Barleywine", "Dunkel"]
WORDS = ["crisp", "malty", "hoppy", "smooth", "roasty", "fruity", "balanced", "floral", "toasty", "spicy",
         "clean", "bold", "refreshing", "complex", "caramel", "citrus", "pine", "chocolate", "biscuit", "honey"]
UPDATED = "2010-07-22 20:00:20"


def _description(rng):
    words = rng.sample(WORDS, 3)
    return "A %s, %s beer with a %s finish." % tuple(words)


def _breweries(rng, count):
    out = {}
    while len(out) < count:
        name = "%s %s %s" % (rng.choice(FIRST), rng.choice(SECOND), rng.choice(SUFFIX))
        place = rng.choice(PLACES)
        if slug(name) in out:
            name = "%s (%s)" % (name, place[0])
        bid = slug(name)
        if bid in out:
            continue
        city, state, country, code, lat, lon = place
        out[bid] = {
            "name": name, "city": city, "state": state, "code": code, "country": country,
            "phone": "%d-%03d-%03d-%04d" % (rng.randint(1, 99), rng.randint(100, 999), rng.randint(100, 999),
                                            rng.randint(0, 9999)),
            "website": "http://www.%s.example/" % bid.replace("_", ""),
            "type": "brewery", "updated": UPDATED,
            "description": "" if rng.random() < 0.4 else "Brewing in %s since %d." % (city, rng.randint(1850, 2010)),
            "address": ["%d %s Street" % (rng.randint(1, 999), rng.choice(SECOND))],
            "geo": {"accuracy": "APPROXIMATE", "lat": round(lat + rng.uniform(-.2, .2), 4),
                    "lon": round(lon + rng.uniform(-.2, .2), 4)},
        }
        if rng.random() < 0.1:  # as in the sample, some breweries have no location
            del out[bid]["geo"]
    return out


def _beers(rng, breweries, per_brewery):
    out = {}
    for bid in sorted(breweries):
        for _ in range(rng.randint(*per_brewery)):
            name = "%s %s" % (rng.choice(BEER_FIRST), rng.choice(BEER_SECOND))
            beer_id = "%s-%s" % (bid, slug(name))
            if beer_id in out:
                continue
            category, style, abv, ibu, srm = rng.choice(STYLES)
            doc = {"name": name, "abv": round(rng.uniform(*abv), 1), "ibu": float(rng.randint(*ibu)),
                   "srm": float(rng.randint(*srm)), "upc": 0 if rng.random() < 0.8 else rng.randint(10 ** 11, 10 ** 12 - 1),
                   "type": "beer", "brewery_id": bid, "updated": UPDATED,
                   "description": "" if rng.random() < 0.5 else _description(rng),
                   "style": style, "category": category}
            if rng.random() < 0.25:  # as in the sample, a quarter have no style or category
                del doc["style"], doc["category"]
            out[beer_id] = doc
    return out


def documents(breweries=400, per_brewery=(2, 16), seed=2013):
    """{id: document} of the generated dataset."""
    rng = random.Random(seed)
    brewery_docs = _breweries(rng, breweries)
    docs = dict(brewery_docs)
    docs.update(_beers(rng, brewery_docs, per_brewery))
    return docs


def generate(path, **kw):
    """Write the dataset as a sample archive at ``path``; returns the number of documents."""
    docs = documents(**kw)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for docid, doc in sorted(docs.items()):
            zf.writestr("beer-sample/docs/%s.json" % docid, json.dumps(doc))
    return len(docs)
