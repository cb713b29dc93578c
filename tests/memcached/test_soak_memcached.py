"""A million key operations through one Connection: memory stays flat."""
import os
import resource

import pytest

from couchbase import FMT_BYTES, Couchbase

pytestmark = [
    pytest.mark.memcached,
    pytest.mark.skipif(os.environ.get("CBC_SANITIZE") == "1",
                       reason="memory growth means nothing under AddressSanitizer (shadow memory, quarantine)"),
]


def rss_kb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() // 1024


@pytest.mark.parametrize("native", [True, False])
def test_one_million_key_ops_do_not_grow_memory(memcached, uniq, native):
    from couchbase._core import batch as _batch

    prev = _batch.use_native(native)
    try:
        c = Couchbase.connect(host="memcached://" + memcached.address)
        keys = ["%s%d" % (uniq, i) for i in range(1000)]
        c.set_multi(dict.fromkeys(keys, b"0123456789"), format=FMT_BYTES)
        rounds = 1000 if native else 100  # the fallback is ~20x slower: 100k key-ops
        for _ in range(rounds // 10):  # warm-up: buffers reach their working size
            c.get_multi(keys)
        before = rss_kb()
        for i in range(rounds):
            res = c.get_multi(keys)
            if i % 2:
                c.set_multi(dict.fromkeys(keys, b"9876543210"), format=FMT_BYTES)
        after = rss_kb()
        assert len(res) == 1000
        assert after - before < 4096, "RSS grew by %d KiB" % (after - before)
    finally:
        _batch.use_native(prev)
