"""The C core's error table, status mapping and error recording (csrc/errors.c)."""
import os
import re

import pytest


def _load_core():
    from couchbase._core.binding import ffi, lib

    return ffi, lib


HEADER = os.path.join(os.path.dirname(__file__), "..", "..", "csrc", "errors.h")


@pytest.fixture(scope="module")
def core():
    return _load_core()


@pytest.fixture(scope="module")
def table(core):
    ffi, lib = core
    n = ffi.new("size_t*")
    t = lib.cbc_err_table(n)
    return [(t[i].code, ffi.string(t[i].name).decode(), ffi.string(t[i].text).decode(), t[i].categories) for i in range(n[0])]


@pytest.fixture(scope="module")
def codes(table):
    return {name: code for code, name, _, _ in table}


def test_table_has_every_code_of_errors_h(table):
    with open(HEADER) as f:
        declared = re.findall(r"X\((\w+), (0x[0-9A-Fa-f]+),", f.read())
    assert declared
    assert [(n, int(c, 16)) for n, c in declared] == [(name, code) for code, name, _, _ in table]


def test_codes_and_names_are_unique(table):
    assert len({c for c, _, _, _ in table}) == len(table)
    assert len({n for _, n, _, _ in table}) == len(table)


def test_classic_numbers_are_kept(codes):
    assert codes["OK"] == 0
    assert codes["KEY_ENOENT"] == 0x0D
    assert codes["KEY_EEXISTS"] == 0x0C
    assert codes["NETWORK_ERROR"] == 0x10
    assert codes["ETIMEDOUT"] == 0x17


def test_every_code_has_text(core, table):
    ffi, lib = core
    for code, name, text, _ in table:
        assert text
        assert ffi.string(lib.cbc_strerror(code)).decode() == text


def test_strerror_of_unknown_code(core):
    ffi, lib = core
    assert ffi.string(lib.cbc_strerror(0x7777))


STATUS = {
    0x00: "OK", 0x01: "KEY_ENOENT", 0x02: "KEY_EEXISTS", 0x03: "E2BIG", 0x04: "EINVAL",
    0x05: "NOT_STORED", 0x06: "DELTA_BADVAL", 0x07: "NOT_MY_VBUCKET", 0x08: "NO_BUCKET",
    0x09: "DOCUMENT_LOCKED", 0x0E: "NOT_LOCKED", 0x0F: "CAS_INVALID", 0x20: "AUTH_ERROR",
    0x24: "ACCESS_DENIED", 0x80: "UNKNOWN_FRAME", 0x81: "UNKNOWN_COMMAND", 0x82: "ENOMEM",
    0x83: "NOT_SUPPORTED", 0x84: "EINTERNAL", 0x85: "EBUSY", 0x86: "ETMPFAIL",
    0x88: "UNKNOWN_COLLECTION", 0x8C: "UNKNOWN_SCOPE", 0xA0: "DURABILITY_INVALID_LEVEL",
    0xA1: "DURABILITY_IMPOSSIBLE", 0xA2: "SYNC_WRITE_IN_PROGRESS", 0xA3: "SYNC_WRITE_AMBIGUOUS",
    0xA4: "SYNC_WRITE_RECOMMIT", 0x87: "XATTR_EINVAL",
    # sub-document (docs/protocol.md section 3.1)
    0xC0: "SUBDOC_PATH_ENOENT", 0xC1: "SUBDOC_PATH_MISMATCH", 0xC2: "SUBDOC_PATH_EINVAL",
    0xC3: "SUBDOC_PATH_E2BIG", 0xC4: "SUBDOC_DOC_E2DEEP", 0xC5: "SUBDOC_VALUE_CANTINSERT",
    0xC6: "SUBDOC_DOC_NOT_JSON", 0xC7: "SUBDOC_NUM_ERANGE", 0xC8: "SUBDOC_DELTA_EINVAL",
    0xC9: "SUBDOC_PATH_EEXISTS", 0xCA: "SUBDOC_VALUE_ETOODEEP", 0xCB: "SUBDOC_INVALID_COMBO",
    0xCC: "SUBDOC_MULTI_FAILURE", 0xCD: "OK", 0xCE: "SUBDOC_XATTR_INVALID_FLAG_COMBO",
    0xCF: "SUBDOC_XATTR_INVALID_KEY_COMBO", 0xD0: "SUBDOC_XATTR_UNKNOWN_MACRO",
    0xD1: "SUBDOC_XATTR_UNKNOWN_VATTR", 0xD2: "SUBDOC_XATTR_CANT_MODIFY_VATTR", 0xD3: "SUBDOC_MULTI_FAILURE",
    0xD4: "SUBDOC_INVALID_XATTR_ORDER", 0xD6: "SUBDOC_CANT_REVIVE_LIVING", 0xD7: "SUBDOC_DELETED_WITH_VALUE",
}


@pytest.mark.parametrize("status,name", sorted(STATUS.items()))
def test_server_status_mapping(core, codes, status, name):
    assert core[1].cbc_err_from_status(status) == codes[name]


@pytest.mark.parametrize("status", [0x0A, 0x21, 0xD5, 0xD8, 0xFFFF])
def test_other_statuses_are_server_status(core, codes, status):
    assert core[1].cbc_err_from_status(status) == codes["SERVER_STATUS"]


def test_core_version_and_api_table(core):
    ffi, lib = core
    from couchbase._core.binding import CORE_VERSION

    assert lib.cbc_core_version() == CORE_VERSION
    api = lib.cbc_api_table()
    assert api.version == lib.cbc_core_version()
    for name in ("batch_add", "batch_size", "batch_results", "batch_reset", "strerror", "batch_run"):
        assert getattr(api, name) != ffi.NULL
    # cffi's addressof gives its own call stubs, so check behaviour through the table.
    assert ffi.string(api.strerror(0x0D)) == ffi.string(lib.cbc_strerror(0x0D))
    conn = lib.cbc_conn_new()
    batch = lib.cbc_batch_new(conn)
    key = ffi.new("char[]", b"k")
    req = ffi.new("cbc_REQUEST*", {"opcode": 0, "server": -1, "key": key, "nkey": 1})
    assert api.batch_add(batch, req, ffi.new("cbc_ERROR*")) == 0
    assert api.batch_size(batch) == 1
    assert api.batch_results(batch) == lib.cbc_batch_results(batch)
    api.batch_reset(batch)
    assert lib.cbc_batch_size(batch) == 0
    lib.cbc_batch_free(batch)
    lib.cbc_conn_free(conn)


def _add(core, batch, key, server=-1, opcode=0):
    ffi, lib = core
    req = ffi.new("cbc_REQUEST*")
    req.opcode = opcode
    req.server = server
    kbuf = ffi.new("char[]", key)
    req.key = kbuf
    req.nkey = len(key)
    err = ffi.new("cbc_ERROR*")
    return lib.cbc_batch_add(batch, req, err), err


@pytest.fixture
def batch(core):
    ffi, lib = core
    conn = lib.cbc_conn_new()
    b = lib.cbc_batch_new(conn)
    yield b
    lib.cbc_batch_free(b)
    lib.cbc_conn_free(conn)


def test_empty_key_is_rejected_with_file_and_line(core, codes, batch):
    ffi, lib = core
    rc, err = _add(core, batch, b"")
    assert rc == codes["EMPTY_KEY"] == err.code
    assert ffi.string(err.file).decode().endswith("batch.c") and err.line > 0
    assert lib.cbc_batch_size(batch) == 0


def test_empty_key_is_fine_for_a_server_command(core, batch):
    assert _add(core, batch, b"", server=0, opcode=0x10)[0] == 0


def test_key_over_250_bytes_is_rejected(core, codes, batch):
    ffi, lib = core
    assert _add(core, batch, b"k" * 250)[0] == 0
    rc, err = _add(core, batch, b"k" * 251)
    assert rc == codes["KEY_TOO_LONG"]
    assert lib.cbc_batch_size(batch) == 1


def test_unroutable_request_gets_no_matching_server_with_file_and_line(core, codes, batch):
    ffi, lib = core
    assert _add(core, batch, b"key")[0] == 0          # no map configured
    assert _add(core, batch, b"key", server=3)[0] == 0  # no such server
    err = ffi.new("cbc_ERROR*")
    assert lib.cbc_batch_run(batch, 1000000, err) == 0
    res = lib.cbc_batch_results(batch)
    for i in range(2):
        assert res[i].rc == codes["NO_MATCHING_SERVER"]
        assert res[i].status == 0xFFFF and res[i].server == -1
        assert ffi.string(res[i].file).decode().endswith(".c") and res[i].line > 0
        assert ffi.unpack(res[i].key, res[i].nkey) == b"key"


def test_reset_and_requeue(core, codes, batch):
    ffi, lib = core
    _add(core, batch, b"a")
    _add(core, batch, b"b")
    err = ffi.new("cbc_ERROR*")
    lib.cbc_batch_run(batch, 1000, err)
    assert lib.cbc_batch_requeue(batch, codes["NO_MATCHING_SERVER"]) == 2
    assert lib.cbc_batch_requeue(batch, codes["KEY_ENOENT"]) == 0
    lib.cbc_batch_reset(batch)
    assert lib.cbc_batch_size(batch) == 0


def test_null_handles_are_ignored(core):
    ffi, lib = core
    lib.cbc_conn_free(ffi.NULL)
    lib.cbc_batch_free(ffi.NULL)
    assert lib.cbc_batch_new(ffi.NULL) == ffi.NULL
