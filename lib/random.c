/* Kernel randomness, with a per-thread pool for the hot paths. */
#include "random.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "error.h"

int tix__random(void *buf, size_t n)
{
    unsigned char *p = buf;
    while (n > 0) {
        ssize_t got = getrandom(p, n, 0);
        if (got < 0) {
            if (errno == EINTR) continue;
            return tix__err(TIX_EIO, "getrandom: %s", strerror(errno));
        }
        p += got;
        n -= (size_t)got;
    }
    return TIX_OK;
}

#define POOL_SIZE 4096
static _Thread_local unsigned char pool[POOL_SIZE];
static _Thread_local size_t pool_left;

int tix__random_batch(void *buf, size_t n)
{
    if (n > POOL_SIZE / 4) return tix__random(buf, n);
    if (pool_left < n) {
        int rc = tix__random(pool, POOL_SIZE);
        if (rc) return rc;
        pool_left = POOL_SIZE;
    }
    /* Hand out bytes from the end and wipe them so they are used once. */
    pool_left -= n;
    memcpy(buf, pool + pool_left, n);
    memset(pool + pool_left, 0, n);
    return TIX_OK;
}
