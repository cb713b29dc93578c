"""Runs under the official Couchbase SDK (separate venv): view_query and the view index
manager against a running embedded cluster that has beer-sample loaded.

argv[1]: JSON {"info": the cluster's info()}. Prints one JSON object of outcomes.
"""

import json
import sys
import time
import traceback
from datetime import timedelta

from couchbase.auth import PasswordAuthenticator
from couchbase.cluster import Cluster
from couchbase.management.views import DesignDocument, DesignDocumentNamespace, View
from couchbase.options import ClusterOptions, ClusterTimeoutOptions, ViewOptions
from couchbase.views import ViewOrdering, ViewScanConsistency

out = {}


def outcome(name, fn):
    try:
        out[name] = fn()
    except Exception as e:  # the outcome is the exception class name
        out[name] = "raised:" + type(e).__name__
        out[name + "_trace"] = traceback.format_exc()[-1500:]


info = json.loads(sys.argv[1])["info"]
cluster = Cluster.connect(info["connstr"], ClusterOptions(
    PasswordAuthenticator("Administrator", "password"),
    timeout_options=ClusterTimeoutOptions(views_timeout=timedelta(seconds=30),
                                          management_timeout=timedelta(seconds=30))))
cluster.wait_until_ready(timedelta(seconds=20))
bucket = cluster.bucket("beer-sample")
PROD = DesignDocumentNamespace.PRODUCTION
DEV = DesignDocumentNamespace.DEVELOPMENT


def rows(ddoc, view, **kw):
    res = bucket.view_query(ddoc, view, ViewOptions(**kw))
    got = [[r.key, r.id, r.value] for r in res.rows()]
    return {"rows": got, "total_rows": res.metadata().total_rows()}


outcome("brewery_beers_range", lambda: rows(
    "beer", "brewery_beers", namespace=PROD, scan_consistency=ViewScanConsistency.REQUEST_PLUS,
    startkey=["abbey_wright_brewing_valley_inn"], endkey=["abbey_wright_brewing_valley_inn", {}], limit=5))
outcome("by_location_group1", lambda: rows(
    "beer", "by_location", namespace=PROD, group_level=1, limit=4))
outcome("by_location_desc_keys", lambda: rows(
    "beer", "by_location", namespace=PROD, reduce=False, order=ViewOrdering.DESCENDING, limit=3,
    skip=1))
outcome("by_location_keys", lambda: rows(
    "beer", "by_location", namespace=PROD, reduce=False, keys=[["Aruba", "", "Oranjestad"]]))
mgr = bucket.view_indexes()


def manage():
    mgr.upsert_design_document(DesignDocument("official", {
        "ids": View("function (doc, meta) { if (doc.type == 'brewery') emit(meta.id, null); }"),
        "n": View("function (doc, meta) { emit(doc.type, 1); }", "_count")}), DEV)
    dev = mgr.get_design_document("official", DEV)
    names_dev = sorted(d.name for d in mgr.get_all_design_documents(DEV))
    mgr.publish_design_document("official")
    prod = mgr.get_design_document("official", PROD)
    names_prod = sorted(d.name for d in mgr.get_all_design_documents(PROD))
    deadline = time.monotonic() + 20
    while True:       # the new index is built in the background (the default stale=update_after)
        counts = rows("official", "n", namespace=PROD, group=True)
        if counts["rows"] or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    mgr.drop_design_document("official", DEV)
    try:
        mgr.get_design_document("official", DEV)
        dropped = "still there"
    except Exception as e:
        dropped = type(e).__name__
    return {"dev_views": sorted(dev.views), "dev_names": names_dev, "prod_views": sorted(prod.views),
            "prod_map": prod.views["ids"].map, "prod_names": names_prod, "counts": counts["rows"],
            "dropped": dropped}


outcome("manager", manage)
outcome("missing_ddoc", lambda: rows("nosuch", "v", namespace=PROD))
cluster.close()
print(json.dumps(out))
