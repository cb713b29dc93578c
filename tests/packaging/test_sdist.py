"""The package as users get it: `python -m build` makes an sdist and a wheel, the sdist
installs from source into a fresh venv outside the tree, and the installed SDK and its
`couchbase-mock` console script work there; a type checker finds both packages typed there."""
import json
import os
import subprocess
import sys
import tarfile
import zipfile

import pytest

TYPED = ("couchbase/py.typed", "acouchbase/py.typed")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _version():
    ns = {}
    with open(os.path.join(ROOT, "couchbase", "_version.py")) as f:
        for line in f:
            if line.startswith("__version__"):
                exec(line, ns)
    return ns["__version__"]


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    p = subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), ROOT], capture_output=True, text=True,
                       timeout=600)
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:]
    sdist = [f for f in os.listdir(out) if f.endswith(".tar.gz")]
    wheel = [f for f in os.listdir(out) if f.endswith(".whl")]
    assert len(sdist) == 1 and len(wheel) == 1
    return str(out / sdist[0]), str(out / wheel[0])


@pytest.fixture(scope="module")
def installed(dist, tmp_path_factory):
    """A fresh venv outside the repository with the sdist installed from source."""
    venv = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    py = os.path.join(str(venv), "bin", "python")
    p = subprocess.run([py, "-m", "pip", "install", "-q", dist[0]], capture_output=True, text=True, timeout=900)
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:]
    return venv


def test_sdist_carries_every_c_source_header_and_build_script(dist):
    with tarfile.open(dist[0]) as t:
        names = {n.split("/", 1)[1] for n in t.getnames() if "/" in n}
    csrc = {os.path.join("csrc", f) for f in os.listdir(os.path.join(ROOT, "csrc"))
            if f.endswith((".c", ".h"))}
    pysrc = {os.path.join("csrc", "py", f) for f in os.listdir(os.path.join(ROOT, "csrc", "py"))
             if f.endswith((".c", ".h"))}
    assert csrc | pysrc | {"csrc/build_cffi.py", "setup.py", "pyproject.toml", "LICENSE", "README.md"} <= names


def test_wheel_carries_the_compiled_modules_and_py_typed(dist):
    with zipfile.ZipFile(dist[1]) as z:
        names = z.namelist()
    assert any(n.startswith("couchbase/_core/_cbc") and n.endswith(".so") for n in names)
    assert any(n.startswith("couchbase/_core/_fastpath") and n.endswith(".so") for n in names)
    assert set(TYPED) <= set(names)
    assert {"couchbase/_core/_fastpath.pyi", "couchbase/_core/_cbc.pyi", "couchbase/_modern/option_keys.pyi",
            "couchbase/_classic/arg_types.pyi"} <= set(names)


def test_wheel_and_sdist_carry_the_asyncio_face(dist):
    pkg = {os.path.join("acouchbase", f) for f in os.listdir(os.path.join(ROOT, "acouchbase")) if f.endswith(".py")}
    with zipfile.ZipFile(dist[1]) as z:
        assert pkg | {"acouchbase/management/buckets.py", "acouchbase/py.typed"} <= set(z.namelist())
    with tarfile.open(dist[0]) as t:
        assert pkg | set(TYPED) <= {n.split("/", 1)[1] for n in t.getnames() if "/" in n}


def test_installed_asyncio_face_imports_outside_the_tree(installed):
    py = os.path.join(str(installed), "bin", "python")
    p = subprocess.run([py, "-c", "import acouchbase.cluster as c; print(c.Cluster.__name__)"], capture_output=True,
                       text=True, timeout=60, cwd="/tmp")
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "AsyncCluster"


def test_metadata_has_license_python_requires_readme_and_one_version(dist):
    with zipfile.ZipFile(dist[1]) as z:
        meta = z.read(next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))).decode()
    fields = [line.split(": ", 1) for line in meta.splitlines() if ": " in line]
    keys = {k for k, _v in fields}
    assert {"License-Expression", "Requires-Python", "Classifier", "Description-Content-Type"} <= keys
    assert ("Version", _version()) in [tuple(f) for f in fields]
    assert ("Requires-Dist", "cffi>=1.15") in [tuple(f) for f in fields]


def test_installed_console_script_reports_the_version(installed):
    exe = os.path.join(str(installed), "bin", "couchbase-mock")
    p = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=60, cwd="/tmp")
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "couchbase-mock %s" % _version()


def test_installed_sdk_talks_to_the_installed_embedded_cluster(installed, tmp_path):
    """From outside the tree: start `couchbase-mock`, then store and read with both faces."""
    bindir = os.path.join(str(installed), "bin")
    ready = str(tmp_path / "ready.json")
    mock = subprocess.Popen([os.path.join(bindir, "couchbase-mock"), "--ready-file", ready], cwd="/tmp",
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        info = json.loads(mock.stdout.readline())
        script = (
            "import couchbase, sys\n"
            "assert couchbase.__file__.startswith(sys.prefix), couchbase.__file__\n"
            "from couchbase import Couchbase\n"
            "from couchbase.auth import PasswordAuthenticator\n"
            "from couchbase.cluster import Cluster\n"
            "from couchbase.options import ClusterOptions\n"
            "c = Couchbase.connect(bucket='default', host='127.0.0.1', port=%d)\n"
            "c.set('packaged', {'ok': 1})\n"
            "cluster = Cluster.connect(%r, ClusterOptions(PasswordAuthenticator('Administrator', 'password')))\n"
            "print(cluster.bucket('default').default_collection().get('packaged').content_as[dict])\n"
        ) % (info["rest_port"], info["connstr"])
        p = subprocess.run([os.path.join(bindir, "python"), "-c", script], capture_output=True, text=True,
                           timeout=120, cwd="/tmp", env={"PATH": bindir + ":/usr/bin:/bin"})
        assert p.returncode == 0, p.stderr[-3000:]
        assert p.stdout.strip() == "{'ok': 1}"
    finally:
        mock.terminate()
        mock.wait(30)


def test_installed_package_carries_py_typed_and_its_stubs(installed):
    """Type checkers find the marker and the stubs of the compiled modules where pip put the package."""
    p = subprocess.run([os.path.join(str(installed), "bin", "python"), "-c",
                        "import os, couchbase; print(os.path.dirname(couchbase.__file__))"],
                       capture_output=True, text=True, timeout=60, cwd="/tmp")
    assert p.returncode == 0, p.stderr
    pkg = p.stdout.strip()
    for rel in ("py.typed", "_core/_fastpath.pyi", "_core/_cbc.pyi", "_modern/option_keys.pyi",
                "_classic/arg_types.pyi", "../acouchbase/py.typed"):
        assert os.path.isfile(os.path.join(pkg, rel)), rel


def test_typed_asyncio_user_code_passes_mypy_strict_against_the_installed_packages(installed, tmp_path):
    """mypy (this interpreter's) checks the typed asyncio user code against the packages pip
    installed in the fresh venv (PEP 561: found through their py.typed), not the tree's."""
    src = os.path.join(ROOT, "tests", "typing", "user_correct_asyncio.py")
    with open(src) as f, open(str(tmp_path / "user_code.py"), "w") as out:
        out.write(f.read())
    py = os.path.join(str(installed), "bin", "python")
    p = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--python-executable", py, "--cache-dir",
                        str(tmp_path / "cache"), "--config-file", "", "user_code.py"],
                       capture_output=True, text=True, timeout=600, cwd=str(tmp_path))
    assert p.returncode == 0, p.stdout[-5000:] + p.stderr[-2000:]
    assert p.stdout.startswith("Success: no issues found")
