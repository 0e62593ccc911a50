/* Kernel randomness through libsodium, and a per-thread generator over
 * libsodium's ChaCha20 for the hot paths (hold tokens, ticket codes):
 * randombytes_buf() is a getrandom(2) call per use, about 0.4 us against
 * about 10 ns from the buffer (docs/design.md, "Holds"). */
#include "random.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sodium.h>
#include <sys/random.h>

#include "error.h"

static pthread_once_t sodium_once = PTHREAD_ONCE_INIT;
static int sodium_ok;

/* libsodium aborts the process when it finds no kernel randomness
 * (sodium_misuse), and the library must never abort: so getrandom(2) is
 * proven to work before libsodium is started. Once it works, libsodium's
 * randombytes_buf only retries EINTR and cannot fail. */
static void sodium_start(void)
{
    unsigned char probe[16];
    ssize_t got;
    do got = getrandom(probe, sizeof probe, 0);
    while (got < 0 && errno == EINTR);
    sodium_ok = got == (ssize_t)sizeof probe && sodium_init() >= 0;
    sodium_memzero(probe, sizeof probe);
}

int tix__random_init(void)
{
    pthread_once(&sodium_once, sodium_start);
    return sodium_ok ? TIX_OK
                     : tix__err(TIX_EIO, "no kernel randomness (getrandom) or "
                                         "libsodium failed to initialise");
}

int tix__random_bytes(void *buf, size_t n)
{
    int rc = tix__random_init();
    if (rc == TIX_OK) randombytes_buf(buf, n);
    return rc;
}

/* ---- the per-thread generator ------------------------------------------
 *
 * Fast key erasure: each refill runs ChaCha20 under the current key, takes
 * the first 32 bytes of the output as the next key and wipes them, and
 * hands out the rest once (bytes are wiped as they are handed out), so
 * neither the key nor the buffer in memory reveals bytes already given
 * out. The key comes fresh from getrandom(2) on a thread's first use,
 * every RESEED_BYTES, and in a child after fork() (a fork generation bumped
 * by a pthread_atfork handler), so parent and child never share output. */

#define RNG_BYTES 1024           /* 16 blocks per refill */
#define RESEED_BYTES (1u << 20)  /* fresh kernel key every MiB */

static struct {
    pthread_once_t once;
    _Atomic unsigned gen; /* bumped in the child at every fork */
} fork_state = {PTHREAD_ONCE_INIT, 1};

static void fork_child(void)
{
    /* 0 means "no key yet": skip it when the counter wraps. */
    if (atomic_fetch_add_explicit(&fork_state.gen, 1, memory_order_relaxed) + 1 == 0)
        atomic_fetch_add_explicit(&fork_state.gen, 1, memory_order_relaxed);
}

static void fork_hook(void) { pthread_atfork(NULL, NULL, fork_child); }

static _Thread_local struct {
    unsigned char key[crypto_stream_chacha20_ietf_KEYBYTES];
    unsigned gen;        /* fork generation of the key; 0 = none yet */
    size_t left;         /* unused bytes in buf[32 .. 32 + left) */
    size_t since_seed;   /* bytes made since the key came from the kernel */
    unsigned char buf[RNG_BYTES];
} rng;

static int rng_refill(unsigned gen)
{
    if (rng.gen != gen || rng.since_seed >= RESEED_BYTES) {
        pthread_once(&fork_state.once, fork_hook);
        int rc = tix__random_bytes(rng.key, sizeof rng.key);
        if (rc) return rc;
        rng.gen = gen;
        rng.since_seed = 0;
    }
    /* A zero nonce is safe: every key is used for one refill only. */
    static const unsigned char nonce[crypto_stream_chacha20_ietf_NONCEBYTES];
    crypto_stream_chacha20_ietf(rng.buf, sizeof rng.buf, nonce, rng.key);
    memcpy(rng.key, rng.buf, sizeof rng.key);
    sodium_memzero(rng.buf, 32);
    rng.left = RNG_BYTES - 32;
    rng.since_seed += RNG_BYTES;
    return TIX_OK;
}

int tix__random_batch(void *buf, size_t n)
{
    if (n > 256) return tix__random_bytes(buf, n);
    unsigned gen = atomic_load_explicit(&fork_state.gen, memory_order_relaxed);
    if (rng.gen != gen) {
        /* A new thread, or the child of a fork: drop what is left. */
        sodium_memzero(rng.buf, sizeof rng.buf);
        rng.left = 0;
    }
    if (rng.left < n) {
        int rc = rng_refill(gen);
        if (rc) return rc;
    }
    /* Hand out bytes from the end and wipe them so they are used once. */
    rng.left -= n;
    memcpy(buf, rng.buf + 32 + rng.left, n);
    sodium_memzero(rng.buf + 32 + rng.left, n);
    return TIX_OK;
}
