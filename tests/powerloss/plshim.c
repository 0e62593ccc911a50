/* plshim: an LD_PRELOAD library that simulates a power cut.
 *
 * A kill -9 cannot show what a machine crash does: the page cache outlives
 * the process, so every write() that returned is "on disk". This shim
 * keeps, for each file of one directory, the writes that no fsync has made
 * durable yet, and at a "power cut" builds a disk image in which only the
 * durable state and a random part of those writes survive, then ends the
 * process at once.
 *
 * Environment (the shim does nothing when TIX_PL_DIR is unset):
 *   TIX_PL_DIR        directory whose files are tracked (not its subdirs)
 *   TIX_PL_IMAGE      directory the image is written to at the cut
 *   TIX_PL_SEED       seeds which pending writes survive (default 1)
 *   TIX_PL_CUT_AT     cut just before the Nth durability call takes effect
 *   TIX_PL_CUT_WRITES cut just before the Nth tracked write takes effect
 *   TIX_PL_CUT_MS     cut N ms after the shim loaded (helper thread)
 *   TIX_PL_REPORT     file that receives one line describing the cut
 *   TIX_PL_MAX_MB     bound on pending bytes (old + new, default 512)
 *   TIX_PL_KEEP_PCT   chance (0..100) that a pending write survives;
 *                     default: drawn per cut from 0, 25, 50, 75, 100
 *   TIX_PL_TORN_PCT   chance that a surviving write is torn (default 25)
 *   TIX_PL_LAX_DIR    1: fsync of a new file also makes its name durable
 *                     (what ext4 and XFS do in practice; POSIX does not
 *                     promise it)
 *
 * Durability model:
 *  - a write to a tracked file is pending until fsync/fdatasync of that
 *    file (any fd), sync() or syncfs() returns; a write through an fd
 *    opened with O_SYNC or O_DSYNC is durable when it returns;
 *  - sync_file_range() and msync() make nothing durable (no metadata, no
 *    disk cache flush), so they only pass through;
 *  - a file created by this process keeps its name only if the directory
 *    was fsynced afterwards (POSIX; ext4 is kinder, the test is not),
 *    else it survives like a pending write;
 *  - sizes: a file's durable size is its size when it was first opened or
 *    at its last sync; ftruncate and fallocate are pending like writes.
 * "Durability calls", counted for TIX_PL_CUT_AT across all tracked files,
 * are fsync, fdatasync, sync, syncfs and each write through an O_SYNC or
 * O_DSYNC fd (LMDB's meta page write in full-sync mode is one).
 *
 * The image: every regular file of the directory except lock.mdb and
 * seats.map* (a reboot discards them / libtix rebuilds them) is copied,
 * all pending writes are reverted newest first, sizes are set to the
 * durable sizes, then a seeded random subset of the pending writes is
 * applied again oldest first, some of them torn after a 512-byte sector.
 *
 * Not simulated (the shim says so and exits, or the limitation is
 * documented here): writable shared mappings of tracked files (exits);
 * rename, unlink and link, which act as durable at once (only a new
 * file's name waits for a directory fsync); fcntl(F_DUPFD); stdio
 * streams (their writes bypass the PLT). Exit codes: 86 pending bytes over the
 * bound, 87 an unsupported operation, 88 the image could not be built.
 *
 * One mutex guards everything and is held across each tracked write, so
 * the record order is the write order; a thread that reaches a cut holds
 * it until _exit, which also freezes every other thread's tracked I/O. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* dlsym RTLD_NEXT, fallocate, pwritev2 */
#endif
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define SECTOR 512
#define EXIT_OVER_BUDGET 86
#define EXIT_UNSUPPORTED 87
#define EXIT_IMAGE_FAILED 88

#define SLOT_NONE 0
#define SLOT_FILE 1
#define SLOT_DIR 2

/* ---- the real functions ------------------------------------------------ */

static int (*real_open)(const char *, int, ...);
static int (*real_openat)(int, const char *, int, ...);
static int (*real_close)(int);
static int (*real_dup)(int);
static int (*real_dup2)(int, int);
static int (*real_dup3)(int, int, int);
static ssize_t (*real_write)(int, const void *, size_t);
static ssize_t (*real_pwrite)(int, const void *, size_t, off_t);
static ssize_t (*real_writev)(int, const struct iovec *, int);
static ssize_t (*real_pwritev)(int, const struct iovec *, int, off_t);
static ssize_t (*real_pwritev2)(int, const struct iovec *, int, off_t, int);
static int (*real_ftruncate)(int, off_t);
static int (*real_fallocate)(int, int, off_t, off_t);
static int (*real_posix_fallocate)(int, off_t, off_t);
static int (*real_fsync)(int);
static int (*real_fdatasync)(int);
static int (*real_sync_file_range)(int, off_t, off_t, unsigned);
static int (*real_msync)(void *, size_t, int);
static void (*real_sync)(void);
static int (*real_syncfs)(int);
static void *(*real_mmap)(void *, size_t, int, int, int, off_t);
static int (*real_renameat2)(int, const char *, int, const char *, unsigned);
static int (*real_unlinkat)(int, const char *, int);
static int (*real_linkat)(int, const char *, int, const char *, int);

static void *must_sym(const char *name)
{
    void *p = dlsym(RTLD_NEXT, name);
    if (!p) {
        fprintf(stderr, "plshim: no next definition of %s\n", name);
        _exit(EXIT_UNSUPPORTED);
    }
    return p;
}

static void resolve(void)
{
    real_open = must_sym("open");
    real_openat = must_sym("openat");
    real_close = must_sym("close");
    real_dup = must_sym("dup");
    real_dup2 = must_sym("dup2");
    real_dup3 = must_sym("dup3");
    real_write = must_sym("write");
    real_pwrite = must_sym("pwrite");
    real_writev = must_sym("writev");
    real_pwritev = must_sym("pwritev");
    real_pwritev2 = must_sym("pwritev2");
    real_ftruncate = must_sym("ftruncate");
    real_fallocate = must_sym("fallocate");
    real_posix_fallocate = must_sym("posix_fallocate");
    real_fsync = must_sym("fsync");
    real_fdatasync = must_sym("fdatasync");
    real_sync_file_range = must_sym("sync_file_range");
    real_msync = must_sym("msync");
    real_sync = must_sym("sync");
    real_syncfs = must_sym("syncfs");
    real_mmap = must_sym("mmap");
    real_renameat2 = must_sym("renameat2");
    real_unlinkat = must_sym("unlinkat");
    real_linkat = must_sym("linkat");
}

/* ---- state ------------------------------------------------------------- */

typedef struct pl_file {
    dev_t dev;
    ino_t ino;
    char name[NAME_MAX + 1];
    int rfd;           /* our own read fd: the caller's may be write-only.
                          Never closed: closing any fd of a file drops the
                          process's fcntl locks on it. */
    off_t durable_size;
    int created;       /* created here, directory not fsynced since */
} pl_file;

enum { REC_WRITE, REC_SIZE };

typedef struct pl_rec {
    uint64_t seq;
    int file, kind;
    off_t off;          /* REC_WRITE: where; REC_SIZE: the new size */
    size_t len;         /* bytes in old and new */
    off_t size_before;  /* REC_SIZE */
    unsigned char *old; /* REC_SIZE: the bytes a shrink cut off */
    unsigned char *new;
} pl_rec;

typedef struct pl_slot {
    unsigned char kind, sync, append;
    int file;
} pl_slot;

static struct {
    pthread_mutex_t mu;
    int on;
    char dir[PATH_MAX], image[PATH_MAX], report[PATH_MAX];
    uint64_t rng, cut_at, cut_writes, cut_ms, keep_pct, torn_pct, lax_dir;
    uint64_t seq, syncs, writes;
    size_t pending_bytes, max_bytes;
    pl_slot *slots;
    size_t nslots;
    pl_file *files;
    size_t nfiles;
    pl_rec *recs;
    size_t nrecs, caprecs;
} g = {.mu = PTHREAD_MUTEX_INITIALIZER};

static void lock(void) { pthread_mutex_lock(&g.mu); }
static void unlock(void) { pthread_mutex_unlock(&g.mu); }

static void die(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));
static void die(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "plshim: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    _exit(code);
}

static uint64_t next_rand(void)
{
    uint64_t z = (g.rng += 0x9E3779B97F4A7C15ull); /* splitmix64 */
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static uint64_t env_u64(const char *name, uint64_t def)
{
    const char *v = getenv(name);
    return v && *v ? strtoull(v, NULL, 0) : def;
}

static void copy_env_path(char *dst, const char *name)
{
    const char *v = getenv(name);
    snprintf(dst, PATH_MAX, "%s", v ? v : "");
}

/* ---- classification of fds --------------------------------------------- */

static pl_slot *slot_of(int fd)
{
    return fd >= 0 && (size_t)fd < g.nslots ? &g.slots[fd] : NULL;
}

/* The tracked file behind @p fd, or NULL. Caller holds the mutex. */
static pl_file *file_of(int fd, pl_slot **slot)
{
    pl_slot *s = slot_of(fd);
    if (slot) *slot = s;
    return s && s->kind == SLOT_FILE ? &g.files[s->file] : NULL;
}

static int volatile_name(const char *name)
{
    return !strcmp(name, "lock.mdb") || !strcmp(name, "journal.shm") ||
           !strncmp(name, "seats.map", 9);
}

static int find_file(dev_t dev, ino_t ino)
{
    for (size_t i = 0; i < g.nfiles; i++)
        if (g.files[i].dev == dev && g.files[i].ino == ino) return (int)i;
    return -1;
}

static int add_file(const char *path, const char *name, const struct stat *st,
                    int created)
{
    pl_file *nf = realloc(g.files, (g.nfiles + 1) * sizeof *nf);
    if (!nf) die(EXIT_OVER_BUDGET, "out of memory");
    g.files = nf;
    pl_file *f = &g.files[g.nfiles];
    memset(f, 0, sizeof *f);
    f->dev = st->st_dev;
    f->ino = st->st_ino;
    snprintf(f->name, sizeof f->name, "%s", name);
    f->rfd = real_open(path, O_RDONLY | O_CLOEXEC);
    if (f->rfd < 0) die(EXIT_UNSUPPORTED, "cannot reopen %s: %s", path, strerror(errno));
    f->durable_size = created ? 0 : st->st_size;
    f->created = created;
    return (int)g.nfiles++;
}

static void set_slot(int fd, pl_slot s)
{
    if (fd < 0) return;
    if ((size_t)fd >= g.nslots) {
        size_t n = (size_t)fd * 2 + 16;
        pl_slot *ns = realloc(g.slots, n * sizeof *ns);
        if (!ns) die(EXIT_OVER_BUDGET, "out of memory");
        memset(ns + g.nslots, 0, (n - g.nslots) * sizeof *ns);
        g.slots = ns;
        g.nslots = n;
    }
    g.slots[fd] = s;
}

/* What a freshly opened fd names; SLOT_NONE for anything untracked, which
 * also clears a slot whose fd was closed behind the shim's back (fclose
 * closes without going through the PLT). The path comes from /proc, so
 * relative paths, openat() and symlinks all resolve to the real file. */
static pl_slot classify(int fd, int flags, int existed)
{
    char link[64], path[PATH_MAX];
    pl_slot s = {0};
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, path, sizeof path - 1);
    if (n <= 0) return s;
    path[n] = '\0';
    if (!strcmp(path, g.dir)) {
        s.kind = SLOT_DIR;
        return s;
    }
    char *slash = strrchr(path, '/');
    struct stat st;
    if (!slash || (size_t)(slash - path) != strlen(g.dir) ||
        strncmp(path, g.dir, (size_t)(slash - path)) || volatile_name(slash + 1) ||
        fstat(fd, &st) || !S_ISREG(st.st_mode))
        return s;
    int i = find_file(st.st_dev, st.st_ino);
    if (i < 0) i = add_file(path, slash + 1, &st, !existed);
    s.kind = SLOT_FILE;
    s.file = i;
    s.sync = (flags & (O_SYNC | O_DSYNC)) != 0;
    s.append = (flags & O_APPEND) != 0;
    return s;
}

/* ---- pending writes ---------------------------------------------------- */

static void free_rec(pl_rec *r)
{
    g.pending_bytes -= 2 * r->len;
    free(r->old);
    free(r->new);
}

static pl_rec *push_rec(void)
{
    if (g.nrecs == g.caprecs) {
        size_t n = g.caprecs ? g.caprecs * 2 : 1024;
        pl_rec *nr = realloc(g.recs, n * sizeof *nr);
        if (!nr) die(EXIT_OVER_BUDGET, "out of memory");
        g.recs = nr;
        g.caprecs = n;
    }
    pl_rec *r = &g.recs[g.nrecs++];
    memset(r, 0, sizeof *r);
    return r;
}

static void charge(size_t len)
{
    g.pending_bytes += 2 * len;
    if (g.pending_bytes > g.max_bytes)
        die(EXIT_OVER_BUDGET, "%zu MiB of writes pending without a sync, over "
            "TIX_PL_MAX_MB=%zu: cut earlier or raise the bound",
            g.pending_bytes >> 20, g.max_bytes >> 20);
}

/* Bytes [off, off+len) of a file as they are now; zeros beyond EOF. */
static unsigned char *read_old(const pl_file *f, off_t off, size_t len)
{
    unsigned char *buf = calloc(1, len ? len : 1);
    if (!buf) die(EXIT_OVER_BUDGET, "out of memory");
    size_t got = 0;
    while (got < len) {
        ssize_t n = pread(f->rfd, buf + got, len - got, off + (off_t)got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        got += (size_t)n;
    }
    return buf;
}

/* Inserts a copy of @p r right after index @p i, keeping sequence order
 * (reverting newest first depends on it). */
static void insert_after(size_t i, const pl_rec *r)
{
    pl_rec copy = *r;
    push_rec(); /* may move g.recs */
    memmove(&g.recs[i + 2], &g.recs[i + 1], (g.nrecs - i - 2) * sizeof *g.recs);
    g.recs[i + 1] = copy;
}

/* Splits off the bytes of record @p i from @p at on as a record of the
 * same sequence number right after it. */
static void split_rec(size_t i, off_t at)
{
    pl_rec *r = &g.recs[i];
    size_t head = (size_t)(at - r->off), tail = r->len - head;
    pl_rec t = *r;
    t.old = malloc(tail);
    t.new = malloc(tail);
    if (!t.old || !t.new) die(EXIT_OVER_BUDGET, "out of memory");
    memcpy(t.old, r->old + head, tail);
    memcpy(t.new, r->new + head, tail);
    t.off = at;
    t.len = tail;
    r->len = head; /* the head keeps its buffers, a little oversized */
    insert_after(i, &t);
}

/* Drops the pending bytes of file @p fi that a durable write of
 * [off, end) overwrote: reverting the image would otherwise put their old
 * bytes back over it. */
static void trim_pending(int fi, off_t off, off_t end)
{
    size_t i = 0;
    while (i < g.nrecs) {
        pl_rec *r = &g.recs[i];
        off_t rs = r->off, re = r->off + (off_t)r->len;
        if (r->file != fi || r->kind != REC_WRITE || re <= off || rs >= end) {
            i++;
            continue;
        }
        if (rs < off) { /* keep the head before the durable range */
            split_rec(i, off);
            i++; /* next: the split-off rest */
            continue;
        }
        if (re > end) { /* keep the tail after it */
            split_rec(i, end);
            r = &g.recs[i];
        }
        g.pending_bytes -= 2 * r->len; /* wholly overwritten */
        free(r->old);
        free(r->new);
        memmove(r, r + 1, (g.nrecs - i - 1) * sizeof *r);
        g.nrecs--;
    }
}

/* Forgets the pending records of file @p fi (every file when -1) up to
 * sequence number @p upto: a sync made them durable. */
static void make_durable(int fi, uint64_t upto)
{
    size_t j = 0;
    for (size_t i = 0; i < g.nrecs; i++) {
        pl_rec *r = &g.recs[i];
        if ((fi < 0 || r->file == fi) && r->seq <= upto) free_rec(r);
        else g.recs[j++] = *r;
    }
    g.nrecs = j;
}

/* ---- the cut ----------------------------------------------------------- */

static void copy_file(const char *from, const char *to)
{
    int in = real_open(from, O_RDONLY | O_CLOEXEC);
    int out = real_open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (in < 0 || out < 0) die(EXIT_IMAGE_FAILED, "copy %s: %s", from, strerror(errno));
    char buf[1 << 16];
    ssize_t n;
    while ((n = read(in, buf, sizeof buf)) > 0)
        if (real_write(out, buf, (size_t)n) != n)
            die(EXIT_IMAGE_FAILED, "copy to %s: %s", to, strerror(errno));
    if (n < 0) die(EXIT_IMAGE_FAILED, "read %s: %s", from, strerror(errno));
    real_close(in);
    real_close(out);
}

static void put(int fd, const void *buf, size_t len, off_t off)
{
    if (len && real_pwrite(fd, buf, len, off) != (ssize_t)len)
        die(EXIT_IMAGE_FAILED, "image write: %s", strerror(errno));
}

static void resize(int fd, off_t size)
{
    if (real_ftruncate(fd, size))
        die(EXIT_IMAGE_FAILED, "image truncate: %s", strerror(errno));
}

typedef struct cut_stats {
    size_t applied, torn, omitted;
    unsigned pct;
} cut_stats;

/* Copies the directory's data files into the image; fills @p ifd[i] with
 * the image fd of tracked file i (-1 when it is not in the image). */
static void copy_dir(int *ifd, cut_stats *cs)
{
    DIR *d = opendir(g.dir);
    if (!d) die(EXIT_IMAGE_FAILED, "opendir %s: %s", g.dir, strerror(errno));
    struct dirent *e;
    while ((e = readdir(d))) {
        char from[PATH_MAX + NAME_MAX + 2], to[PATH_MAX + NAME_MAX + 2];
        struct stat st;
        snprintf(from, sizeof from, "%s/%s", g.dir, e->d_name);
        if (volatile_name(e->d_name) || stat(from, &st) || !S_ISREG(st.st_mode))
            continue;
        int fi = find_file(st.st_dev, st.st_ino);
        if (fi >= 0 && g.files[fi].created && next_rand() % 100 >= cs->pct) {
            fprintf(stderr, "plshim: %s was created and the directory never "
                    "fsynced: left out of the image\n", e->d_name);
            cs->omitted++;
            continue;
        }
        snprintf(to, sizeof to, "%s/%s", g.image, e->d_name);
        copy_file(from, to);
        if (fi >= 0 && (ifd[fi] = real_open(to, O_RDWR | O_CLOEXEC)) < 0)
            die(EXIT_IMAGE_FAILED, "open %s: %s", to, strerror(errno));
    }
    closedir(d);
}

static void revert(int fd, const pl_rec *r)
{
    if (r->kind == REC_WRITE) {
        put(fd, r->old, r->len, r->off);
    } else {
        resize(fd, r->size_before);
        put(fd, r->old, r->len, r->off);
    }
}

static void apply(int fd, const pl_rec *r, cut_stats *cs)
{
    if (next_rand() % 100 >= cs->pct) return;
    cs->applied++;
    if (r->kind == REC_SIZE) {
        resize(fd, r->off);
        return;
    }
    size_t len = r->len;
    if (next_rand() % 100 < g.torn_pct) { /* torn: whole sectors of a prefix */
        off_t end = r->off + (off_t)(next_rand() % r->len);
        end -= end % SECTOR;
        len = end > r->off ? (size_t)(end - r->off) : 0;
        cs->torn++;
    }
    put(fd, r->new, len, r->off);
}

static void write_report(const char *trigger, const cut_stats *cs, size_t pending,
                         size_t bytes)
{
    char line[512];
    int n = snprintf(line, sizeof line,
                     "cut=%s syncs=%llu writes=%llu pending=%zu pending_kib=%zu "
                     "keep_pct=%u applied=%zu torn=%zu omitted=%zu\n",
                     trigger, (unsigned long long)g.syncs,
                     (unsigned long long)g.writes, pending, bytes >> 10,
                     cs->pct, cs->applied, cs->torn, cs->omitted);
    if (!g.report[0] || n <= 0) return;
    int fd = real_open(g.report, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd >= 0) {
        if (real_write(fd, line, (size_t)n) != n) { /* the driver will notice */
        }
        real_close(fd);
    }
}

/* The power goes out. Caller holds the mutex and keeps it: no tracked
 * I/O of any thread happens from here on. */
static void cut(const char *trigger) __attribute__((noreturn));
static void cut(const char *trigger)
{
    static const unsigned pcts[] = {0, 25, 50, 75, 100};
    cut_stats cs = {.pct = pcts[next_rand() % 5]};
    if (g.keep_pct <= 100) cs.pct = (unsigned)g.keep_pct;
    if (mkdir(g.image, 0700) && errno != EEXIST)
        die(EXIT_IMAGE_FAILED, "mkdir %s: %s", g.image, strerror(errno));
    int *ifd = malloc((g.nfiles + 1) * sizeof *ifd);
    if (!ifd) die(EXIT_IMAGE_FAILED, "out of memory");
    for (size_t i = 0; i < g.nfiles; i++) ifd[i] = -1;
    copy_dir(ifd, &cs);
    for (size_t i = g.nrecs; i-- > 0;)
        if (ifd[g.recs[i].file] >= 0) revert(ifd[g.recs[i].file], &g.recs[i]);
    for (size_t i = 0; i < g.nfiles; i++)
        if (ifd[i] >= 0) resize(ifd[i], g.files[i].durable_size);
    for (size_t i = 0; i < g.nrecs; i++)
        if (ifd[g.recs[i].file] >= 0) apply(ifd[g.recs[i].file], &g.recs[i], &cs);
    for (size_t i = 0; i < g.nfiles; i++)
        if (ifd[i] >= 0) real_close(ifd[i]);
    write_report(trigger, &cs, g.nrecs, g.pending_bytes / 2);
    _exit(0);
}

/* A durability call is about to happen (caller holds the mutex). */
static void sync_point(void)
{
    if (++g.syncs == g.cut_at) cut("sync");
}

/* A tracked write is about to happen (caller holds the mutex). */
static void write_point(void)
{
    if (++g.writes == g.cut_writes) cut("write");
}

static void *timer_main(void *arg)
{
    (void)arg;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += (time_t)(g.cut_ms / 1000);
    ts.tv_nsec += (long)(g.cut_ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR) {
    }
    lock();
    cut("timer");
}

__attribute__((constructor)) static void pl_init(void)
{
    resolve();
    const char *dir = getenv("TIX_PL_DIR");
    if (!dir || !*dir) return;
    if (!realpath(dir, g.dir)) die(EXIT_UNSUPPORTED, "TIX_PL_DIR %s: %s", dir, strerror(errno));
    copy_env_path(g.image, "TIX_PL_IMAGE");
    copy_env_path(g.report, "TIX_PL_REPORT");
    if (!g.image[0]) die(EXIT_UNSUPPORTED, "TIX_PL_IMAGE is not set");
    g.rng = env_u64("TIX_PL_SEED", 1);
    g.cut_at = env_u64("TIX_PL_CUT_AT", 0);
    g.cut_writes = env_u64("TIX_PL_CUT_WRITES", 0);
    g.cut_ms = env_u64("TIX_PL_CUT_MS", 0);
    g.max_bytes = (size_t)env_u64("TIX_PL_MAX_MB", 512) << 20;
    g.keep_pct = env_u64("TIX_PL_KEEP_PCT", UINT64_MAX);
    g.torn_pct = env_u64("TIX_PL_TORN_PCT", 25);
    g.lax_dir = env_u64("TIX_PL_LAX_DIR", 0);
    g.on = 1;
    pthread_t t;
    if (g.cut_ms && pthread_create(&t, NULL, timer_main, NULL))
        die(EXIT_UNSUPPORTED, "cannot start the cut timer");
}

/* ---- interposed: open and close ---------------------------------------- */

static int open_common(int dirfd, const char *path, int flags, mode_t mode)
{
    if (!g.on) return real_openat(dirfd, path, flags, mode);
    /* A creation changes the directory: not while a cut copies it. Other
     * opens may block (a FIFO), so they lock only to register. */
    int locked = (flags & O_CREAT) != 0;
    if (locked) lock();
    struct stat st;
    int existed = fstatat(dirfd, path, &st, 0) == 0;
    /* O_TRUNC is done afterwards as a pending ftruncate, once we know
     * whether the file is tracked. */
    int fd = real_openat(dirfd, path, flags & ~O_TRUNC, mode);
    int e = errno;
    if (fd >= 0) {
        if (!locked) lock();
        locked = 1;
        set_slot(fd, classify(fd, flags, existed));
    }
    if (locked) unlock();
    if (fd < 0) {
        errno = e;
        return fd;
    }
    struct stat now;
    if ((flags & O_TRUNC) && (flags & O_ACCMODE) != O_RDONLY && !fstat(fd, &now) &&
        S_ISREG(now.st_mode) && ftruncate(fd, 0)) {
        e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

static mode_t mode_arg(int flags, va_list ap)
{
    return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE
               ? (mode_t)va_arg(ap, int) : 0;
}

int open(const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    mode_t m = mode_arg(flags, ap);
    va_end(ap);
    return open_common(AT_FDCWD, path, flags, m);
}

int open64(const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    mode_t m = mode_arg(flags, ap);
    va_end(ap);
    return open_common(AT_FDCWD, path, flags, m);
}

int openat(int dirfd, const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    mode_t m = mode_arg(flags, ap);
    va_end(ap);
    return open_common(dirfd, path, flags, m);
}

int openat64(int dirfd, const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    mode_t m = mode_arg(flags, ap);
    va_end(ap);
    return open_common(dirfd, path, flags, m);
}

/* _FORTIFY_SOURCE builds call these instead of open/openat. */
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags);
int __open_2(const char *path, int flags) { return open_common(AT_FDCWD, path, flags, 0); }
int __open64_2(const char *path, int flags) { return open_common(AT_FDCWD, path, flags, 0); }
int __openat_2(int dirfd, const char *path, int flags) { return open_common(dirfd, path, flags, 0); }
int __openat64_2(int dirfd, const char *path, int flags) { return open_common(dirfd, path, flags, 0); }

int creat(const char *path, mode_t mode)
{
    return open_common(AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC, mode);
}

int creat64(const char *path, mode_t mode)
{
    return open_common(AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC, mode);
}

int close(int fd)
{
    if (!g.on) return real_close(fd);
    /* Clearing the slot before the fd number can be reused keeps a
     * concurrent open from being registered and then wiped. */
    lock();
    pl_slot *s = slot_of(fd);
    if (s) s->kind = SLOT_NONE;
    int rc = real_close(fd);
    unlock();
    return rc;
}

/* newfd < 0: dup(); flags < 0: dup2(); else dup3(). */
static int real_dup_any(int oldfd, int newfd, int flags)
{
    if (newfd < 0) return real_dup(oldfd);
    return flags < 0 ? real_dup2(oldfd, newfd) : real_dup3(oldfd, newfd, flags);
}

/* A duplicate shares the open file description, O_DSYNC included. Under
 * the mutex, like close(), so a reused fd number is never misfiled. */
static int dup_common(int oldfd, int newfd, int flags)
{
    if (!g.on) return real_dup_any(oldfd, newfd, flags);
    lock();
    int fd = real_dup_any(oldfd, newfd, flags);
    if (fd >= 0 && fd != oldfd) {
        pl_slot *s = slot_of(oldfd);
        set_slot(fd, s ? *s : (pl_slot){0});
    }
    unlock();
    return fd;
}

int dup(int oldfd) { return dup_common(oldfd, -1, 0); }
int dup2(int oldfd, int newfd) { return dup_common(oldfd, newfd, -1); }
int dup3(int oldfd, int newfd, int flags) { return dup_common(oldfd, newfd, flags); }

/* ---- interposed: names ------------------------------------------------- */

/* Renames, unlinks and links take effect at once, as if the directory
 * were always durable (not simulated, see the top), but never while a cut
 * is copying the directory: the image must be one moment's state. Data
 * records follow the inode, so a file written, fsynced and renamed into
 * place keeps its state under the new name. */
static int locked_renameat2(int olddir, const char *old, int newdir, const char *new,
                            unsigned flags)
{
    if (!g.on) return real_renameat2(olddir, old, newdir, new, flags);
    lock();
    int rc = real_renameat2(olddir, old, newdir, new, flags);
    int e = errno;
    unlock();
    errno = e;
    return rc;
}

int rename(const char *old, const char *new)
{
    return locked_renameat2(AT_FDCWD, old, AT_FDCWD, new, 0);
}

int renameat(int olddir, const char *old, int newdir, const char *new)
{
    return locked_renameat2(olddir, old, newdir, new, 0);
}

int renameat2(int olddir, const char *old, int newdir, const char *new, unsigned flags)
{
    return locked_renameat2(olddir, old, newdir, new, flags);
}

static int locked_unlinkat(int dir, const char *path, int flags)
{
    if (!g.on) return real_unlinkat(dir, path, flags);
    lock();
    int rc = real_unlinkat(dir, path, flags);
    int e = errno;
    unlock();
    errno = e;
    return rc;
}

int unlink(const char *path) { return locked_unlinkat(AT_FDCWD, path, 0); }
int unlinkat(int dir, const char *path, int flags) { return locked_unlinkat(dir, path, flags); }
int remove(const char *path)
{
    struct stat st;
    int isdir = !lstat(path, &st) && S_ISDIR(st.st_mode);
    return locked_unlinkat(AT_FDCWD, path, isdir ? AT_REMOVEDIR : 0);
}

static int locked_linkat(int olddir, const char *old, int newdir, const char *new,
                         int flags)
{
    if (!g.on) return real_linkat(olddir, old, newdir, new, flags);
    lock();
    int rc = real_linkat(olddir, old, newdir, new, flags);
    int e = errno;
    unlock();
    errno = e;
    return rc;
}

int link(const char *old, const char *new)
{
    return locked_linkat(AT_FDCWD, old, AT_FDCWD, new, 0);
}

int linkat(int olddir, const char *old, int newdir, const char *new, int flags)
{
    return locked_linkat(olddir, old, newdir, new, flags);
}

/* ---- interposed: writes ------------------------------------------------ */

typedef struct wreq {
    const struct iovec *iov;
    int iovcnt;
    off_t off;     /* -1: at the file position */
    int flags;     /* pwritev2 flags */
} wreq;

static size_t iov_total(const struct iovec *iov, int n)
{
    size_t t = 0;
    for (int i = 0; i < n; i++) t += iov[i].iov_len;
    return t;
}

static void iov_gather(const struct iovec *iov, int n, unsigned char *out, size_t len)
{
    for (int i = 0; i < n && len; i++) {
        size_t k = iov[i].iov_len < len ? iov[i].iov_len : len;
        memcpy(out, iov[i].iov_base, k);
        out += k;
        len -= k;
    }
}

static ssize_t real_do(int fd, const wreq *w)
{
    if (w->off < 0) return real_writev(fd, w->iov, w->iovcnt);
    if (w->flags) return real_pwritev2(fd, w->iov, w->iovcnt, w->off, w->flags);
    return real_pwritev(fd, w->iov, w->iovcnt, w->off);
}

/* Where a write at the file position lands. */
static off_t position(int fd, const pl_slot *s)
{
    struct stat st;
    if (s->append) return fstat(fd, &st) ? -1 : st.st_size;
    return lseek(fd, 0, SEEK_CUR);
}

/* Every write funnels through here: the old bytes are read, the write is
 * done, and what it actually wrote is recorded, all under the mutex. */
static ssize_t tracked_write(int fd, const wreq *w)
{
    if (!g.on) return real_do(fd, w);
    lock();
    pl_slot *s;
    pl_file *f = file_of(fd, &s);
    if (!f) {
        unlock();
        return real_do(fd, w);
    }
    int durable = s->sync || (w->flags & (RWF_DSYNC | RWF_SYNC));
    if (durable) sync_point();
    write_point();
    /* Linux appends even a pwrite to an O_APPEND fd. */
    off_t off = s->append || w->off < 0 ? position(fd, s) : w->off;
    size_t total = iov_total(w->iov, w->iovcnt);
    unsigned char *old = durable || off < 0 ? NULL : read_old(f, off, total);
    ssize_t n = real_do(fd, w);
    int e = errno;
    if (n > 0 && off >= 0) {
        int fi = (int)(f - g.files);
        if (durable) {
            trim_pending(fi, off, off + n);
            if (off + n > f->durable_size) f->durable_size = off + n;
        } else {
            pl_rec *r = push_rec();
            r->seq = ++g.seq;
            r->file = fi;
            r->kind = REC_WRITE;
            r->off = off;
            r->len = (size_t)n;
            r->old = old;
            r->new = malloc((size_t)n);
            if (!r->new) die(EXIT_OVER_BUDGET, "out of memory");
            iov_gather(w->iov, w->iovcnt, r->new, (size_t)n);
            old = NULL;
            charge((size_t)n);
        }
    }
    free(old);
    unlock();
    errno = e;
    return n;
}

ssize_t write(int fd, const void *buf, size_t n)
{
    struct iovec v = {(void *)buf, n};
    return tracked_write(fd, &(wreq){&v, 1, -1, 0});
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
    struct iovec v = {(void *)buf, n};
    if (off < 0) { errno = EINVAL; return -1; }
    return tracked_write(fd, &(wreq){&v, 1, off, 0});
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off)
{
    return pwrite(fd, buf, n, off);
}

ssize_t writev(int fd, const struct iovec *iov, int n)
{
    return tracked_write(fd, &(wreq){iov, n, -1, 0});
}

ssize_t pwritev(int fd, const struct iovec *iov, int n, off_t off)
{
    if (off < 0) { errno = EINVAL; return -1; }
    return tracked_write(fd, &(wreq){iov, n, off, 0});
}

ssize_t pwritev64(int fd, const struct iovec *iov, int n, off_t off)
{
    return pwritev(fd, iov, n, off);
}

ssize_t pwritev2(int fd, const struct iovec *iov, int n, off_t off, int flags)
{
    /* off -1 means "at the file position" for pwritev2 too */
    return tracked_write(fd, &(wreq){iov, n, off < 0 ? -1 : off, flags});
}

ssize_t pwritev64v2(int fd, const struct iovec *iov, int n, off_t off, int flags)
{
    return pwritev2(fd, iov, n, off, flags);
}

/* ---- interposed: sizes ------------------------------------------------- */

/* A pending size change to @p size; a shrink keeps the bytes it cuts off.
 * Caller holds the mutex. */
static void record_size(pl_file *f, off_t size)
{
    struct stat st;
    if (fstat(f->rfd, &st)) return;
    pl_rec *r = push_rec();
    r->seq = ++g.seq;
    r->file = (int)(f - g.files);
    r->kind = REC_SIZE;
    r->off = size;
    r->size_before = st.st_size;
    if (size < st.st_size) {
        r->len = (size_t)(st.st_size - size);
        r->old = read_old(f, size, r->len);
        r->new = calloc(1, r->len);
        charge(r->len);
    }
}

int ftruncate(int fd, off_t size)
{
    if (!g.on) return real_ftruncate(fd, size);
    lock();
    pl_file *f = file_of(fd, NULL);
    if (f) {
        write_point();
        record_size(f, size);
    }
    int rc = real_ftruncate(fd, size);
    unlock();
    return rc;
}

int ftruncate64(int fd, off_t size) { return ftruncate(fd, size); }

/* fallocate that does not keep the size grows the file (zeros); punching
 * or zeroing a range is a write of zeros; shifting ranges is not modelled. */
static void record_fallocate(pl_file *f, int mode, off_t off, off_t len)
{
    struct stat st;
    if (fstat(f->rfd, &st)) return;
    if (mode & (FALLOC_FL_COLLAPSE_RANGE | FALLOC_FL_INSERT_RANGE))
        die(EXIT_UNSUPPORTED, "fallocate mode 0x%x on %s is not simulated",
            (unsigned)mode, f->name);
    if (mode & (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE)) {
        off_t end = off + len;
        if (end > st.st_size && (mode & FALLOC_FL_KEEP_SIZE)) end = st.st_size;
        if (end <= off) return;
        pl_rec *r = push_rec();
        r->seq = ++g.seq;
        r->file = (int)(f - g.files);
        r->kind = REC_WRITE;
        r->off = off;
        r->len = (size_t)(end - off);
        r->old = read_old(f, off, r->len);
        r->new = calloc(1, r->len);
        charge(r->len);
        return;
    }
    if (!(mode & FALLOC_FL_KEEP_SIZE) && off + len > st.st_size)
        record_size(f, off + len);
}

int fallocate(int fd, int mode, off_t off, off_t len)
{
    if (!g.on) return real_fallocate(fd, mode, off, len);
    lock();
    pl_file *f = file_of(fd, NULL);
    if (f) {
        write_point();
        record_fallocate(f, mode, off, len);
    }
    int rc = real_fallocate(fd, mode, off, len);
    unlock();
    return rc;
}

int fallocate64(int fd, int mode, off_t off, off_t len)
{
    return fallocate(fd, mode, off, len);
}

/* glibc's posix_fallocate makes the system call itself, so interposing
 * fallocate alone would miss it. */
int posix_fallocate(int fd, off_t off, off_t len)
{
    if (!g.on) return real_posix_fallocate(fd, off, len);
    lock();
    pl_file *f = file_of(fd, NULL);
    if (f) {
        write_point();
        record_fallocate(f, 0, off, len);
    }
    int rc = real_posix_fallocate(fd, off, len);
    unlock();
    return rc;
}

int posix_fallocate64(int fd, off_t off, off_t len)
{
    return posix_fallocate(fd, off, len);
}

/* ---- interposed: syncs ------------------------------------------------- */

/* The sizes of the first @p n tracked files now (caller holds the mutex). */
static off_t *snapshot_sizes(size_t n)
{
    off_t *sz = calloc(n + 1, sizeof *sz);
    if (!sz) die(EXIT_OVER_BUDGET, "out of memory");
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        sz[i] = fstat(g.files[i].rfd, &st) ? g.files[i].durable_size : st.st_size;
    }
    return sz;
}

/* fsync/fdatasync/syncfs: what was written before the call started is
 * durable once it returns, sizes included; a cut while it runs (timer)
 * still loses it. */
static int tracked_sync(int fd, int (*fn)(int), int whole_fs)
{
    if (!g.on) return fn(fd);
    lock();
    pl_slot *s;
    pl_file *f = file_of(fd, &s);
    int dir = s && s->kind == SLOT_DIR;
    if (!f && !dir && !whole_fs) {
        unlock();
        return fn(fd);
    }
    sync_point();
    uint64_t upto = g.seq;
    size_t nfiles = g.nfiles;
    off_t *sizes = snapshot_sizes(nfiles);
    int fi = f ? (int)(f - g.files) : -1;
    unlock();
    int rc = fn(fd);
    lock();
    if (rc == 0 && (whole_fs || f)) {
        make_durable(whole_fs ? -1 : fi, upto);
        for (size_t i = 0; i < nfiles; i++)
            if (whole_fs || (int)i == fi) g.files[i].durable_size = sizes[i];
    }
    if (rc == 0 && (whole_fs || dir))
        for (size_t i = 0; i < nfiles; i++) g.files[i].created = 0;
    if (rc == 0 && f && g.lax_dir) g.files[fi].created = 0;
    unlock();
    free(sizes);
    return rc;
}

int fsync(int fd) { return tracked_sync(fd, real_fsync, 0); }
int fdatasync(int fd) { return tracked_sync(fd, real_fdatasync, 0); }
int syncfs(int fd) { return tracked_sync(fd, real_syncfs, 1); }

static int sync_all(int fd)
{
    (void)fd;
    real_sync();
    return 0;
}

void sync(void) { tracked_sync(-1, sync_all, 1); }

/* Starts writeback only: no metadata, no cache flush, so nothing becomes
 * durable. */
int sync_file_range(int fd, off_t off, off_t n, unsigned flags)
{
    return real_sync_file_range(fd, off, n, flags);
}

/* Writes through a mapping are refused at mmap time, so an msync has
 * nothing tracked to flush. */
int msync(void *addr, size_t len, int flags) { return real_msync(addr, len, flags); }

/* A writable shared mapping would change a tracked file behind the shim's
 * back (LMDB's MDB_WRITEMAP): refuse to give a meaningless verdict. */
void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    if (g.on && fd >= 0 && (prot & PROT_WRITE) && (flags & MAP_SHARED)) {
        lock();
        pl_file *f = file_of(fd, NULL);
        if (f) die(EXIT_UNSUPPORTED, "writable shared mapping of %s is not simulated",
                   f->name);
        unlock();
    }
    return real_mmap(addr, len, prot, flags, fd, off);
}

void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    return mmap(addr, len, prot, flags, fd, off);
}
