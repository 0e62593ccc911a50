/* seats.map: open/validate/rebuild, growth without moving, lazy regions. */
#include "seatmap.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <xxhash.h>

#include "error.h"
#include "files.h"
#include "os.h"
#include "random.h"

#define MAP_MAGIC "TIXSEATS"
#define MAP_VERSION 1
#define GROW_CHUNK ((size_t)1 << 20)

/* Region marker (word 0 of a region). */
#define MARK_READY (1ull << 63)
#define MARK_INIT (1ull << 62)
#define MARK_ID_MASK ((1ull << 62) - 1)

typedef struct map_header {
    char magic[8];
    uint32_t version;
    uint32_t header_size;
    uint8_t identity[16];
    uint8_t boot_id[16];
    int64_t epoch;
    uint8_t secret[16];
    uint64_t checksum; /* XXH3 of every byte above */
} map_header;

static uint64_t header_sum(const map_header *h)
{
    return XXH3_64bits(h, offsetof(map_header, checksum));
}

/* Why a header cannot be used, or NULL when it can. */
static const char *header_problem(const map_header *h, size_t file_size,
                                  const uint8_t identity[16],
                                  const uint8_t boot[16])
{
    if (file_size < TIX_MAP_HEADER_SIZE) return "missing or truncated";
    if (memcmp(h->magic, MAP_MAGIC, 8) != 0) return "bad magic";
    if (h->version != MAP_VERSION) return "unknown version";
    if (h->header_size != TIX_MAP_HEADER_SIZE) return "bad header size";
    if (h->checksum != header_sum(h)) return "bad checksum";
    if (memcmp(h->identity, identity, 16) != 0) return "belongs to another store";
    if (memcmp(h->boot_id, boot, 16) != 0) return "written before the last boot";
    return NULL;
}

/* Gives the file real blocks for bytes [0, len), growing it when shorter,
 * so that a full filesystem shows up here as ENOSPC (TIX_EFULL) instead of
 * as SIGBUS when a page of the shared mapping is first written: a sparse
 * seats.map on a full disk killed the process (issue 8, found by
 * tests/store/test_hostile.c). Returns 0 or an errno value. */
static int reserve_blocks(int fd, size_t len)
{
    int e = posix_fallocate(fd, 0, (off_t)len);
    if (e == EOPNOTSUPP || e == ENOSYS || e == EINVAL) { /* no fallocate here */
        /* Only ever to grow: a mapped file must never shrink (SIGBUS in
         * every process that maps the pages past the new end). */
        struct stat st;
        if (fstat(fd, &st) != 0) return errno;
        if ((size_t)st.st_size >= len) return 0;
        e = ftruncate(fd, (off_t)len) == 0 ? 0 : errno;
    }
    return e;
}

static int write_fresh(int fd, const uint8_t identity[16],
                       const uint8_t boot[16], int64_t now)
{
    map_header h;
    memset(&h, 0, sizeof h);
    memcpy(h.magic, MAP_MAGIC, 8);
    h.version = MAP_VERSION;
    h.header_size = TIX_MAP_HEADER_SIZE;
    memcpy(h.identity, identity, 16);
    memcpy(h.boot_id, boot, 16);
    /* Epoch a little in the past so that "now" is never map time 0. */
    h.epoch = now - 60;
    int rc = tix__random_bytes(h.secret, sizeof h.secret);
    if (rc) return rc;
    h.checksum = header_sum(&h);
    int e = reserve_blocks(fd, TIX_MAP_HEADER_SIZE + GROW_CHUNK);
    if (e) return tix__mdb_err(e, "seats.map");
    if (pwrite(fd, &h, sizeof h, 0) != (ssize_t)sizeof h)
        return tix__err(TIX_EIO, "seats.map header: %s", strerror(errno));
    return TIX_OK;
}

/* Builds a new file beside the damaged one and renames it into place. The
 * old file is never truncated or rewritten: a process (or another program)
 * may still have it mapped, and a mapping past the end of its file is
 * SIGBUS at the next seat access. Processes still using the old file keep
 * working; LMDB's seat rows stop any double booking between the two. */
static int replace_file(const char *dir, int *fd, const uint8_t identity[16],
                        const uint8_t boot[16], int64_t now)
{
    char tmp[4096], path[4096];
    snprintf(tmp, sizeof tmp, "%s/" TIX__FILE_SEATMAP ".%d", dir, (int)getpid());
    snprintf(path, sizeof path, "%s/" TIX__FILE_SEATMAP, dir);
    int nfd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
                   0600); /* O_NOFOLLOW: see tix__seatmap_open */
    if (nfd < 0) return tix__mdb_err(errno, "seats.map");
    int rc = write_fresh(nfd, identity, boot, now);
    if (rc == TIX_OK && rename(tmp, path) != 0)
        rc = tix__mdb_err(errno, "seats.map rename");
    if (rc) {
        close(nfd);
        unlink(tmp);
        return rc;
    }
    flock(nfd, LOCK_SH);
    close(*fd);
    *fd = nfd;
    return TIX_OK;
}

static int read_header(int fd, map_header *h, size_t *size)
{
    struct stat st;
    if (fstat(fd, &st) != 0) return tix__mdb_err(errno, "seats.map");
    *size = (size_t)st.st_size;
    memset(h, 0, sizeof *h);
    if (*size >= TIX_MAP_HEADER_SIZE && pread(fd, h, sizeof *h, 0) < 0)
        return tix__mdb_err(errno, "seats.map");
    return TIX_OK;
}

/* Validates the file under the right lock and rebuilds it when needed. */
static int validate(tix_seatmap *m, const char *dir,
                    const uint8_t identity[16], int64_t now)
{
    uint8_t boot[16];
    tix__os_boot_id(boot);
    m->exclusive = flock(m->fd, LOCK_EX | LOCK_NB) == 0;
    if (!m->exclusive) flock(m->fd, LOCK_SH);
    map_header h;
    size_t size;
    int rc = read_header(m->fd, &h, &size);
    if (rc) return rc;
    if (header_problem(&h, size, identity, boot) == NULL) {
        /* Still exclusive: the engine first repairs the CONFIRMING words
         * left by dead processes, then calls tix__seatmap_share(). Sharing
         * now would let another process open and start confirms whose
         * live CONFIRMING words that repair would take for leftovers. */
        return TIX_OK;
    }
    m->rebuilt = 1;
    return replace_file(dir, &m->fd, identity, boot, now);
}

int tix__seatmap_open(tix_seatmap *m, const char *dir,
                      const uint8_t identity[16], const uint8_t secret[32],
                      int64_t now, size_t reserve)
{
    memset(m, 0, sizeof *m);
    m->fd = -1;
    char path[4096];
    snprintf(path, sizeof path, "%s/" TIX__FILE_SEATMAP, dir);
    /* O_NOFOLLOW: a rebuild truncates and rewrites the file, so a
     * seats.map planted as a symbolic link would make us clobber its
     * target (issue 8, found by tests/store/test_hostile.c). Refuse it. */
    m->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (m->fd < 0) return tix__mdb_err(errno, "seats.map");
    int rc = validate(m, dir, identity, now);
    if (rc) goto fail;
    m->reserve = reserve;
    m->base = mmap(NULL, reserve, PROT_READ | PROT_WRITE, MAP_SHARED, m->fd, 0);
    if (m->base == MAP_FAILED) {
        m->base = NULL;
        rc = tix__err(TIX_ENOMEM, "seats.map: cannot reserve %zu bytes: %s",
                      reserve, strerror(errno));
        goto fail;
    }
    const map_header *h = (const map_header *)m->base;
    m->epoch = h->epoch;
    uint64_t s1, s2, s3;
    memcpy(&s1, h->secret, 8);
    memcpy(&s2, h->secret + 8, 8);
    memcpy(&s3, secret, 8);
    m->tag_seed = s1 ^ s2 ^ s3;
    struct stat st;
    fstat(m->fd, &st);
    /* A file an older libtix grew sparse: give it its blocks now. */
    int e = reserve_blocks(m->fd, (size_t)st.st_size);
    if (e) {
        munmap(m->base, m->reserve);
        m->base = NULL;
        rc = tix__mdb_err(e, "seats.map");
        goto fail;
    }
    atomic_store(&m->file_bytes, (size_t)st.st_size);
    pthread_mutex_init(&m->grow_lock, NULL);
    return TIX_OK;
fail:
    close(m->fd);
    m->fd = -1;
    return rc;
}

void tix__seatmap_share(tix_seatmap *m)
{
    /* EX -> SH (or SH -> SH: harmless). The conversion is not atomic, but
     * we have not used the map yet, so whoever slips in exclusive between
     * the two steps is right to think nobody else is working on it. */
    flock(m->fd, LOCK_SH);
}

void tix__seatmap_close(tix_seatmap *m)
{
    if (m->base) {
        munmap(m->base, m->reserve);
        pthread_mutex_destroy(&m->grow_lock);
    }
    if (m->fd >= 0) close(m->fd); /* drops the shared lock */
    m->base = NULL;
    m->fd = -1;
}

uint32_t tix__seatmap_time(const tix_seatmap *m, int64_t t)
{
    int64_t d = t - m->epoch;
    if (d < 0) return 0;
    if (d > TIX_W_EXP_MASK) return TIX_W_EXP_MASK;
    return (uint32_t)d;
}

/* Makes sure the file backs bytes [0, need). Growth only ever extends, under
 * an OFD lock so two processes cannot shrink each other's extension. */
static int ensure_size(tix_seatmap *m, size_t need)
{
    if (need <= atomic_load_explicit(&m->file_bytes, memory_order_acquire))
        return TIX_OK;
    if (need > m->reserve)
        return tix__err(TIX_EFULL, "seats.map needs %zu bytes, reserve is %zu",
                        need, m->reserve);
    pthread_mutex_lock(&m->grow_lock);
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0,
                       .l_len = 1};
    int rc = TIX_OK;
    if (fcntl(m->fd, F_OFD_SETLKW, &fl) != 0) {
        rc = tix__mdb_err(errno, "seats.map lock");
        goto out;
    }
    struct stat st;
    fstat(m->fd, &st);
    size_t size = (size_t)st.st_size;
    if (size < need) {
        size_t target = (need + GROW_CHUNK - 1) / GROW_CHUNK * GROW_CHUNK;
        if (target < size * 2 && size * 2 <= m->reserve) target = size * 2;
        if (target > m->reserve) target = m->reserve;
        int e = reserve_blocks(m->fd, target); /* was a sparse ftruncate */
        if (e)
            rc = tix__mdb_err(e, "seats.map grow");
        else
            size = target;
    }
    fl.l_type = F_UNLCK;
    fcntl(m->fd, F_OFD_SETLK, &fl);
    atomic_store_explicit(&m->file_bytes, size, memory_order_release);
out:
    pthread_mutex_unlock(&m->grow_lock);
    return rc;
}

/* Where a region is first touched by this process: the file must still
 * back it. Someone who truncated seats.map in place (an admin, another
 * tool) would otherwise make this access SIGBUS; a region touched before
 * the truncation cannot be protected this way (docs/guide.md). */
static int check_backed(tix_seatmap *m, size_t need)
{
    struct stat st;
    if (fstat(m->fd, &st) != 0) return tix__mdb_err(errno, "seats.map");
    if ((size_t)st.st_size < need)
        return tix__err(TIX_ECORRUPT, "seats.map is %lld bytes, its regions "
                                      "need %zu: it was truncated in place",
                        (long long)st.st_size, need);
    return TIX_OK;
}

static int pid_alive(uint64_t pid)
{
    return pid != 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
}

/* Initialises a region we have claimed (marker = INIT|show). */
static int init_region(tix_word *region, tix_id show_id, uint32_t n,
                       tix_region_fill_fn fill, void *arg)
{
    tix_word *seats = region + TIX_REGION_HDR_WORDS;
    atomic_store(&region[1], show_id);
    for (uint32_t i = 0; i < n; i++)
        atomic_store_explicit(&seats[i], 0, memory_order_relaxed);
    int rc = fill(arg, seats, n);
    if (rc) {
        /* Give the region back so someone can try again. */
        atomic_store(&region[0], 0);
        return rc;
    }
    atomic_store_explicit(&region[0], MARK_READY | show_id, memory_order_release);
    return TIX_OK;
}

int tix__seatmap_region(tix_seatmap *m, tix_id show_id, uint64_t seat_base,
                        uint32_t seat_count, uint64_t tail_words,
                        tix_region_fill_fn fill, void *arg, tix_word **seats)
{
    uint64_t words = seat_base + TIX_REGION_HDR_WORDS + seat_count + tail_words;
    if (words > (m->reserve - TIX_MAP_HEADER_SIZE) / 8)
        return tix__err(TIX_EFULL, "seats.map reserve too small for show %llu",
                        (unsigned long long)show_id);
    int rc = ensure_size(m, TIX_MAP_HEADER_SIZE + words * 8);
    if (rc == 0) rc = check_backed(m, TIX_MAP_HEADER_SIZE + words * 8);
    if (rc) return rc;
    tix_word *region = (tix_word *)(m->base + TIX_MAP_HEADER_SIZE) + seat_base;
    *seats = region + TIX_REGION_HDR_WORDS;
    const uint64_t ready = MARK_READY | (show_id & MARK_ID_MASK);
    /* While a process fills a region its marker is INIT|pid, so a dead
     * filler can be detected and replaced with one atomic swap. */
    const uint64_t mine = MARK_INIT | (uint64_t)getpid();
    for (int spins = 0;; spins++) {
        uint64_t mark = atomic_load_explicit(&region[0], memory_order_acquire);
        if (mark == ready) return TIX_OK;
        if (mark & MARK_INIT) {
            uint64_t pid = mark & MARK_ID_MASK;
            if (!pid_alive(pid) && spins > 100 &&
                atomic_compare_exchange_strong(&region[0], &mark, mine))
                return init_region(region, show_id, seat_count, fill, arg);
            if (spins > 200000)
                return tix__err(TIX_EBUSY, "show %llu region stuck initialising",
                                (unsigned long long)show_id);
            struct timespec ts = {0, 50000};
            nanosleep(&ts, NULL);
            continue;
        }
        /* Empty, or left by a finished show whose region was reused. */
        if (atomic_compare_exchange_strong(&region[0], &mark, mine))
            return init_region(region, show_id, seat_count, fill, arg);
    }
}
