/* Kernel randomness, and a per-thread ChaCha20 generator keyed from it for
 * the hot paths (hold tokens, ticket codes). */
#include "random.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
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

/* ---- ChaCha20 (RFC 8439 block function), four blocks at a time -------- *
 *
 * Each of the 16 state words is a vector holding that word for four
 * consecutive blocks, so the rounds need no shuffles and the compiler
 * uses SIMD registers where it has them (plain C elsewhere). */

typedef uint32_t v4u __attribute__((vector_size(16)));

#define ROTL(v, n) (((v) << (n)) | ((v) >> (32 - (n))))
#define QR(a, b, c, d)                                                     \
    do {                                                                   \
        a += b; d ^= a; d = ROTL(d, 16);                                   \
        c += d; b ^= c; b = ROTL(b, 12);                                   \
        a += b; d ^= a; d = ROTL(d, 8);                                    \
        c += d; b ^= c; b = ROTL(b, 7);                                    \
    } while (0)

static void put_le32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

static uint32_t get_le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

/* Writes blocks counter, counter+1, +2, +3 of (key, nonce) to out[256]. */
static void chacha20_x4(const uint32_t key[8], uint32_t counter,
                        const uint32_t nonce[3], unsigned char out[256])
{
    static const uint32_t sigma[4] = {0x61707865, 0x3320646e, 0x79622d32,
                                      0x6b206574};
    v4u in[16], x[16];
    for (int i = 0; i < 4; i++) in[i] = (v4u){sigma[i], sigma[i], sigma[i], sigma[i]};
    for (int i = 0; i < 8; i++) in[4 + i] = (v4u){key[i], key[i], key[i], key[i]};
    in[12] = (v4u){counter, counter + 1, counter + 2, counter + 3};
    for (int i = 0; i < 3; i++)
        in[13 + i] = (v4u){nonce[i], nonce[i], nonce[i], nonce[i]};
    memcpy(x, in, sizeof x);
    for (int r = 0; r < 10; r++) {
        QR(x[0], x[4], x[8], x[12]);
        QR(x[1], x[5], x[9], x[13]);
        QR(x[2], x[6], x[10], x[14]);
        QR(x[3], x[7], x[11], x[15]);
        QR(x[0], x[5], x[10], x[15]);
        QR(x[1], x[6], x[11], x[12]);
        QR(x[2], x[7], x[8], x[13]);
        QR(x[3], x[4], x[9], x[14]);
    }
    for (int i = 0; i < 16; i++) {
        v4u v = x[i] + in[i];
        uint32_t lane[4];
        memcpy(lane, &v, sizeof lane);
        for (int b = 0; b < 4; b++) put_le32(out + 64 * b + 4 * i, lane[b]);
    }
    memset(x, 0, sizeof x);
    __asm__ __volatile__("" : : "r"(x) : "memory"); /* keep the wipe */
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
    uint32_t key[8];
    unsigned gen;        /* fork generation of the key; 0 = none yet */
    size_t left;         /* unused bytes in buf[32 .. 32 + left) */
    size_t since_seed;   /* bytes made since the key came from the kernel */
    unsigned char buf[RNG_BYTES];
} rng;

static int rng_refill(unsigned gen)
{
    if (rng.gen != gen || rng.since_seed >= RESEED_BYTES) {
        pthread_once(&fork_state.once, fork_hook);
        unsigned char seed[32];
        int rc = tix__random(seed, sizeof seed);
        if (rc) return rc;
        for (int i = 0; i < 8; i++) rng.key[i] = get_le32(seed + 4 * i);
        explicit_bzero(seed, sizeof seed);
        rng.gen = gen;
        rng.since_seed = 0;
    }
    static const uint32_t nonce[3] = {0, 0, 0};
    for (uint32_t b = 0; b < RNG_BYTES / 64; b += 4)
        chacha20_x4(rng.key, b, nonce, rng.buf + 64 * b);
    for (int i = 0; i < 8; i++) rng.key[i] = get_le32(rng.buf + 4 * i);
    explicit_bzero(rng.buf, 32);
    rng.left = RNG_BYTES - 32;
    rng.since_seed += RNG_BYTES;
    return TIX_OK;
}

int tix__random_batch(void *buf, size_t n)
{
    if (n > 256) return tix__random(buf, n);
    unsigned gen = atomic_load_explicit(&fork_state.gen, memory_order_relaxed);
    if (rng.gen != gen) {
        /* A new thread, or the child of a fork: drop what is left. */
        explicit_bzero(rng.buf, sizeof rng.buf);
        rng.left = 0;
    }
    if (rng.left < n) {
        int rc = rng_refill(gen);
        if (rc) return rc;
    }
    /* Hand out bytes from the end and wipe them so they are used once. */
    rng.left -= n;
    memcpy(buf, rng.buf + 32 + rng.left, n);
    explicit_bzero(rng.buf + 32 + rng.left, n);
    return TIX_OK;
}
