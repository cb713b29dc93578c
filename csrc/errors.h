/* Error codes of the C core: one X-macro table, the recording macro, and the
 * status/errno mappings.
 *
 * Numbering: 0x00-0x28 are the classic client's codes, number for number, so
 * that `Result.rc` and `CouchbaseError.rc` keep the values 1.x users compare
 * against (0xD is "No such key"). Codes that the classic numbering has no room
 * for start at 0x100 (modern KV statuses) and 0x200 (client side). */
#ifndef CBC_ERRORS_H
#define CBC_ERRORS_H

#include <stddef.h>
#include <stdint.h>

/* Category bits, as the classic client's categories. */
#define CBC_ERRF_INPUT 0x01
#define CBC_ERRF_NETWORK 0x02
#define CBC_ERRF_FATAL 0x04
#define CBC_ERRF_TRANSIENT 0x08
#define CBC_ERRF_DATA 0x10
#define CBC_ERRF_INTERNAL 0x20
#define CBC_ERRF_PLUGIN 0x40

/* X(NAME, number, categories, text) */
#define CBC_XERR(X)                                                                         \
    X(OK, 0x00, 0, "Success")                                                               \
    X(AUTH_CONTINUE, 0x01, 0, "Authentication continue")                                    \
    X(AUTH_ERROR, 0x02, CBC_ERRF_FATAL | CBC_ERRF_INPUT, "Authentication failed")           \
    X(DELTA_BADVAL, 0x03, CBC_ERRF_INPUT | CBC_ERRF_DATA, "The value is not a number")      \
    X(E2BIG, 0x04, CBC_ERRF_INPUT | CBC_ERRF_DATA, "Object too big")                        \
    X(EBUSY, 0x05, CBC_ERRF_TRANSIENT, "Server busy")                                       \
    X(EINTERNAL, 0x06, CBC_ERRF_INTERNAL, "Internal error")                                 \
    X(EINVAL, 0x07, CBC_ERRF_INPUT, "Invalid arguments")                                    \
    X(ENOMEM, 0x08, CBC_ERRF_TRANSIENT, "Out of memory on the server")                      \
    X(ERANGE, 0x09, CBC_ERRF_INPUT | CBC_ERRF_DATA, "Invalid range")                        \
    X(ERROR, 0x0A, 0, "Generic error")                                                      \
    X(ETMPFAIL, 0x0B, CBC_ERRF_TRANSIENT, "Temporary failure. Try again later")             \
    X(KEY_EEXISTS, 0x0C, CBC_ERRF_DATA, "Key exists (with a different CAS value)")          \
    X(KEY_ENOENT, 0x0D, CBC_ERRF_DATA, "No such key")                                       \
    X(DLOPEN_FAILED, 0x0E, CBC_ERRF_INPUT | CBC_ERRF_FATAL | CBC_ERRF_PLUGIN,               \
      "Failed to open shared object")                                                       \
    X(DLSYM_FAILED, 0x0F, CBC_ERRF_INPUT | CBC_ERRF_FATAL | CBC_ERRF_PLUGIN,                \
      "Failed to locate the requested symbol")                                              \
    X(NETWORK_ERROR, 0x10, CBC_ERRF_NETWORK, "Network error")                               \
    X(NOT_MY_VBUCKET, 0x11, CBC_ERRF_NETWORK | CBC_ERRF_TRANSIENT,                          \
      "The vbucket is not located on this server")                                          \
    X(NOT_STORED, 0x12, CBC_ERRF_DATA, "Not stored")                                        \
    X(NOT_SUPPORTED, 0x13, 0, "Not supported")                                              \
    X(UNKNOWN_COMMAND, 0x14, 0, "Unknown command")                                          \
    X(UNKNOWN_HOST, 0x15, CBC_ERRF_NETWORK | CBC_ERRF_INPUT, "Unknown host")                \
    X(PROTOCOL_ERROR, 0x16, CBC_ERRF_NETWORK, "Protocol error")                             \
    X(ETIMEDOUT, 0x17, CBC_ERRF_NETWORK | CBC_ERRF_TRANSIENT, "Operation timed out")        \
    X(CONNECT_ERROR, 0x18, CBC_ERRF_NETWORK, "Connection failure")                          \
    X(BUCKET_ENOENT, 0x19, CBC_ERRF_INPUT | CBC_ERRF_FATAL, "No such bucket")               \
    X(CLIENT_ENOMEM, 0x1A, CBC_ERRF_FATAL, "Out of memory on the client")                   \
    X(CLIENT_ETMPFAIL, 0x1B, CBC_ERRF_TRANSIENT, "Temporary failure on the client")         \
    X(EBADHANDLE, 0x1C, CBC_ERRF_INPUT, "Invalid handle type")                              \
    X(SERVER_BUG, 0x1D, CBC_ERRF_INTERNAL, "Unexpected answer from the server")             \
    X(PLUGIN_VERSION_MISMATCH, 0x1E, CBC_ERRF_INPUT | CBC_ERRF_FATAL | CBC_ERRF_PLUGIN,     \
      "Plugin version mismatch")                                                            \
    X(INVALID_HOST_FORMAT, 0x1F, CBC_ERRF_INPUT, "Invalid host format")                     \
    X(INVALID_CHAR, 0x20, CBC_ERRF_INPUT, "Invalid character")                              \
    X(DURABILITY_ETOOMANY, 0x21, CBC_ERRF_INPUT, "Durability requirements exceed the cluster") \
    X(DUPLICATE_COMMANDS, 0x22, CBC_ERRF_INPUT, "Duplicate keys in one command")            \
    X(NO_MATCHING_SERVER, 0x23, CBC_ERRF_NETWORK | CBC_ERRF_TRANSIENT,                      \
      "No server holds this key")                                                           \
    X(BAD_ENVIRONMENT, 0x24, CBC_ERRF_INPUT | CBC_ERRF_FATAL, "Bad environment")            \
    X(BUSY, 0x25, CBC_ERRF_INTERNAL, "Client busy")                                         \
    X(INVALID_USERNAME, 0x26, CBC_ERRF_INPUT | CBC_ERRF_FATAL, "Invalid user name")         \
    X(CONFIG_CACHE_INVALID, 0x27, CBC_ERRF_INPUT, "Invalid configuration cache")            \
    X(SASLMECH_UNAVAILABLE, 0x28, CBC_ERRF_INPUT | CBC_ERRF_FATAL,                          \
      "No supported SASL mechanism")                                                        \
    X(DOCUMENT_LOCKED, 0x100, CBC_ERRF_TRANSIENT | CBC_ERRF_DATA, "Document is locked")     \
    X(NOT_LOCKED, 0x101, CBC_ERRF_DATA, "Document is not locked")                           \
    X(UNKNOWN_COLLECTION, 0x102, CBC_ERRF_INPUT, "Unknown collection")                      \
    X(UNKNOWN_SCOPE, 0x103, CBC_ERRF_INPUT, "Unknown scope")                                \
    X(DURABILITY_INVALID_LEVEL, 0x104, CBC_ERRF_INPUT, "Invalid durability level")          \
    X(DURABILITY_IMPOSSIBLE, 0x105, CBC_ERRF_DATA, "Durability requirements are impossible") \
    X(SYNC_WRITE_IN_PROGRESS, 0x106, CBC_ERRF_TRANSIENT, "A durable write is in progress")  \
    X(SYNC_WRITE_AMBIGUOUS, 0x107, CBC_ERRF_TRANSIENT,                                      \
      "Durable write outcome is ambiguous")                                                 \
    X(SYNC_WRITE_RECOMMIT, 0x108, CBC_ERRF_TRANSIENT, "Durable write re-commit in progress") \
    X(ACCESS_DENIED, 0x109, CBC_ERRF_INPUT | CBC_ERRF_FATAL, "No access")                   \
    X(NO_BUCKET, 0x10A, CBC_ERRF_INPUT, "No bucket selected")                               \
    X(CAS_INVALID, 0x10B, CBC_ERRF_INPUT, "Invalid CAS")                                    \
    X(SERVER_STATUS, 0x10C, 0, "Unexpected server status")                                  \
    X(UNKNOWN_FRAME, 0x10D, CBC_ERRF_INPUT, "Unknown frame info")                           \
    X(XATTR_EINVAL, 0x10E, CBC_ERRF_INPUT, "Invalid extended attributes section")           \
    X(SUBDOC_PATH_ENOENT, 0x110, CBC_ERRF_DATA, "Sub-document path not found")              \
    X(SUBDOC_PATH_MISMATCH, 0x111, CBC_ERRF_DATA, "Sub-document path mismatch")             \
    X(SUBDOC_PATH_EINVAL, 0x112, CBC_ERRF_INPUT, "Invalid sub-document path")               \
    X(SUBDOC_PATH_E2BIG, 0x113, CBC_ERRF_INPUT, "Sub-document path too long")               \
    X(SUBDOC_DOC_E2DEEP, 0x114, CBC_ERRF_DATA, "Document too deep to parse")                \
    X(SUBDOC_VALUE_CANTINSERT, 0x115, CBC_ERRF_INPUT, "Value cannot be inserted at the path") \
    X(SUBDOC_DOC_NOT_JSON, 0x116, CBC_ERRF_DATA, "Document is not JSON")                    \
    X(SUBDOC_NUM_ERANGE, 0x117, CBC_ERRF_DATA, "Number out of range at the path")           \
    X(SUBDOC_DELTA_EINVAL, 0x118, CBC_ERRF_INPUT, "Invalid sub-document delta")             \
    X(SUBDOC_PATH_EEXISTS, 0x119, CBC_ERRF_DATA, "Sub-document path exists")                \
    X(SUBDOC_VALUE_ETOODEEP, 0x11A, CBC_ERRF_INPUT, "Value would make the document too deep") \
    X(SUBDOC_INVALID_COMBO, 0x11B, CBC_ERRF_INPUT, "Invalid combination of sub-document specs") \
    X(SUBDOC_MULTI_FAILURE, 0x11C, CBC_ERRF_DATA, "One or more sub-document specs failed")  \
    X(SUBDOC_XATTR_INVALID_FLAG_COMBO, 0x11D, CBC_ERRF_INPUT, "Invalid xattr flag combination") \
    X(SUBDOC_XATTR_INVALID_KEY_COMBO, 0x11E, CBC_ERRF_INPUT, "Invalid xattr key combination") \
    X(SUBDOC_XATTR_UNKNOWN_MACRO, 0x11F, CBC_ERRF_INPUT, "Unknown macro")                   \
    X(SUBDOC_XATTR_UNKNOWN_VATTR, 0x120, CBC_ERRF_INPUT, "Unknown virtual attribute")       \
    X(SUBDOC_XATTR_CANT_MODIFY_VATTR, 0x121, CBC_ERRF_INPUT, "Virtual attributes are read-only") \
    X(SUBDOC_INVALID_XATTR_ORDER, 0x122, CBC_ERRF_INPUT, "Xattr specs must come first")     \
    X(SUBDOC_CANT_REVIVE_LIVING, 0x123, CBC_ERRF_INPUT, "Only a deleted document can be revived") \
    X(SUBDOC_DELETED_WITH_VALUE, 0x124, CBC_ERRF_INPUT, "A deleted document cannot have a value") \
    X(CLOSED, 0x200, CBC_ERRF_INPUT, "Connection is closed")                                \
    X(KEY_TOO_LONG, 0x201, CBC_ERRF_INPUT, "Key too long")                                  \
    X(EMPTY_KEY, 0x202, CBC_ERRF_INPUT, "Empty key")                                        \
    X(TLS_ERROR, 0x210, CBC_ERRF_NETWORK, "TLS failure")                                    \
    X(TLS_CERT_UNTRUSTED, 0x211, CBC_ERRF_NETWORK | CBC_ERRF_FATAL,                         \
      "The server's certificate is not trusted")                                            \
    X(TLS_HOSTNAME_MISMATCH, 0x212, CBC_ERRF_NETWORK | CBC_ERRF_FATAL,                      \
      "The server's certificate does not name the host")                                    \
    X(TLS_CERT_EXPIRED, 0x213, CBC_ERRF_NETWORK | CBC_ERRF_FATAL,                           \
      "The server's certificate has expired or is not yet valid")                           \
    X(TLS_PLAINTEXT_SERVER, 0x214, CBC_ERRF_NETWORK | CBC_ERRF_FATAL,                       \
      "The server does not speak TLS on this port")

enum cbc_errcode {
#define CBC__XENUM(name, num, cat, text) CBC_ERR_##name = num,
    CBC_XERR(CBC__XENUM)
#undef CBC__XENUM
    CBC_ERR__SENTINEL
};

struct cbc_ERROR_s;

/* Fill `err` (code, file, line, formatted message) and return `code`.
 * Use through CBC_FAIL so that the caller's file and line are recorded. */
int cbc__err_set(struct cbc_ERROR_s *err, int code, const char *file, int line, const char *fmt, ...);

#define CBC_FAIL(err, code, ...) cbc__err_set((err), (code), __FILE__, __LINE__, __VA_ARGS__)

/* Server status (u16 from a response header) to a core code. `xerror` says whether
 * the connection negotiated extended errors; it changes nothing here, since the
 * server itself remaps when it was not negotiated. */
int cbc_err_from_status(uint16_t status);

/* errno from a failed socket call to a core code (connect vs. I/O). */
int cbc_err_from_errno(int errnum, int connecting);

#endif /* CBC_ERRORS_H */
