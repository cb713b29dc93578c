"""Host names are resolved inside the core's connection setup without overrunning the
operation's timeout (a resolver thread, its wait bounded by the deadline), and a name that
does not resolve is a clear error naming the host."""
import os
import subprocess
import sys
import textwrap
import time

import pytest

from servers import free_port

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

# getaddrinfo for names under .slow.test sleeps SLOW_DNS_MS and then fails; under
# .late.test it sleeps and then answers 127.0.0.1; every other name goes to the real one.
SHIM = r"""
#define _GNU_SOURCE
#include <dlfcn.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef int (*gai_fn)(const char *, const char *, const struct addrinfo *, struct addrinfo **);

static int ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), t = strlen(tail);
    return n >= t && strcmp(s + n - t, tail) == 0;
}

int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints, struct addrinfo **res)
{
    gai_fn real = (gai_fn)dlsym(RTLD_NEXT, "getaddrinfo");
    if (node && (ends_with(node, ".slow.test") || ends_with(node, ".late.test"))) {
        const char *ms = getenv("SLOW_DNS_MS");
        long v = ms ? atol(ms) : 3000;
        struct timespec ts = {v / 1000, (v % 1000) * 1000000L};
        nanosleep(&ts, NULL);
        if (ends_with(node, ".slow.test")) {
            return EAI_NONAME;
        }
        return real("127.0.0.1", service, hints, res);
    }
    return real(node, service, hints, res);
}
"""


@pytest.fixture(scope="module")
def slow_dns(tmp_path_factory):
    """Path of a shared object that makes some names resolve slowly (LD_PRELOAD)."""
    d = tmp_path_factory.mktemp("slowdns")
    src = d / "slowdns.c"
    src.write_text(SHIM)
    lib = d / "slowdns.so"
    subprocess.run(["cc", "-shared", "-fPIC", "-O1", "-o", str(lib), str(src), "-ldl"], check=True)
    return str(lib)


def run_with_slow_dns(lib, code, delay_ms=3000):
    """Run `code` in a fresh interpreter with the slow resolver; its last stdout line."""
    # after what is preloaded already (the sanitizer runtimes under `make sanitize` come first)
    preload = " ".join(p for p in (os.environ.get("LD_PRELOAD", ""), lib) if p)
    env = dict(os.environ, LD_PRELOAD=preload, SLOW_DNS_MS=str(delay_ms), PYTHONPATH=ROOT + os.pathsep + HERE)
    p = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env, capture_output=True, text=True,
                       timeout=60, cwd=ROOT)
    assert p.returncode == 0, p.stderr[-3000:]
    return p.stdout.strip().splitlines()[-1]


@pytest.mark.memcached
def test_hanging_resolver_does_not_overrun_the_timeout(slow_dns, memcached):
    """A 3 s lookup against a 0.4 s operation timeout: the get fails at 0.4 s, naming the
    host, and the same connection object then serves a reachable server."""
    out = run_with_slow_dns(slow_dns, """
        import time
        from couchbase import Couchbase
        from couchbase.exceptions import TimeoutError
        conn = Couchbase.connect(host="memcached://db.slow.test:11211", timeout=0.4)
        t0 = time.monotonic()
        try:
            conn.get("k")
            print("NO ERROR")
        except TimeoutError as e:
            print("%.3f|%s" % (time.monotonic() - t0, e))
    """)
    elapsed, message = out.split("|", 1)
    assert float(elapsed) < 0.4 + 0.3
    assert "db.slow.test" in message and "resolving" in message


@pytest.mark.memcached
def test_slow_name_that_resolves_within_the_timeout_connects(slow_dns, memcached):
    out = run_with_slow_dns(slow_dns, """
        from couchbase import Couchbase
        conn = Couchbase.connect(host="memcached://db.late.test:%d", timeout=2.0)
        conn.set("late-k", "v")
        print(conn.get("late-k").value)
    """ % memcached.port, delay_ms=200)
    assert out == "v"


def test_resolver_in_flight_is_abandoned_cleanly(slow_dns):
    """Many lookups left running past their deadline: no crash, no leak of the process's
    progress (each failed call returns on time), and the interpreter exits normally."""
    out = run_with_slow_dns(slow_dns, """
        import time
        from couchbase import Couchbase
        from couchbase.exceptions import CouchbaseError
        t0 = time.monotonic()
        for i in range(20):
            conn = Couchbase.connect(host="memcached://n%d.slow.test:11211" % i, timeout=0.05)
            try:
                conn.get("k")
            except CouchbaseError:
                pass
        print("%.3f" % (time.monotonic() - t0))
    """, delay_ms=1000)
    assert float(out) < 20 * 0.05 + 1.0


@pytest.mark.memcached
def test_name_that_does_not_resolve_is_unknown_host_classic_memcached():
    from couchbase import Couchbase
    from couchbase.exceptions import UnknownHostError

    conn = Couchbase.connect(host="memcached://no-such-host.invalid:%d" % free_port(), timeout=2)
    t0 = time.monotonic()
    with pytest.raises(UnknownHostError) as info:
        conn.get("k")
    assert time.monotonic() - t0 < 2.5
    assert "no-such-host.invalid" in str(info.value) and "does not resolve" in str(info.value)


def test_name_that_does_not_resolve_is_unknown_host_classic_bootstrap():
    from couchbase import Couchbase
    from couchbase.exceptions import UnknownHostError

    with pytest.raises(UnknownHostError) as info:
        Couchbase.connect(connstr="couchbase://no-such-host.invalid/default", timeout=2)
    assert "no-such-host.invalid" in str(info.value)


def test_name_that_does_not_resolve_modern_names_the_host():
    from couchbase.auth import PasswordAuthenticator
    from couchbase.cluster import Cluster
    from couchbase.exceptions import UnAmbiguousTimeoutException
    from couchbase.options import ClusterOptions

    with pytest.raises(UnAmbiguousTimeoutException) as info:
        Cluster("couchbase://no-such-host.invalid", ClusterOptions(PasswordAuthenticator("u", "p")))
    assert "no-such-host.invalid" in info.value.message and "does not resolve" in info.value.message


@pytest.mark.memcached
def test_localhost_by_name_connects(memcached):
    from couchbase import Couchbase

    conn = Couchbase.connect(host="memcached://localhost:%d" % memcached.port)
    conn.set("by-name", 1)
    assert conn.get("by-name").value == 1
