"""Helpers of the beer-sample application's tests: a CSRF-aware test client, the forms
the edit pages post, and the application served as ``make beersample`` serves it."""
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOKEN = "test-csrf-token"


class Client:
    """A Flask test client whose POSTs carry the session's CSRF token."""

    def __init__(self, app):
        self.app = app
        self.raw = app.test_client()
        with self.raw.session_transaction() as s:
            s["csrf"] = TOKEN

    def get(self, url, **kw):
        return self.raw.get(url, **kw)

    def post(self, url, data=None, json_answer=False, **kw):
        data = dict(data or {})
        data.setdefault("csrf_token", TOKEN)
        if json_answer:
            kw.setdefault("headers", {})["Accept"] = "application/json"
        return self.raw.post(url, data=data, **kw)


def beer_form(**fields):
    """A beer form as the edit page posts it."""
    out = {"beer_name": "", "beer_description": "", "beer_style": "", "beer_category": "", "beer_abv": "",
           "beer_ibu": "", "beer_srm": "", "beer_upc": "", "beer_brewery_id": ""}
    out.update({"beer_" + k: v for k, v in fields.items()})
    return out


def brewery_form(**fields):
    out = {"brewery_" + k: "" for k in ("name", "description", "address", "city", "state", "code", "country",
                                        "phone", "website", "lat", "lon")}
    out.update({"brewery_" + k: v for k, v in fields.items()})
    return out


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServedApp:
    """``python -m examples.beersample`` in a child process, as ``make beersample`` runs it."""

    def __init__(self, *args, timeout=180):
        self.port = free_port()
        self.lines = []
        self.proc = subprocess.Popen([sys.executable, "-m", "examples.beersample", "--port", str(self.port)] + list(args),
                                     cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self._ready = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()
        if not self._ready.wait(timeout):
            self.stop()
            raise AssertionError("the application did not start:\n" + "".join(self.lines))
        if self.proc.poll() is not None:
            raise AssertionError("the application exited:\n" + "".join(self.lines))
        self.url = re.search(r"running at (http://\S+)", "".join(self.lines)).group(1)
        self.cluster_port = int(re.search(r"cluster REST port: (\d+)", "".join(self.lines)).group(1))

    def _read(self):
        for line in self.proc.stdout:
            self.lines.append(line)
            if "running at" in line:
                self._ready.set()
        self._ready.set()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


def wait_closed(port, timeout=10.0):
    """True once nothing listens on ``port`` any more."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
        except OSError:
            return True
        time.sleep(0.05)
    return False


def hrefs(html, prefix):
    """The targets of the page's links that start with ``prefix``, in page order."""
    from html import unescape
    from urllib.parse import unquote

    found = (unescape(h) for h in re.findall(r'(?<![-\w])href="([^"]*)"', html))
    return [unquote(h) for h in found if h.startswith(prefix)]


def shown_ids(html, otype):
    """The ids of the beers or breweries a listing shows, in order."""
    prefix = "/%s/show/" % otype
    return [h[len(prefix):] for h in hrefs(html, prefix)]


def link(html, element_id):
    """The href of the element with this id."""
    from html import unescape

    m = re.search(r'id="%s"\s+href="([^"]*)"' % re.escape(element_id), html) or \
        re.search(r'href="([^"]*)"[^>]*id="%s"' % re.escape(element_id), html)
    return unescape(m.group(1)) if m else None
