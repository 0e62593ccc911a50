/* Kernel randomness for store secrets, hold tokens and ticket codes. */
#ifndef TIX_LIB_RANDOM_H
#define TIX_LIB_RANDOM_H

#include <stddef.h>

/* Fills @p buf with @p n bytes of kernel randomness (libsodium's
 * randombytes_buf). Callers on hot paths use tix__random_batch: requests
 * of up to 256 bytes come from a per-thread ChaCha20 buffer (libsodium's
 * stream, fast key erasure, reseeded every MiB and after fork), so a hold
 * does not cost a syscall. */
int tix__random_bytes(void *buf, size_t n);
/* Starts libsodium once per process; TIX_EIO when the kernel has no
 * getrandom(2). Every libsodium user calls it first. */
int tix__random_init(void);
int tix__random_batch(void *buf, size_t n);

#endif
