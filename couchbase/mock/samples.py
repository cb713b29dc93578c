"""Loading Couchbase sample archives (``<name>/docs/*.json``, ``<name>/design_docs/*.json``)."""

import json
import posixpath
import zipfile

JSON_FLAGS = 0x02000000


def load_sample(bucket, path):
    """Load documents and design documents of the zip at ``path`` into ``bucket``
    (a BucketStore). Returns (documents loaded, design documents loaded)."""
    docs = ddocs = 0
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            if info.is_dir() or not info.filename.endswith(".json"):
                continue
            parts = info.filename.split("/")
            if len(parts) < 3:
                continue
            kind = parts[-2]
            key = posixpath.basename(info.filename)[:-5]
            data = zf.read(info)
            if kind == "docs":
                bucket.set(key, data, flags=JSON_FLAGS)
                docs += 1
            elif kind == "design_docs":
                try:
                    doc = json.loads(data)
                except ValueError:
                    continue
                ddid = doc.get("_id") if isinstance(doc, dict) else None
                if isinstance(ddid, str) and ddid.startswith("_design/"):
                    bucket.design_docs[ddid] = doc
                    ddocs += 1
                else:
                    # e.g. indexes.json: N1QL statements, kept for completeness
                    bucket.sample_extras = getattr(bucket, "sample_extras", {})
                    bucket.sample_extras[key] = doc
    return docs, ddocs
