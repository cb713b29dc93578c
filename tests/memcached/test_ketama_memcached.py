"""Keys spread over three memcached servers land where ketama says."""
import hashlib
import struct

import pytest

from couchbase import Couchbase

pytestmark = pytest.mark.memcached


def ketama_owner(names, key):
    """docs/protocol.md section 7, in Python: 160 points per "host:port", first point >= md5(key)."""
    points = []
    for idx, name in enumerate(names):
        for r in range(40):
            d = hashlib.md5(("%s-%d" % (name, r)).encode()).digest()
            points += [(p, idx) for p in struct.unpack("<4I", d)]
    points.sort()
    h = struct.unpack("<I", hashlib.md5(key.encode()).digest()[:4])[0]
    for p, idx in points:
        if p >= h:
            return idx
    return points[0][1]


@pytest.fixture
def trio_conn(memcached_trio):
    return Couchbase.connect(host="memcached://" + ",".join(s.address for s in memcached_trio))


def test_vbmap_names_the_ketama_owner(trio_conn, memcached_trio, uniq):
    names = [s.address for s in memcached_trio]
    for i in range(200):
        key = "%s%d" % (uniq, i)
        assert trio_conn._vbmap(key)[1] == ketama_owner(names, key)


def test_each_key_is_stored_on_the_server_ketama_names(trio_conn, memcached_trio, uniq):
    keys = ["%s%d" % (uniq, i) for i in range(300)]
    trio_conn.set_multi({k: k for k in keys})
    singles = [Couchbase.connect(host="memcached://" + s.address) for s in memcached_trio]
    for k in keys:
        owner = trio_conn._vbmap(k)[1]
        found = [c.get(k, quiet=True).success for c in singles]
        assert found == [i == owner for i in range(3)]


def test_keys_spread_over_all_three_servers(trio_conn, uniq):
    owners = {trio_conn._vbmap("%s%d" % (uniq, i))[1] for i in range(300)}
    assert owners == {0, 1, 2}
