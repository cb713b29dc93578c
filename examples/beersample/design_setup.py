"""The views the application needs, created and published with the SDK.

``beer/by_name`` and ``brewery/by_name`` list beers and breweries by name (the manual's
maps); ``beer/brewery_beers`` lists a brewery's beers (the sample bucket ships it; it is
created when missing). Other views of the same design documents are kept.

    python -m examples.beersample.design_setup --host 127.0.0.1 --port 8091
"""
import argparse

from couchbase import Couchbase
from couchbase.exceptions import HTTPError

BEER_BY_NAME = """function (doc, meta) {
  if (doc.type && doc.type == "beer") {
    emit(doc.name, null);
  }
}"""

BREWERY_BY_NAME = """function (doc, meta) {
  if (doc.type == "brewery") {
    emit(doc.name, null);
  }
}"""

BREWERY_BEERS = """function (doc, meta) {
  switch (doc.type) {
  case "brewery":
    emit([meta.id]);
    break;
  case "beer":
    if (doc.brewery_id) {
      emit([doc.brewery_id, meta.id]);
    }
    break;
  }
}"""

# design document: {view: definition}; `keep` views stay as they are when present
DESIGN_DOCS = {
    "beer": {"by_name": {"map": BEER_BY_NAME}, "brewery_beers": {"map": BREWERY_BEERS}},
    "brewery": {"by_name": {"map": BREWERY_BY_NAME}},
}
KEEP_WHEN_PRESENT = {("beer", "brewery_beers")}


def _published(db, name):
    try:
        return db.design_get(name, use_devmode=False).value or {}
    except HTTPError as e:
        if getattr(e.objextra, "http_status", None) == 404:
            return {}
        raise


def setup_views(db, syncwait=30):
    """Create each design document in development (``dev_`` prefix), then publish it.
    Returns the names of the design documents that changed (none when all were in place)."""
    changed = []
    for name, views in DESIGN_DOCS.items():
        current = _published(db, name)
        merged = dict(current.get("views") or {})
        for view, definition in views.items():
            if (name, view) in KEEP_WHEN_PRESENT and view in merged:
                continue
            merged[view] = definition
        if merged == current.get("views"):
            continue
        ddoc = {k: v for k, v in current.items() if not k.startswith("_")}
        ddoc["views"] = merged
        db.design_create(name, ddoc, use_devmode=True, syncwait=syncwait)
        db.design_publish(name, syncwait=syncwait)
        changed.append(name)
    return changed


def main(argv=None):
    p = argparse.ArgumentParser(description="Create and publish the beer-sample application's views.")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8091, help="REST port")
    p.add_argument("--bucket", default="beer-sample")
    p.add_argument("--password")
    args = p.parse_args(argv)
    db = Couchbase.connect(bucket=args.bucket, host=args.host, port=args.port, password=args.password)
    changed = setup_views(db)
    print("published: %s" % (", ".join(changed) if changed else "nothing to change"))


if __name__ == "__main__":
    main()
