/* Kernel randomness for store secrets, hold tokens and ticket codes. */
#ifndef TIX_LIB_RANDOM_H
#define TIX_LIB_RANDOM_H

#include <stddef.h>

/* Fills @p buf with @p n bytes from getrandom(2). Callers on hot paths
 * batch: tix__random_batch serves small requests from a per-thread pool
 * refilled 4 KiB at a time, so a hold does not cost a syscall. */
int tix__random(void *buf, size_t n);
int tix__random_batch(void *buf, size_t n);

#endif
