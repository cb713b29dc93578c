"""Server status codes, their names, the error map and the legacy (no XERROR) remapping."""

import json

SUCCESS = 0x00
KEY_ENOENT = 0x01
KEY_EEXISTS = 0x02
E2BIG = 0x03
EINVAL = 0x04
NOT_STORED = 0x05
DELTA_BADVAL = 0x06
NOT_MY_VBUCKET = 0x07
NO_BUCKET = 0x08
LOCKED = 0x09
NOT_LOCKED = 0x0E
AUTH_STALE = 0x1F
AUTH_ERROR = 0x20
AUTH_CONTINUE = 0x21
ERANGE = 0x22
EACCESS = 0x24
UNKNOWN_FRAME_INFO = 0x80
UNKNOWN_COMMAND = 0x81
ENOMEM = 0x82
NOT_SUPPORTED = 0x83
EINTERNAL = 0x84
EBUSY = 0x85
ETMPFAIL = 0x86
XATTR_EINVAL = 0x87
UNKNOWN_COLLECTION = 0x88
UNKNOWN_SCOPE = 0x8C
DURABILITY_INVALID_LEVEL = 0xA0
DURABILITY_IMPOSSIBLE = 0xA1
SYNC_WRITE_IN_PROGRESS = 0xA2
SYNC_WRITE_AMBIGUOUS = 0xA3
SYNC_WRITE_RECOMMIT_IN_PROGRESS = 0xA4
# sub-document statuses (docs/protocol.md section 3.1)
SUBDOC_PATH_ENOENT = 0xC0
SUBDOC_PATH_MISMATCH = 0xC1
SUBDOC_PATH_EINVAL = 0xC2
SUBDOC_PATH_E2BIG = 0xC3
SUBDOC_DOC_E2DEEP = 0xC4
SUBDOC_VALUE_CANTINSERT = 0xC5
SUBDOC_DOC_NOT_JSON = 0xC6
SUBDOC_NUM_ERANGE = 0xC7
SUBDOC_DELTA_EINVAL = 0xC8
SUBDOC_PATH_EEXISTS = 0xC9
SUBDOC_VALUE_ETOODEEP = 0xCA
SUBDOC_INVALID_COMBO = 0xCB
SUBDOC_MULTI_PATH_FAILURE = 0xCC
SUBDOC_SUCCESS_DELETED = 0xCD
SUBDOC_XATTR_INVALID_FLAG_COMBO = 0xCE
SUBDOC_XATTR_INVALID_KEY_COMBO = 0xCF
SUBDOC_XATTR_UNKNOWN_MACRO = 0xD0
SUBDOC_XATTR_UNKNOWN_VATTR = 0xD1
SUBDOC_XATTR_CANT_MODIFY_VATTR = 0xD2
SUBDOC_MULTI_PATH_FAILURE_DELETED = 0xD3
SUBDOC_INVALID_XATTR_ORDER = 0xD4
SUBDOC_CAN_ONLY_REVIVE_DELETED = 0xD6
SUBDOC_DELETED_DOC_CANT_HAVE_VALUE = 0xD7

# name, description, error-map attributes
_TABLE = {
    SUCCESS: ("SUCCESS", "Success", ["success"]),
    KEY_ENOENT: ("KEY_ENOENT", "Not found", ["item-only"]),
    KEY_EEXISTS: ("KEY_EEXISTS", "Data exists for key", ["item-only"]),
    E2BIG: ("E2BIG", "Too large", ["item-only", "invalid-input"]),
    EINVAL: ("EINVAL", "Invalid arguments", ["invalid-input"]),
    NOT_STORED: ("NOT_STORED", "Not stored", ["item-only"]),
    DELTA_BADVAL: ("DELTA_BADVAL", "Non-numeric server-side value for incr or decr",
                   ["item-only", "invalid-input"]),
    NOT_MY_VBUCKET: ("NOT_MY_VBUCKET", "I'm not responsible for this vbucket",
                     ["fetch-config", "special-handling"]),
    NO_BUCKET: ("NO_BUCKET", "Not connected to a bucket", ["conn-state-invalidated"]),
    LOCKED: ("LOCKED", "Resource locked", ["item-locked", "item-only", "retry-later"]),
    NOT_LOCKED: ("NOT_LOCKED", "Requested resource not locked", ["item-only"]),
    AUTH_STALE: ("AUTH_STALE", "Authentication stale", ["conn-state-invalidated", "auth"]),
    AUTH_ERROR: ("AUTH_ERROR", "Auth failure", ["conn-state-invalidated", "auth"]),
    AUTH_CONTINUE: ("AUTH_CONTINUE", "Continue authentication", ["auth", "special-handling"]),
    ERANGE: ("ERANGE", "Outside range", ["invalid-input"]),
    EACCESS: ("EACCESS", "No access", ["support", "auth"]),
    UNKNOWN_FRAME_INFO: ("UNKNOWN_FRAME_INFO", "Unknown frame info", ["support", "invalid-input"]),
    UNKNOWN_COMMAND: ("UNKNOWN_COMMAND", "Unknown command", ["support"]),
    ENOMEM: ("ENOMEM", "Out of memory", ["temp", "retry-later"]),
    NOT_SUPPORTED: ("NOT_SUPPORTED", "Not supported", ["support"]),
    EINTERNAL: ("EINTERNAL", "Internal error", ["internal"]),
    EBUSY: ("EBUSY", "System is busy", ["temp", "retry-later"]),
    ETMPFAIL: ("ETMPFAIL", "Temporary failure", ["temp", "retry-later"]),
    XATTR_EINVAL: ("XATTR_EINVAL", "Invalid xattr section", ["invalid-input"]),
    UNKNOWN_COLLECTION: ("UNKNOWN_COLLECTION", "Unknown collection",
                         ["fetch-config", "invalid-input", "special-handling"]),
    UNKNOWN_SCOPE: ("UNKNOWN_SCOPE", "Unknown scope",
                    ["fetch-config", "invalid-input", "special-handling"]),
    DURABILITY_INVALID_LEVEL: ("DURABILITY_INVALID_LEVEL", "Invalid durability level",
                               ["invalid-input"]),
    DURABILITY_IMPOSSIBLE: ("DURABILITY_IMPOSSIBLE", "Durability requirements are impossible",
                            ["item-only"]),
    SYNC_WRITE_IN_PROGRESS: ("SYNC_WRITE_IN_PROGRESS", "Synchronous write in progress",
                             ["item-only", "temp", "retry-later"]),
    SYNC_WRITE_AMBIGUOUS: ("SYNC_WRITE_AMBIGUOUS", "Synchronous write ambiguous", ["item-only"]),
    SYNC_WRITE_RECOMMIT_IN_PROGRESS: ("SYNC_WRITE_RE_COMMIT_IN_PROGRESS",
                                      "Synchronous write re-commit in progress",
                                      ["item-only", "temp", "retry-later"]),
    SUBDOC_PATH_ENOENT: ("SUBDOC_PATH_ENOENT", "Subdoc: path not found", ["subdoc", "item-only"]),
    SUBDOC_PATH_MISMATCH: ("SUBDOC_PATH_MISMATCH", "Subdoc: path mismatch",
                           ["subdoc", "item-only"]),
    SUBDOC_PATH_EINVAL: ("SUBDOC_PATH_EINVAL", "Subdoc: invalid path",
                         ["subdoc", "invalid-input"]),
    SUBDOC_PATH_E2BIG: ("SUBDOC_PATH_E2BIG", "Subdoc: path too big", ["subdoc", "invalid-input"]),
    SUBDOC_DOC_E2DEEP: ("SUBDOC_DOC_E2DEEP", "Subdoc: document too deep", ["subdoc", "item-only"]),
    SUBDOC_VALUE_CANTINSERT: ("SUBDOC_VALUE_CANTINSERT", "Subdoc: cannot insert value",
                              ["subdoc", "invalid-input"]),
    SUBDOC_DOC_NOT_JSON: ("SUBDOC_DOC_NOT_JSON", "Subdoc: document not JSON",
                          ["subdoc", "item-only"]),
    SUBDOC_NUM_ERANGE: ("SUBDOC_NUM_ERANGE", "Subdoc: number out of range", ["subdoc", "item-only"]),
    SUBDOC_DELTA_EINVAL: ("SUBDOC_DELTA_EINVAL", "Subdoc: invalid delta", ["subdoc", "invalid-input"]),
    SUBDOC_PATH_EEXISTS: ("SUBDOC_PATH_EEXISTS", "Subdoc: path exists", ["subdoc", "item-only"]),
    SUBDOC_VALUE_ETOODEEP: ("SUBDOC_VALUE_ETOODEEP", "Subdoc: value too deep",
                            ["subdoc", "invalid-input"]),
    SUBDOC_INVALID_COMBO: ("SUBDOC_INVALID_COMBO", "Subdoc: invalid combination",
                           ["subdoc", "invalid-input"]),
    SUBDOC_MULTI_PATH_FAILURE: ("SUBDOC_MULTI_PATH_FAILURE",
                                "Subdoc: one or more paths failed", ["subdoc"]),
    SUBDOC_SUCCESS_DELETED: ("SUBDOC_SUCCESS_DELETED", "Subdoc: success on a deleted document",
                             ["success", "subdoc"]),
    SUBDOC_XATTR_INVALID_FLAG_COMBO: ("SUBDOC_XATTR_INVALID_FLAG_COMBO",
                                      "Subdoc: invalid xattr flag combination",
                                      ["subdoc", "invalid-input"]),
    SUBDOC_XATTR_INVALID_KEY_COMBO: ("SUBDOC_XATTR_INVALID_KEY_COMBO",
                                     "Subdoc: only one xattr key per request",
                                     ["subdoc", "invalid-input"]),
    SUBDOC_XATTR_UNKNOWN_MACRO: ("SUBDOC_XATTR_UNKNOWN_MACRO", "Subdoc: unknown macro",
                                 ["subdoc", "invalid-input"]),
    SUBDOC_XATTR_UNKNOWN_VATTR: ("SUBDOC_XATTR_UNKNOWN_VATTR",
                                 "Subdoc: unknown virtual attribute", ["subdoc", "invalid-input"]),
    SUBDOC_XATTR_CANT_MODIFY_VATTR: ("SUBDOC_XATTR_CANT_MODIFY_VATTR",
                                     "Subdoc: virtual attributes are read-only",
                                     ["subdoc", "invalid-input"]),
    SUBDOC_MULTI_PATH_FAILURE_DELETED: ("SUBDOC_MULTI_PATH_FAILURE_DELETED",
                                        "Subdoc: one or more paths failed on a deleted document",
                                        ["subdoc"]),
    SUBDOC_INVALID_XATTR_ORDER: ("SUBDOC_INVALID_XATTR_ORDER",
                                 "Subdoc: xattr paths must come first",
                                 ["subdoc", "invalid-input"]),
    SUBDOC_CAN_ONLY_REVIVE_DELETED: ("SUBDOC_CAN_ONLY_REVIVE_DELETED_DOCUMENTS",
                                     "Subdoc: only a deleted document can be revived",
                                     ["subdoc", "invalid-input"]),
    SUBDOC_DELETED_DOC_CANT_HAVE_VALUE: ("SUBDOC_DELETED_DOCUMENT_CANT_HAVE_VALUE",
                                         "Subdoc: a deleted document cannot have a value",
                                         ["subdoc", "invalid-input"]),
}


def name(code):
    """Symbolic name of a status code (``UNKNOWN_0x..`` if not in the table)."""
    entry = _TABLE.get(code)
    return entry[0] if entry else "UNKNOWN_0x%02x" % code


def message(code):
    entry = _TABLE.get(code)
    return entry[1] if entry else "Unknown status"


def error_map(version=2):
    """Error map JSON (docs/protocol.md section 13) as bytes."""
    errors = {}
    for code, (nm, desc, attrs) in sorted(_TABLE.items()):
        errors["%x" % code] = {"name": nm, "desc": desc, "attrs": list(attrs)}
    return json.dumps({"version": min(max(version, 1), 2), "revision": 1,
                       "errors": errors}).encode()


# Legacy remapping when XERROR was not negotiated (docs/protocol.md 3.2).
# Value None means "no safe legacy meaning: close the connection".
_LEGACY = {
    NOT_LOCKED: ETMPFAIL,
    SYNC_WRITE_IN_PROGRESS: ETMPFAIL,
    SYNC_WRITE_RECOMMIT_IN_PROGRESS: ETMPFAIL,
    UNKNOWN_COLLECTION: EINVAL,
    UNKNOWN_SCOPE: EINVAL,
    EACCESS: None,
    NO_BUCKET: None,
    AUTH_STALE: None,
    DURABILITY_INVALID_LEVEL: None,
    DURABILITY_IMPOSSIBLE: None,
    SYNC_WRITE_AMBIGUOUS: None,
}

# opcodes whose "locked" outcome reads as KEY_EEXISTS for legacy clients (mutations);
# all other opcodes (GETL, DELETE, TOUCH, GAT, UNLOCK) see TMPFAIL.
_LOCKED_AS_EXISTS = frozenset((0x01, 0x02, 0x03, 0x05, 0x06, 0x0E, 0x0F,
                               0x11, 0x12, 0x13, 0x15, 0x16, 0x19, 0x1A))


def legacy(code, opcode):
    """Status a client without XERROR sees for ``code``; None = disconnect."""
    if code == LOCKED:
        return KEY_EEXISTS if opcode in _LOCKED_AS_EXISTS else ETMPFAIL
    return _LEGACY.get(code, code)
