"""``make beersample``: the embedded cluster, the beer-sample data, the views, and the
application on http://127.0.0.1:5000/.

    python -m examples.beersample [--port 5000] [--data beer-sample.zip | --generate]

The cluster runs as its own process (``python -m couchbase.mock``), as a server would; it
loads ``../shared/data/beer-sample.zip`` when there is one, otherwise a generated dataset of
the same shape. Ctrl-C (or SIGTERM) stops the application and the cluster.
"""
import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time

from werkzeug.serving import make_server

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SAMPLE_ZIP = os.path.join(ROOT, "..", "shared", "data", "beer-sample.zip")
GENERATED_ZIP = os.path.join(ROOT, "build", "beersample", "generated-beer-sample.zip")
BUCKET = "beer-sample"
LISTEN_BACKLOG = 1024


def dataset_path(data=None, generate=False, out=print):
    """The archive to load: ``data``, the sample when present, else a generated one."""
    if data:
        return data
    if not generate and os.path.exists(SAMPLE_ZIP):
        return os.path.abspath(SAMPLE_ZIP)
    if not os.path.exists(GENERATED_ZIP):
        from .dataset import generate as make

        os.makedirs(os.path.dirname(GENERATED_ZIP), exist_ok=True)
        tmp = GENERATED_ZIP + ".tmp"
        count = make(tmp)
        os.replace(tmp, GENERATED_ZIP)
        out("generated a beer-sample-shaped dataset of %d documents: %s" % (count, GENERATED_ZIP))
    return GENERATED_ZIP


class Cluster:
    """``python -m couchbase.mock`` in a child process, stopped by its PID."""

    def __init__(self, zip_path, nodes=1, timeout=120):
        self.zip_path = zip_path
        self.nodes = nodes
        self.timeout = timeout
        self.proc = None
        self.info = None
        self._dir = tempfile.mkdtemp(prefix="beersample-")

    def start(self):
        ready = os.path.join(self._dir, "ready.json")
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [ROOT, os.environ.get("PYTHONPATH")])))
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "couchbase.mock", "--nodes", str(self.nodes), "--bucket", BUCKET,
             "--load", "%s=%s" % (BUCKET, self.zip_path), "--ready-file", ready],
            stdout=subprocess.DEVNULL, env=env)
        deadline = time.monotonic() + self.timeout
        while not os.path.exists(ready):
            if self.proc.poll() is not None:
                raise RuntimeError("the embedded cluster exited with status %s" % self.proc.returncode)
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("the embedded cluster did not start within %ss" % self.timeout)
            time.sleep(0.05)
        with open(ready) as f:
            self.info = json.load(f)
        return self

    @property
    def rest_port(self):
        return self.info["rest_port"]

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def parse_args(argv=None):
    p = argparse.ArgumentParser(prog="python -m examples.beersample", description=__doc__.split("\n\n")[0])
    p.add_argument("--host", default="127.0.0.1", help="address to serve on (loopback only)")
    p.add_argument("--port", type=int, default=5000, help="port to serve on (0: any free port)")
    p.add_argument("--data", help="a beer-sample archive to load")
    p.add_argument("--generate", action="store_true", help="load a generated dataset even when the sample exists")
    p.add_argument("--nodes", type=int, default=1, help="nodes of the embedded cluster")
    args = p.parse_args(argv)
    if not (args.host.startswith("127.") or args.host in ("localhost", "::1")):
        p.error("--host must be a loopback address")
    return args


def main(argv=None):
    args = parse_args(argv)
    from couchbase import Couchbase

    from .app import create_app
    from .design_setup import setup_views

    zip_path = dataset_path(args.data, args.generate)
    print("starting the embedded cluster with %s ..." % zip_path, flush=True)
    cluster = Cluster(zip_path, nodes=args.nodes).start()
    server = None
    try:
        db = Couchbase.connect(bucket=BUCKET, host="127.0.0.1", port=cluster.rest_port)
        changed = setup_views(db)
        print("views: %s" % ("published " + ", ".join(changed) if changed else "in place"), flush=True)
        app = create_app({"HOST": "127.0.0.1", "PORT": cluster.rest_port, "DATABASE": BUCKET})
        try:
            server = make_server(args.host, args.port, app, threaded=True)
        except OSError as e:
            raise SystemExit("cannot serve on %s:%d (%s); pass --port" % (args.host, args.port, e.strerror))
        server.socket.listen(LISTEN_BACKLOG)

        def stop(*_):
            threading.Thread(target=server.shutdown, daemon=True).start()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        print("cluster REST port: %d" % cluster.rest_port, flush=True)
        print("Beer sample running at http://%s:%d/ (Ctrl-C to stop)" % (args.host, server.server_port), flush=True)
        server.serve_forever()
    finally:
        if server is not None:
            server.server_close()
        cluster.stop()
    print("stopped", flush=True)


if __name__ == "__main__":
    main()
