/* Thread-local error detail: every failing path sets code + message here. */
#ifndef TIX_LIB_ERROR_H
#define TIX_LIB_ERROR_H

#include "tix.h"

/* Records a detail message for the calling thread and returns @p code, so a
 * failing path reads: `return tix__err(TIX_EINVAL, "name is empty");` */
int tix__err(int code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Maps an LMDB or errno code to a TIX_E* code, recording a message that
 * names @p what. MDB_SUCCESS maps to TIX_OK. */
int tix__mdb_err(int rc, const char *what);

#endif
