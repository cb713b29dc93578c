"""The configuration cache (``conncache=PATH`` / ``config_cache=PATH``): the bucket's
cluster map kept in a file, so that the next short-lived connection to the same bucket
opens its data sockets without the HTTP bootstrap.

The file is JSON: ``{"bucket": NAME, "config": <the bucket config>}``. It is written
(atomically: a temporary file, then a rename) after every network bootstrap. A file that
is missing, unreadable, corrupt, for another bucket, or stale (its first node no longer
answers) is ignored, and the connection bootstraps from the network and rewrites it.
"""
import json
import os


def load(path, bucket):
    """The cached config (bytes) for `bucket`, or None."""
    try:
        with open(path, "rb") as f:
            doc = json.loads(f.read().decode("utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    if not isinstance(doc, dict) or doc.get("bucket") != bucket or not isinstance(doc.get("config"), dict):
        return None
    return json.dumps(doc["config"]).encode("utf-8")


def save(path, bucket, config):
    """Write `config` (the parsed bucket config dict) for `bucket`; True when written.

    A cache that cannot be written is not an error: the connection works without it."""
    tmp = "%s.%d.tmp" % (path, os.getpid())
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump({"bucket": bucket, "config": config}, f)
        os.replace(tmp, path)
    except OSError:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        return False
    return True
