"""Beers and breweries as the pages see them, the row processors that turn view rows into
them, and the keys the application derives from document ids."""
import hashlib
import re
import unicodedata

MAX_KEY = 250  # bytes in a Couchbase key


class Document:
    """A beer or brewery: its id, name, view key and JSON document. A field the document
    lacks reads as ``""``, so templates can fill forms without checking each one."""

    kind = None

    def __init__(self, id, name, doc=None, key=None, cas=0):
        self.id = id
        self.name = name
        self.doc = doc if doc is not None else {}
        self.key = name if key is None else key
        self.cas = cas
        self.likes = 0
        self.liked = False

    def __getattr__(self, name):
        if name.startswith("_"):  # keep Python's and Jinja's protocol lookups (__html__ ...) honest
            raise AttributeError(name)
        return self.__dict__.get("doc", {}).get(name, "")

    @classmethod
    def from_result(cls, docid, result):
        """The object for a ``get`` result, or None when it is missing or of another type."""
        if not result.success or not isinstance(result.value, dict) or result.value.get("type") != cls.kind:
            return None
        return cls(docid, result.value.get("name", ""), result.value, cas=result.cas)


class Beer(Document):
    kind = "beer"


class Brewery(Document):
    kind = "brewery"


def valid_key(key):
    """Whether ``key`` can name a document at all (a non-empty string of at most 250 bytes)."""
    return isinstance(key, str) and 0 < len(key.encode("utf-8", "surrogatepass")) <= MAX_KEY


def _aux_key(prefix, docid):
    key = prefix + docid
    if len(key.encode("utf-8")) > MAX_KEY:
        key = prefix + "sha1:" + hashlib.sha1(docid.encode("utf-8")).hexdigest()
    return key


def likes_key(docid):
    """The counter document holding the number of likes of ``docid``."""
    return _aux_key("likes::", docid)


def like_marker(session_id, docid):
    """The document that records that one browser session likes ``docid``."""
    return _aux_key("liked::%s::" % session_id, docid)


def count_of(result):
    """A counter's value from a quiet get (0 when the counter does not exist yet)."""
    return result.value if result.success and isinstance(result.value, int) else 0


def slug(text):
    """The id-friendly form of a name, as the sample's ids are made: lower case ASCII
    letters and digits, every other run of characters one underscore."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")


class ListRowProcessor:
    """Turns a page of view rows into ``cls`` objects with their like counts, fetching the
    documents and the counters with ONE ``get_multi``. Rows whose document is gone (the index
    may lag behind a delete) or is of another type are dropped."""

    cls = Document

    def handle_rows(self, rows, connection, include_docs):
        ids = [r["id"] for r in rows if r.get("id") is not None]
        if not ids:
            return []
        keys = list(dict.fromkeys(ids + [likes_key(i) for i in ids]))
        found = connection.get_multi(keys, quiet=True)
        out = []
        for r in rows:
            docid = r.get("id")
            if docid is None:
                continue
            obj = self.cls.from_result(docid, found[docid])
            if obj is None:
                continue
            obj.key = r.get("key")
            obj.likes = count_of(found[likes_key(docid)])
            out.append(obj)
        return out


class BeerListRowProcessor(ListRowProcessor):
    """The manual's row processor for beer listings: the documents give each beer its
    brewery id, for the link to its brewery."""

    cls = Beer


class BreweryListRowProcessor(ListRowProcessor):
    cls = Brewery
