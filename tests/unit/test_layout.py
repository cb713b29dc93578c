"""Static checks of the package layout: the engine is the only code on the compiled core,
imports form no cycle, the pure-Python parts load without a build, and files stay small."""
import ast
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
#: the SDK's packages: the blocking faces, the engine and the embedded cluster; the asyncio face
PKGS = (os.path.join(ROOT, "couchbase"), os.path.join(ROOT, "acouchbase"))
CSRC = os.path.join(ROOT, "csrc")
COMPILED = ("couchbase._core._cbc", "couchbase._core._fastpath")


def _modules():
    """{module name: path} for every .py file of the packages."""
    out = {}
    for dirpath, _dirs, files in (w for pkg in PKGS for w in os.walk(pkg)):
        for f in files:
            if f.endswith(".py"):
                path = os.path.join(dirpath, f)
                rel = os.path.relpath(path, ROOT)[:-3].split(os.sep)
                if rel[-1] == "__init__":
                    rel = rel[:-1]
                out[".".join(rel)] = path
    return out


MODULES = _modules()


def _type_checking_only(tree):
    """The nodes inside `if TYPE_CHECKING:` blocks (imports for type checkers, never run)."""
    skip = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            for stmt in node.body:
                skip.update(map(id, ast.walk(stmt)))
    return skip


def _imports(name, path):
    """Every module of the package that `name` imports when it runs, at any depth of its code
    (imports made for type checkers only, under `if TYPE_CHECKING:`, are left out)."""
    with open(path) as f:
        tree = ast.parse(f.read(), path)
    package = name if path.endswith("__init__.py") else name.rpartition(".")[0]
    found = set()
    skip = _type_checking_only(tree)
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module
            # `from pkg import sub` imports the submodule when there is one
            targets = [mod + "." + a.name if (mod + "." + a.name) in MODULES else mod for a in node.names]
        else:
            continue
        for t in targets:
            if t in MODULES or t in COMPILED:
                found.add(t)
    return found


def _cycle(graph):
    """One import cycle as a list of modules, or None (depth-first search)."""
    state = {}
    stack = []

    def visit(n):
        state[n] = 1
        stack.append(n)
        for m in sorted(graph.get(n, ())):
            if state.get(m) == 1:
                return stack[stack.index(m):] + [m]
            if m not in state:
                found = visit(m)
                if found:
                    return found
        stack.pop()
        state[n] = 2
        return None

    for n in sorted(graph):
        if n not in state:
            found = visit(n)
            if found:
                return found
    return None


def _sdk(name):
    return not (name == "couchbase.mock" or name.startswith("couchbase.mock."))


def test_no_import_cycle_among_sdk_modules():
    graph = {n: {m for m in _imports(n, p) if _sdk(m) and m in MODULES}
             for n, p in MODULES.items() if _sdk(n)}
    assert _cycle(graph) is None


def test_cycle_finder_finds_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_only_the_engine_touches_the_compiled_core():
    offenders = []
    for name, path in MODULES.items():
        if name == "couchbase._core" or name.startswith("couchbase._core."):
            continue
        if _imports(name, path) & set(COMPILED):
            offenders.append((name, "imports a compiled module"))
        with open(path) as f:
            tree = ast.parse(f.read(), path)
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "couchbase._core.binding":
                if {a.name for a in node.names} & {"lib", "ffi"}:
                    offenders.append((name, "imports lib/ffi"))
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and \
                    node.value.id in ("lib", "ffi"):
                offenders.append((name, "uses %s.%s" % (node.value.id, node.attr)))
    assert offenders == []


_BLOCK_COMPILED = "import sys\n" + "".join("sys.modules[%r] = None\n" % m for m in COMPILED)


def _run_without_compiled(code):
    return subprocess.run([sys.executable, "-c", _BLOCK_COMPILED + code], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)


@pytest.mark.parametrize("module", ["couchbase", "couchbase.exceptions", "couchbase.options", "couchbase.mock",
                                    "couchbase.auth", "couchbase.durability", "couchbase.user_constants"])
def test_module_imports_without_the_compiled_core(module):
    p = _run_without_compiled("import %s\nimport couchbase._core._cbc\n" % module)
    # the module itself imports; only the deliberate import of the blocked core fails
    assert "ModuleNotFoundError: import of couchbase._core._cbc halted" in p.stderr, p.stderr[-2000:]
    assert p.stderr.count("Traceback") == 1


def test_embedded_cluster_runs_without_the_compiled_core():
    p = _run_without_compiled(
        "from couchbase.mock import MockCluster\n"
        "from couchbase.mock._client import SmartClient\n"
        "with MockCluster(nodes=1, vbuckets=16) as m:\n"
        "    c = SmartClient('127.0.0.1', m.info()['nodes'][0]['kv'], 'Administrator', 'password', 'default')\n"
        "    cfg = c.cfg\n"
        "print('ran', cfg['name'], 'couchbase._core.binding' in sys.modules)\n")
    assert p.returncode == 0, p.stderr[-2000:]
    assert p.stdout.split() == ["ran", "default", "False"]


def test_no_module_defines_a_name_twice():
    """A second `class X` or `def X` at module level silently replaces the first."""
    twice = []
    for name, path in MODULES.items():
        with open(path) as f:
            tree = ast.parse(f.read(), path)
        seen = set()
        for node in tree.body:
            if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                if node.name in seen:
                    twice.append("%s.%s" % (name, node.name))
                seen.add(node.name)
    assert twice == []


def _lines(path):
    with open(path) as f:
        return sum(1 for _ in f)


def test_no_python_module_over_700_lines():
    assert {n: _lines(p) for n, p in MODULES.items() if _lines(p) > 700} == {}


def test_no_c_file_over_900_lines():
    big = {}
    for dirpath, _d, files in os.walk(CSRC):
        for f in files:
            if f.endswith((".c", ".h")) and _lines(os.path.join(dirpath, f)) > 900:
                big[f] = _lines(os.path.join(dirpath, f))
    assert big == {}


def test_no_test_imports_a_conftest_module():
    """Several test directories have a conftest.py, all imported as `conftest`: which one
    `from conftest import ...` finds depends on the order pytest met them (make sanitize
    lists directories in another order than make test). Shared helpers live in tests/support."""
    offenders = []
    for dirpath, _dirs, files in os.walk(os.path.join(ROOT, "tests")):
        for f in files:
            if f.endswith(".py"):
                path = os.path.join(dirpath, f)
                with open(path) as fh:
                    tree = ast.parse(fh.read(), path)
                for node in ast.walk(tree):
                    if isinstance(node, ast.ImportFrom) and node.module == "conftest" or \
                            isinstance(node, ast.Import) and any(a.name == "conftest" for a in node.names):
                        offenders.append("%s:%d" % (os.path.relpath(path, ROOT), node.lineno))
    assert offenders == []
