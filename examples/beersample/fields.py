"""Form input to documents: the manual's ``normalize_beer_fields``, and its brewery twin.

Each takes the submitted form (fields named ``beer_<field>`` / ``brewery_<field>``, as the
manual's templates name them) and returns ``(doc, errors, values)``: the document fields
to store (None when there are errors), a ``{field: message}`` dict, and the submitted
strings for showing the form again.
"""
import math
import time
from urllib.parse import urlsplit

from .models import valid_key

NAME_MAX = 100
TEXT_MAX = 200
DESCRIPTION_MAX = 5000

BEER_TEXT = ("name", "description", "style", "category", "brewery_id")
# field: (type, lowest, highest or None, label)
BEER_NUMBERS = {
    "abv": (float, 0.0, 100.0, "Alcohol (ABV)"),
    "ibu": (float, 0.0, None, "Bitterness (IBU)"),
    "srm": (float, 0.0, None, "Color (SRM)"),
    "upc": (int, 0, None, "UPC"),
}
BREWERY_TEXT = ("name", "description", "address", "city", "state", "code", "country", "phone", "website")
BREWERY_GEO = {"lat": (-90.0, 90.0, "Latitude"), "lon": (-180.0, 180.0, "Longitude")}


def now():
    """The sample's ``updated`` format."""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())


def _submitted(form, prefix, names):
    values = {}
    for k, v in form.items():
        base, _, field = k.partition("_")
        if base == prefix and field in names:
            values[field] = v.strip()
    return values


def _text(values, field, limit, errors, label):
    v = values.get(field, "")
    if len(v) > limit:
        errors[field] = "%s is too long (at most %d characters)." % (label, limit)
    return v


def _number(text, kind, low, high, label):
    """(value, error) for a numeric field; empty means 0, as in the sample data."""
    if text == "":
        return kind(0), None
    try:
        value = kind(text)
    except ValueError:
        return None, "%s must be %s." % (label, "a whole number" if kind is int else "a number")
    if kind is float and not math.isfinite(value):
        return None, "%s must be a number." % label
    if value < low or (high is not None and value > high):
        bounds = "at least %s" % low if high is None else "between %s and %s" % (low, high)
        return None, "%s must be %s." % (label, bounds)
    return value, None


def _required_name(values, errors, what):
    name = _text(values, "name", NAME_MAX, errors, "The name")
    if not name and "name" not in errors:
        errors["name"] = "Every %s needs a name." % what
    return name


def normalize_beer_fields(form, db):
    """A beer document from the form: a name and the id of an existing brewery are
    required, ABV/IBU/SRM must be numbers and the UPC a whole number."""
    values = _submitted(form, "beer", set(BEER_TEXT) | set(BEER_NUMBERS))
    errors = {}
    doc = {"type": "beer", "updated": now()}
    doc["name"] = _required_name(values, errors, "beer")
    doc["description"] = _text(values, "description", DESCRIPTION_MAX, errors, "The description")
    for field in ("style", "category"):
        doc[field] = _text(values, field, TEXT_MAX, errors, "The " + field)
    for field, (kind, low, high, label) in BEER_NUMBERS.items():
        value, err = _number(values.get(field, ""), kind, low, high, label)
        if err:
            errors[field] = err
        doc[field] = value
    brewery_id = values.get("brewery_id", "")
    if not brewery_id:
        errors["brewery_id"] = "Choose the brewery that makes this beer."
    elif not valid_key(brewery_id):
        errors["brewery_id"] = "No brewery has an id like that."
    else:
        found = db.get(brewery_id, quiet=True)
        if not found.success or not isinstance(found.value, dict) or found.value.get("type") != "brewery":
            errors["brewery_id"] = "There is no brewery with the id '%s'." % brewery_id
    doc["brewery_id"] = brewery_id
    return (None if errors else doc), errors, values


def normalize_brewery_fields(form, db=None):
    """A brewery document from the form: a name is required; the website must be an
    http(s) address; latitude and longitude are numbers in range, given together."""
    values = _submitted(form, "brewery", set(BREWERY_TEXT) | set(BREWERY_GEO))
    errors = {}
    doc = {"type": "brewery", "updated": now()}
    doc["name"] = _required_name(values, errors, "brewery")
    doc["description"] = _text(values, "description", DESCRIPTION_MAX, errors, "The description")
    for field in ("city", "state", "code", "country", "phone", "website"):
        doc[field] = _text(values, field, TEXT_MAX, errors, "The " + field)
    address = _text(values, "address", DESCRIPTION_MAX, errors, "The address")
    doc["address"] = [line.strip() for line in address.splitlines() if line.strip()]
    website = doc["website"]
    if website and "website" not in errors:
        parts = urlsplit(website)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            errors["website"] = "The website must be an address starting with http:// or https://."
    geo = {}
    for field, (low, high, label) in BREWERY_GEO.items():
        text = values.get(field, "")
        if text == "":
            continue
        value, err = _number(text, float, low, high, label)
        if err:
            errors[field] = err
        geo[field] = value
    if len(geo) == 1 and not errors.keys() & BREWERY_GEO.keys():
        missing = ({"lat", "lon"} - geo.keys()).pop()
        errors[missing] = "Give both latitude and longitude, or neither."
    doc["geo"] = geo or None  # None: remove the location
    return (None if errors else doc), errors, values


def form_values(obj, fields):
    """The strings an edit form shows for a stored document."""
    out = {}
    for f in fields:
        if f in ("lat", "lon"):
            v = (obj.doc.get("geo") or {}).get(f, "")
        elif f == "address":
            v = "\n".join(obj.doc.get("address") or [])
        else:
            v = obj.doc.get(f, "")
        out[f] = "" if v is None else str(v)
    return out
