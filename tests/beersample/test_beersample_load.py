"""A short load test: 200 page requests at once against the application as
``make beersample`` serves it. They must all succeed; the latencies are reported (printed
and written to build/test-output/beersample/load.json), not asserted."""
import http.client
import json
import os
import threading
import time
from urllib.parse import urlsplit

from beersample_helpers import ROOT

CONCURRENT = 200
OUTPUT = os.environ.get("BEERSAMPLE_OUTPUT") or os.path.join(ROOT, "build", "test-output", "beersample")
PAGES = ["/", "/beers", "/breweries", "/beers?startkey=%22Bud%22&startkey_docid=",
         "/beers/show/21st_amendment_brewery_cafe-21a_ipa", "/breweries/show/21st_amendment_brewery_cafe",
         "/beers/search?value=Bud", "/breweries/search?value=B", "/beers/edit/21st_amendment_brewery_cafe-21a_ipa",
         "/beers/create"]


def percentile(sorted_values, p):
    return sorted_values[min(len(sorted_values) - 1, int(round(p / 100.0 * (len(sorted_values) - 1))))]


def fetch(parts, path):
    """(status, body length, seconds, path) of one GET on a new connection."""
    began = time.perf_counter()
    try:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        conn.request("GET", path)
        answer = conn.getresponse()
        body = answer.read()
        conn.close()
        return answer.status, len(body), time.perf_counter() - began, path
    except Exception as e:  # recorded, and the assertion names it
        return repr(e), 0, time.perf_counter() - began, path


def test_200_concurrent_page_requests_all_succeed(served_app):
    parts = urlsplit(served_app.url)
    # one at a time first: what a single request costs, for comparison
    alone = sorted(fetch(parts, PAGES[i % len(PAGES)])[2] for i in range(2 * len(PAGES)))
    start = threading.Barrier(CONCURRENT)
    results = [None] * CONCURRENT

    def request(i):
        start.wait()
        results[i] = fetch(parts, PAGES[i % len(PAGES)])

    threads = [threading.Thread(target=request, args=(i,)) for i in range(CONCURRENT)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    failures = [r for r in results if r is None or r[0] != 200 or r[1] == 0]
    assert not failures, failures[:5]
    latencies = sorted(r[2] for r in results)
    report = {"requests": CONCURRENT, "errors": 0, "p50_ms": round(percentile(latencies, 50) * 1000, 1),
              "p99_ms": round(percentile(latencies, 99) * 1000, 1), "max_ms": round(latencies[-1] * 1000, 1),
              "one_at_a_time_p50_ms": round(percentile(alone, 50) * 1000, 1)}
    os.makedirs(OUTPUT, exist_ok=True)
    with open(os.path.join(OUTPUT, "load.json"), "w") as f:
        json.dump(report, f, indent=2)
    print("\nbeer-sample load: %(requests)d concurrent page requests, %(errors)d errors, "
          "p50 %(p50_ms)s ms, p99 %(p99_ms)s ms, max %(max_ms)s ms "
          "(one request at a time: p50 %(one_at_a_time_p50_ms)s ms)" % report)
