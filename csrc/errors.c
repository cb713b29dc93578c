/* Error code table, error recording, and the server-status / errno mappings. */
#include "errors.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cbc_api.h"

static const cbc_ERRINFO err_table[] = {
#define CBC__XROW(name, num, cat, text) {num, #name, text, cat},
    CBC_XERR(CBC__XROW)
#undef CBC__XROW
};

#define ERR_TABLE_LEN (sizeof(err_table) / sizeof(err_table[0]))

int cbc_core_version(void)
{
    return CBC_CORE_VERSION;
}

const cbc_ERRINFO *cbc_err_table(size_t *n)
{
    if (n) {
        *n = ERR_TABLE_LEN;
    }
    return err_table;
}

const char *cbc_strerror(int code)
{
    size_t i;
    for (i = 0; i < ERR_TABLE_LEN; i++) {
        if (err_table[i].code == code) {
            return err_table[i].text;
        }
    }
    return "Unknown error code";
}

int cbc__err_set(struct cbc_ERROR_s *err, int code, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    if (!err) {
        return code;
    }
    err->code = code;
    err->file = file;
    err->line = line;
    err->msg[0] = '\0';
    if (fmt) {
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
        va_end(ap);
    }
    return code;
}

int cbc_err_from_status(uint16_t status)
{
    switch (status) {
    case 0x00: return CBC_ERR_OK;
    case 0x01: return CBC_ERR_KEY_ENOENT;
    case 0x02: return CBC_ERR_KEY_EEXISTS;
    case 0x03: return CBC_ERR_E2BIG;
    case 0x04: return CBC_ERR_EINVAL;
    case 0x05: return CBC_ERR_NOT_STORED;
    case 0x06: return CBC_ERR_DELTA_BADVAL;
    case 0x07: return CBC_ERR_NOT_MY_VBUCKET;
    case 0x08: return CBC_ERR_NO_BUCKET;
    case 0x09: return CBC_ERR_DOCUMENT_LOCKED;
    case 0x0e: return CBC_ERR_NOT_LOCKED;
    case 0x0f: return CBC_ERR_CAS_INVALID;
    case 0x20: return CBC_ERR_AUTH_ERROR;
    case 0x24: return CBC_ERR_ACCESS_DENIED;
    case 0x80: return CBC_ERR_UNKNOWN_FRAME;
    case 0x81: return CBC_ERR_UNKNOWN_COMMAND;
    case 0x82: return CBC_ERR_ENOMEM;
    case 0x83: return CBC_ERR_NOT_SUPPORTED;
    case 0x84: return CBC_ERR_EINTERNAL;
    case 0x85: return CBC_ERR_EBUSY;
    case 0x86: return CBC_ERR_ETMPFAIL;
    case 0x88: return CBC_ERR_UNKNOWN_COLLECTION;
    case 0x8c: return CBC_ERR_UNKNOWN_SCOPE;
    case 0xa0: return CBC_ERR_DURABILITY_INVALID_LEVEL;
    case 0xa1: return CBC_ERR_DURABILITY_IMPOSSIBLE;
    case 0xa2: return CBC_ERR_SYNC_WRITE_IN_PROGRESS;
    case 0xa3: return CBC_ERR_SYNC_WRITE_AMBIGUOUS;
    case 0xa4: return CBC_ERR_SYNC_WRITE_RECOMMIT;
    case 0x87: return CBC_ERR_XATTR_EINVAL;
    /* sub-document (docs/protocol.md section 3.1) */
    case 0xc0: return CBC_ERR_SUBDOC_PATH_ENOENT;
    case 0xc1: return CBC_ERR_SUBDOC_PATH_MISMATCH;
    case 0xc2: return CBC_ERR_SUBDOC_PATH_EINVAL;
    case 0xc3: return CBC_ERR_SUBDOC_PATH_E2BIG;
    case 0xc4: return CBC_ERR_SUBDOC_DOC_E2DEEP;
    case 0xc5: return CBC_ERR_SUBDOC_VALUE_CANTINSERT;
    case 0xc6: return CBC_ERR_SUBDOC_DOC_NOT_JSON;
    case 0xc7: return CBC_ERR_SUBDOC_NUM_ERANGE;
    case 0xc8: return CBC_ERR_SUBDOC_DELTA_EINVAL;
    case 0xc9: return CBC_ERR_SUBDOC_PATH_EEXISTS;
    case 0xca: return CBC_ERR_SUBDOC_VALUE_ETOODEEP;
    case 0xcb: return CBC_ERR_SUBDOC_INVALID_COMBO;
    case 0xcc: return CBC_ERR_SUBDOC_MULTI_FAILURE;
    /* success on a deleted document (access_deleted): the result's status says which */
    case 0xcd: return CBC_ERR_OK;
    case 0xce: return CBC_ERR_SUBDOC_XATTR_INVALID_FLAG_COMBO;
    case 0xcf: return CBC_ERR_SUBDOC_XATTR_INVALID_KEY_COMBO;
    case 0xd0: return CBC_ERR_SUBDOC_XATTR_UNKNOWN_MACRO;
    case 0xd1: return CBC_ERR_SUBDOC_XATTR_UNKNOWN_VATTR;
    case 0xd2: return CBC_ERR_SUBDOC_XATTR_CANT_MODIFY_VATTR;
    case 0xd3: return CBC_ERR_SUBDOC_MULTI_FAILURE; /* on a deleted document */
    case 0xd4: return CBC_ERR_SUBDOC_INVALID_XATTR_ORDER;
    case 0xd6: return CBC_ERR_SUBDOC_CANT_REVIVE_LIVING;
    case 0xd7: return CBC_ERR_SUBDOC_DELETED_WITH_VALUE;
    default: return CBC_ERR_SERVER_STATUS;
    }
}

int cbc_err_from_errno(int errnum, int connecting)
{
    switch (errnum) {
    case 0:
        return CBC_ERR_OK;
    case ETIMEDOUT:
        return CBC_ERR_ETIMEDOUT;
    case ENOMEM:
    case ENOBUFS:
        return CBC_ERR_CLIENT_ENOMEM;
    case EMFILE:
    case ENFILE:
        /* Out of descriptors is a local condition that may clear up. */
        return CBC_ERR_CLIENT_ETMPFAIL;
    default:
        return connecting ? CBC_ERR_CONNECT_ERROR : CBC_ERR_NETWORK_ERROR;
    }
}
