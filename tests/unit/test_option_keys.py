"""The typed keyword arguments of the option classes (couchbase/_modern/option_keys.pyi, read by
type checkers) are exactly the keys each class accepts at run time (its ``_valid`` set)."""
import ast
import inspect
import os

import couchbase.management.options as mgmt_options
import couchbase.options as options
from couchbase._modern import cluster_options

STUB = os.path.join(os.path.dirname(os.path.abspath(options.__file__)), "_modern", "option_keys.pyi")


def _stub_keys():
    """{class name: set of keys} of the TypedDicts in the stub (``<Class>Keys``)."""
    with open(STUB) as f:
        tree = ast.parse(f.read())
    return {node.name[:-len("Keys")]: {s.target.id for s in node.body if isinstance(s, ast.AnnAssign)}
            for node in tree.body if isinstance(node, ast.ClassDef) and node.name.endswith("Keys")}


def _option_classes():
    out = {}
    for mod in (options, mgmt_options):
        for name, cls in vars(mod).items():
            if inspect.isclass(cls) and issubclass(cls, dict) and cls.__module__ == mod.__name__ \
                    and name.endswith("Options") and not name.startswith("_"):
                out[name] = cls
    return out


def test_every_option_class_has_typed_keys():
    assert set(_option_classes()) == set(_stub_keys())


def test_typed_keys_are_the_keys_each_class_accepts():
    stub = _stub_keys()
    for name, cls in _option_classes().items():
        valid = cluster_options.VALID_KEYS - {"authenticator"} if cls is options.ClusterOptions else cls._valid
        assert stub[name] == set(valid), name


def test_stub_is_shipped_next_to_the_modules():
    assert os.path.isfile(STUB)
