"""The manual's getting-started examples, run against the embedded Couchbase cluster.

Starts `couchbase.mock` (one node, buckets `default` and `beer-sample`), then runs
"Hello Couchbase", the CRUD walk-through, multi-gets, quiet gets, formats, counters and
locking, printing results the way the manual shows them. With `--memcached HOST:PORT` the
key-value parts run against a plain memcached instead.
"""
import argparse
import os
import pprint
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from couchbase import FMT_BYTES, FMT_PICKLE, FMT_UTF8, Couchbase  # noqa: E402
from couchbase.exceptions import CouchbaseError  # noqa: E402

JULEOL = {"name": "Juleol", "abv": 5.9, "ibu": 0, "srm": 0, "upc": 0, "type": "beer",
          "brewery_id": "aass_brewery", "updated": "2010-07-22 20:00:20", "description": "",
          "style": "American-Style Lager", "category": "North American Lager"}


def hello_couchbase(c):
    print("== Hello Couchbase ==")
    try:
        beer = c.get("aass_brewery-juleol")
    except CouchbaseError as e:
        print("Couldn't retrieve value for key", e)
        raise
    doc = beer.value
    print("{name}, ABV: {abv}".format(name=doc["name"], abv=doc["abv"]))
    doc["comment"] = "Random beer from Norway"
    try:
        result = c.replace("aass_brewery-juleol", doc)
        print(result)
    except CouchbaseError:
        print("Couldn't replace key")
        raise


def crud(c):
    print("\n== Working with documents ==")
    key = "demo_key"
    value = "demo_value"
    c.delete(key, quiet=True)

    print("Setting key {0} with value {1}".format(key, value))
    result = c.set(key, value)
    print("...", result)

    print("\nGetting value for key {0}".format(key))
    result = c.get(key)
    print("...", result)

    print("\nCreating new key {0} with value 'new_value'".format(key))
    print("This will fail as '{0}' already exists".format(key))
    try:
        c.add(key, "another value")
    except CouchbaseError as e:
        print(e)

    print("Replacing existing key {0} with new value".format(key))
    result = c.replace(key, "new value")
    print("...", result)

    print("\nGetting new value for key {0}".format(key))
    result = c.get(key)
    print("...", result)

    print("\nDeleting key", key)
    result = c.delete(key)
    print("...", result)

    print("\nGetting value for key {0}. This will fail as it has been deleted".format(key))
    try:
        c.get(key)
    except CouchbaseError as e:
        print(e)

    print("\nCreating new key {0} with value 'added_value'".format(key))
    result = c.add(key, "added_value")
    print("...", result)

    print("Getting the new value")
    result = c.get(key)
    print("...", result)


def multi_and_quiet(c):
    print("\n== Getting multiple documents ==")
    c.set_multi({
        "sheep_counting": ["first sheep", "second sheep"],
        "famous_sheep": {"sherry lewis": "Lamb Chops"},
    })
    results = c.get_multi(("sheep_counting", "famous_sheep"))
    for key, result in sorted(results.items()):
        print(key, "->", result.value)

    result = c.get("non-exist-key", quiet=True)
    if result.success:
        print("Got document OK")
    else:
        print("Couldn't retrieve document. Result was received with code", hex(result.rc))
    print(CouchbaseError.rc_to_exctype(result.rc))
    results = c.get_multi(("sheep_counting", "but i don't"), quiet=True)
    if not results.all_ok:
        print("Couldn't get all keys")


def formats(c):
    print("\n== Encoding and serialization ==")
    value = {
        "this is a": "dictionary",
        "and this is a list": ["with", "some", "elements"],
        "and this is a tuple": ("with", "more", "elements"),
        "you can also use floats": 3.14,
        "integers": 42,
        "strings": "hello",
        "unicode": "\u05e9\u05dc\u05d5\u05dd!",
        "blobs": "\x00",
        "or a None": None,
    }
    c.set("a_key", value)
    result = c.get("a_key")
    pprint.pprint(result.value)
    print(result.value["unicode"])

    c.set("a_python_set", {1, 2, 3}, format=FMT_PICKLE)
    pprint.pprint(c.get("a_python_set").value)
    c.set("blob", b"\x01\x02\x03\x04", format=FMT_BYTES)
    pprint.pprint(c.get("blob").value)
    c.set("EXCALIBUR", "\u03ee", format=FMT_UTF8)
    print(c.get("EXCALIBUR"))


def counters_and_locks(c, with_locks):
    print("\n== Counters ==")
    c.delete("counter", quiet=True)
    print(c.incr("counter", initial=10))
    print(c.incr("counter", amount=5))
    print(c.decr("counter", amount=3))
    if not with_locks:
        return
    print("\n== Pessimistic locking ==")
    c.set("locked_key", {"state": "free"})
    rv = c.lock("locked_key", ttl=5)
    print("locked:", rv)
    try:
        c.set("locked_key", {"state": "taken"})
    except CouchbaseError as e:
        print("set without the lock CAS fails:", e)
    print(c.set("locked_key", {"state": "taken"}, cas=rv.cas))


def run_all(c, c_beer, with_locks):
    if c_beer is not None:
        hello_couchbase(c_beer)
    crud(c)
    multi_and_quiet(c)
    formats(c)
    counters_and_locks(c, with_locks)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--memcached", metavar="HOST:PORT", help="run the key-value parts against memcached")
    args = ap.parse_args()
    if args.memcached:
        c = Couchbase.connect(host="memcached://" + args.memcached)
        run_all(c, None, with_locks=False)
        return
    from couchbase.mock import MockCluster

    with MockCluster(nodes=1, replicas=0, buckets={"default": None, "beer-sample": None}) as cluster:
        print("embedded cluster: REST port %d, %s" % (cluster.rest_port, cluster.connstr))
        c_beer = Couchbase.connect(bucket="beer-sample", host="127.0.0.1", port=cluster.rest_port)
        c_beer.set("aass_brewery-juleol", JULEOL)  # the one beer-sample document Hello Couchbase reads
        c = Couchbase.connect(bucket="default", host="127.0.0.1", port=cluster.rest_port)
        run_all(c, c_beer, with_locks=True)


if __name__ == "__main__":
    main()
