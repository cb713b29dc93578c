"""Command line: run a cluster until SIGTERM/SIGINT.

python -m couchbase.mock [--host 127.0.0.1] [--port N] [--kv-port N] [--nodes N] [--replicas R]
    [--vbuckets V] [--user USER:PASS] [--bucket NAME[:PASSWORD]]...
    [--collection BUCKET.SCOPE.COLLECTION]... [--load NAME=PATH.zip]... [--ready-file PATH]
    [--tls] [--no-plain] [--client-cert [CA_PEM]] [--log-level LEVEL]
"""

import argparse
import asyncio
import json
import logging
import os
import signal
import sys
import zipfile

from .cluster import ClusterCore
from .samples import load_sample


def _package_version():
    # the package's version, read without importing the client (the mock imports none of it)
    import importlib.metadata

    try:
        return importlib.metadata.version("couchbase")
    except importlib.metadata.PackageNotFoundError:  # run from a source tree
        from couchbase._version import __version__

        return __version__


def parse_args(argv=None):
    p = argparse.ArgumentParser(prog="couchbase-mock",
                                description="Run an embedded Couchbase cluster.")
    p.add_argument("--version", action="version", version="%(prog)s " + _package_version())
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0,
                   help="REST port of node 0 (0 = a free port; 8091 lets 1.x code with default ports run)")
    p.add_argument("--kv-port", type=int, default=0, help="data (memcached) port of node 0 (0 = a free port; "
                   "11210 is the conventional one)")
    p.add_argument("--nodes", type=int, default=1)
    p.add_argument("--replicas", type=int, default=0)
    p.add_argument("--vbuckets", type=int, default=1024)
    p.add_argument("--user", default="Administrator:password", help="admin USER:PASS")
    p.add_argument("--bucket", action="append", default=[], metavar="NAME[:PASSWORD]")
    p.add_argument("--collection", action="append", default=[],
                   metavar="BUCKET.SCOPE.COLLECTION")
    p.add_argument("--load", action="append", default=[], metavar="NAME=PATH.zip")
    p.add_argument("--ready-file")
    p.add_argument("--tls", action="store_true",
                   help="every node also listens with TLS (its own CA; ready file: ca_cert, connstr_tls)")
    p.add_argument("--no-plain", action="store_true", help="refuse SASL PLAIN (SCRAM only)")
    p.add_argument("--client-cert", nargs="?", const=True, default=False, metavar="CA_PEM",
                   help="TLS ports require a client certificate (issued by CA_PEM, default the cluster's CA; "
                        "its subject CN names the user)")
    p.add_argument("--log-level", default="WARNING", type=str.upper,
                   choices=["DEBUG", "INFO", "WARNING", "ERROR"],
                   help="the couchbase.mock log on stderr: INFO shows nodes, buckets, failovers and rebalances "
                        "(default WARNING)")
    args = p.parse_args(argv)
    if args.client_cert and not args.tls:
        p.error("--client-cert needs --tls")
    if not (args.host.startswith("127.") or args.host in ("localhost", "::1")):
        p.error("--host must be a loopback address")
    if ":" not in args.user:
        p.error("--user must be USER:PASS")
    for spec in args.load:
        name, eq, path = spec.partition("=")
        if not eq or not name or not path:
            p.error("--load wants NAME=PATH.zip, got %r" % spec)
    return args


async def run(args):
    user, _, password = args.user.partition(":")
    buckets = {}
    for spec in args.bucket or ["default"]:
        name, _, pw = spec.partition(":")
        buckets[name] = pw or None
    colls = []
    for spec in args.collection:
        parts = spec.split(".")
        if len(parts) != 3:
            raise SystemExit("--collection wants BUCKET.SCOPE.COLLECTION, got %r" % spec)
        colls.append(tuple(parts))
    core = ClusterCore(args.host, args.nodes, args.replicas, args.vbuckets, buckets,
                       {user: password}, colls, args.port, kv_port=args.kv_port, tls=args.tls,
                       no_plain=args.no_plain, client_cert=args.client_cert)
    try:
        await core.start()
    except OSError as e:
        raise _Fatal("cannot listen on %s (--port %d, --kv-port %s): %s"
                     % (args.host, args.port, args.kv_port, e.strerror or e)) from None
    try:
        for spec in args.load:
            name, _, path = spec.partition("=")
            if name not in core.topo.buckets:
                core.create_bucket(name)
            try:
                load_sample(core.topo.buckets[name], path)
            except (OSError, ValueError, KeyError, zipfile.BadZipFile) as e:
                raise _Fatal("cannot load %s into bucket %r: %s" % (path, name, e)) from None
    except _Fatal:
        await core.stop()
        raise
    info = core.info()
    text = json.dumps(info)
    if args.ready_file:
        with open(args.ready_file + ".tmp", "w") as f:
            f.write(text)
        os.replace(args.ready_file + ".tmp", args.ready_file)
    print(text, flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await core.stop()


class _Fatal(Exception):
    """A start-up failure, reported in one line."""


def _check_samples(args):
    for spec in args.load:
        path = spec.partition("=")[2]
        if not os.path.isfile(path):
            raise _Fatal("--load %s: no such file" % path)
        if not zipfile.is_zipfile(path):
            raise _Fatal("--load %s: not a zip file" % path)


def main(argv=None):
    args = parse_args(argv)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    log = logging.getLogger("couchbase.mock")
    log.addHandler(handler)
    log.setLevel(args.log_level)
    try:
        _check_samples(args)
        asyncio.run(run(args))
    except _Fatal as e:
        print("couchbase-mock: error: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
