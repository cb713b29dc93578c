"""What differs between beers and breweries: their class, listing view, row processor,
form fields, validation and how a new one's id is made."""
from collections import namedtuple

from . import fields
from .models import Beer, BeerListRowProcessor, Brewery, BreweryListRowProcessor, slug

Kind = namedtuple("Kind", "otype label cls design view row_processor normalize form_fields make_id search_item")


def beer_id(doc):
    return "%s-%s" % (doc["brewery_id"], slug(doc["name"]))


def brewery_id(doc):
    return slug(doc["name"])


def _beer_item(beer):
    return {"id": beer.id, "name": beer.name, "brewery": beer.brewery_id, "style": beer.style,
            "abv": beer.abv, "likes": beer.likes}


def _brewery_item(brewery):
    return {"id": brewery.id, "name": brewery.name, "city": brewery.city, "country": brewery.country,
            "likes": brewery.likes}


KINDS = {
    "beers": Kind("beers", "beer", Beer, "beer", "by_name", BeerListRowProcessor,
                  fields.normalize_beer_fields, fields.BEER_TEXT + tuple(fields.BEER_NUMBERS),
                  beer_id, _beer_item),
    "breweries": Kind("breweries", "brewery", Brewery, "brewery", "by_name", BreweryListRowProcessor,
                      fields.normalize_brewery_fields, fields.BREWERY_TEXT + tuple(fields.BREWERY_GEO),
                      brewery_id, _brewery_item),
}
