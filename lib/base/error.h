/* Thread-local error detail: every failing path sets code + message here. */
#ifndef TIX_LIB_ERROR_H
#define TIX_LIB_ERROR_H

#include "tix.h"

/* Records a detail message for the calling thread and returns @p code, so a
 * failing path reads: `return tix__err(TIX_EINVAL, "name is empty");` */
int tix__err(int code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* tix__err with a fixed message, without formatting: for refusals on hot
 * paths (a sold-out show refuses millions of requests a second). */
int tix__err_str(int code, const char *msg);

/* The argument check every public call starts with: returns TIX_EINVAL
 * ("db is NULL") from the calling function when @p arg is NULL. */
#define TIX__ARG(arg)                                                     \
    do {                                                                  \
        if (!(arg)) return tix__err(TIX_EINVAL, #arg " is NULL");         \
    } while (0)

/* The input field the calling thread's last failure is about, for
 * callers that point at their own input (cli/import.c maps "currency" or
 * "rows[2].seats[5]" back to a line of its file): "name", "lat",
 * "rows[2].seats[5]"; "" when the failure named no field. Every
 * tix__err clears it; tix__err_at sets it after the message and returns
 * @p code: `if (rc) return tix__err_at(rc, "name");`. */
int tix__err_at(int code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* (tix_errfield() reads it: tix.h.) */

/* Maps an LMDB or errno code to a TIX_E* code, recording a message that
 * names @p what. MDB_SUCCESS maps to TIX_OK. */
int tix__mdb_err(int rc, const char *what);

/* Whether the calling thread mapped an MDB_MAP_FULL since the last
 * tix__err_map_full_clear(): tix__db_write grows the map only for that, not for
 * every TIX_EFULL (a full disk, ENOSPC, is TIX_EFULL too, and a bigger
 * map cannot help it). */
void tix__err_map_full_clear(void);
int tix__err_map_full_seen(void);

#endif
