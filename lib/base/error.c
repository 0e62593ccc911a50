/* Error codes, their names and the per-thread detail message. */
#include "error.h"

#include <errno.h>
#include <lmdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static _Thread_local char errmsg[512];
static _Thread_local char errfield[64];
static _Thread_local int map_full_seen;

void tix__err_map_full_clear(void) { map_full_seen = 0; }
int tix__err_map_full_seen(void) { return map_full_seen; }

int tix__err(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(errmsg, sizeof errmsg, fmt, ap);
    va_end(ap);
    errfield[0] = '\0';
    return code;
}

int tix__err_at(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(errfield, sizeof errfield, fmt, ap);
    va_end(ap);
    return code;
}

const char *tix_errfield(void) { return errfield; }

int tix__err_str(int code, const char *msg)
{
    size_t n = strlen(msg);
    if (n >= sizeof errmsg) n = sizeof errmsg - 1;
    memcpy(errmsg, msg, n);
    errmsg[n] = 0;
    errfield[0] = '\0';
    return code;
}

const char *tix_errmsg(void) { return errmsg; }

const char *tix_strerror(int code)
{
    switch (code) {
    case TIX_OK: return "TIX_OK: success";
    case TIX_EINVAL: return "TIX_EINVAL: invalid argument";
    case TIX_ENOTFOUND: return "TIX_ENOTFOUND: not found";
    case TIX_EEXISTS: return "TIX_EEXISTS: already exists";
    case TIX_ECONFLICT: return "TIX_ECONFLICT: seat taken by someone else";
    case TIX_EEXPIRED: return "TIX_EEXPIRED: hold or lease expired";
    case TIX_EFULL: return "TIX_EFULL: store is full";
    case TIX_ECORRUPT: return "TIX_ECORRUPT: data failed its checks";
    case TIX_EIO: return "TIX_EIO: I/O error";
    case TIX_ENOMEM: return "TIX_ENOMEM: out of memory";
    case TIX_EBUSY: return "TIX_EBUSY: resource busy";
    case TIX_ETOOLONG: return "TIX_ETOOLONG: string or list too long";
    case TIX_EUTF8: return "TIX_EUTF8: invalid UTF-8";
    case TIX_ERANGE: return "TIX_ERANGE: number out of range";
    case TIX_EOVERLAP: return "TIX_EOVERLAP: overlapping show";
    case TIX_EPERM: return "TIX_EPERM: not permitted";
    case TIX_EALREADY: return "TIX_EALREADY: already done";
    case TIX_EBADCODE: return "TIX_EBADCODE: malformed or forged code";
    case TIX_EVERSION: return "TIX_EVERSION: unknown format version";
    case TIX_EAGAIN: return "TIX_EAGAIN: not ready, try again";
    case TIX_ELIMIT: return "TIX_ELIMIT: limit reached";
    case TIX_ESTATE: return "TIX_ESTATE: wrong state";
    case TIX_ETIMEDOUT: return "TIX_ETIMEDOUT: timed out";
    case TIX_EPRICE: return "TIX_EPRICE: the price differs from the amount expected";
    case TIX_ECHECKEDIN: return "TIX_ECHECKEDIN: a ticket was already checked in";
    case TIX_EFENCED: return "TIX_EFENCED: not the primary of its stream";
    case TIX_EREPL: return "TIX_EREPL: replication did not acknowledge the write";
    default: return "unknown error";
    }
}

int tix__mdb_err(int rc, const char *what)
{
    switch (rc) {
    case MDB_SUCCESS: return TIX_OK;
    case MDB_NOTFOUND: return tix__err(TIX_ENOTFOUND, "%s: not found", what);
    case MDB_KEYEXIST: return tix__err(TIX_EEXISTS, "%s: key exists", what);
    case MDB_MAP_FULL:
        map_full_seen = 1;
        return tix__err(TIX_EFULL, "%s: store reached its size limit", what);
    case MDB_CORRUPTED:
    case MDB_PAGE_NOTFOUND:
    case MDB_BAD_TXN:
    case MDB_BAD_VALSIZE:
        return tix__err(TIX_ECORRUPT, "%s: %s", what, mdb_strerror(rc));
    case MDB_INVALID:
        return tix__err(TIX_ECORRUPT, "%s: not an LMDB file", what);
    case MDB_VERSION_MISMATCH:
        return tix__err(TIX_EVERSION, "%s: %s", what, mdb_strerror(rc));
    case MDB_READERS_FULL:
    case MDB_TXN_FULL:
    case MDB_DBS_FULL:
        return tix__err(TIX_ELIMIT, "%s: %s", what, mdb_strerror(rc));
    case ENOMEM: return tix__err(TIX_ENOMEM, "%s: out of memory", what);
    case EACCES:
    case EROFS:
    case EPERM:
        return tix__err(TIX_EPERM, "%s: %s", what, strerror(rc));
    case ENOENT: return tix__err(TIX_ENOTFOUND, "%s: %s", what, strerror(rc));
    case ENOSPC: return tix__err(TIX_EFULL, "%s: %s", what, strerror(rc));
    default:
        return tix__err(TIX_EIO, "%s: %s", what, mdb_strerror(rc));
    }
}
