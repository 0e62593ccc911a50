/* The redo journal (TIX_SYNC_JOURNAL); the design is in journal.h and
 * docs/design.md, "Journal".
 *
 * File layout of <store>/journal:
 *   [header slot 0][header slot 1][record area: a ring from DATA_START]
 * A header slot names the last snapshot (the LMDB txnid S it holds at
 * least, the offset where the record of S+1 starts, the boot it was taken
 * in, this life's nonce). Snapshots alternate slots, so a torn header
 * write leaves the other one valid; the valid slot with the higher
 * generation wins.
 * A record: 40-byte header {magic, type, life, txnid, len, hash} and len
 * bytes of operations {op, table, flags, klen, vlen, key, value}. The
 * "life" is a random nonce drawn at every journal-mode open, so records of
 * an earlier life that happen to sit where replay looks never count.
 *
 * Replay is idempotent: an operation is a put or delete of one key, so
 * replaying every record after S over any state between S and the last
 * record gives the last record's state (NOOVERWRITE is dropped and
 * deleting a missing key is not an error). That is what lets a snapshot
 * be copied while writers go on. */
#include "journal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#define XXH_STATIC_LINKING_ONLY /* XXH3_state_t on the stack */
#include <xxhash.h>

#include "backup.h"
#include "error.h"
#include "files.h"
#include "random.h"
#include "os.h"

#define JR_NAME TIX__FILE_JOURNAL
/* Two snapshot files, used in turn: a new snapshot never overwrites the
 * one the durable header names (a rename over it would leave neither if
 * the directory entry did not reach the disk). */
#define SNAP_NAME_FMT TIX__FILE_SNAPSHOT_FMT
#define JR_SLOT 4096u                  /* one header slot */
#define DATA_START (2u * JR_SLOT)
#define JR_CAP_START (8ull << 20)      /* ring size at creation */
#define JR_CAP_MAX (256ull << 20)       /* grown to in the background */
#define JR_GROW_STEP (32ull << 20)
#define REC_HDR 40u
#define REC_MAGIC 0x4352584au          /* "JXRC" */
#define HDR_MAGIC "TIXJRNL3"
#define HDR_VERSION 3u

enum { REC_DATA = 1, REC_WRAP = 2 };
enum { OP_PUT = TIX__OP_PUT, OP_DEL = TIX__OP_DEL }; /* on disk */
enum { ST_ACTIVE = 1, ST_CLEAN = 2 };

/* Snapshot when the records since the last one reach the size of the
 * store (at least SNAP_LIVE_MIN, at most half the ring), or SNAP_INTERVAL_S
 * after the last one if anything was written. A snapshot copies the whole
 * store, so this keeps its writes about equal to the journal's. The ring
 * grows in the background towards JR_CAP_MAX so a large store snapshots
 * rarely; a full ring makes a writer snapshot under its write lock. */
#define SNAP_LIVE_MIN (4ull << 20)
#define SNAP_INTERVAL_S 60

/* Tests shrink these to reach wraps and full rings quickly. */
static uint64_t tune_ring_bytes = JR_CAP_START;
static uint64_t tune_ring_max = JR_CAP_MAX;
static uint64_t tune_snap_bytes = SNAP_LIVE_MIN;

void tix__journal_tune(uint64_t ring_bytes, uint64_t snap_bytes)
{
    tune_ring_bytes = ring_bytes ? ring_bytes : JR_CAP_START;
    tune_ring_max = ring_bytes ? ring_bytes : JR_CAP_MAX;
    tune_snap_bytes = snap_bytes ? snap_bytes : SNAP_LIVE_MIN;
}

struct jr_header {
    char magic[8];
    uint32_t version;
    uint32_t state;
    uint64_t gen;
    uint64_t life;
    uint64_t snap_txnid; /* the snapshot holds at least this transaction */
    uint64_t replay_off; /* where the record of snap_txnid + 1 starts */
    uint32_t snap_file;  /* snapshot.<snap_file>.mdb holds the snapshot */
    uint32_t pad;
    uint8_t boot_id[16]; /* boot the store was last written in */
    uint64_t hash;       /* XXH3 of the fields above */
};

struct tix_journal {
    int fd;
    int mode;     /* journal mode: records are written */
    int started;  /* mode && first snapshot taken */
    int recover;  /* a crash left records: replay at start */
    struct jr_header hdr; /* the newest valid header read at open */
    uint64_t cap;  /* file size; records live in [DATA_START, cap) */
    uint64_t life;
    uint64_t gen;
    uint8_t boot[16];
    /* Ring state. tail and last_txnid change under LMDB's write lock;
     * live (first byte a crash would still replay) under mu. */
    uint64_t tail, live, last_txnid;
    /* The record of the transaction in progress (write lock holder). */
    uint8_t *buf;
    size_t len, bufcap;
    int capturing;
    int pending; /* written and flushed, its commit not yet settled */
    uint64_t pending_off, pending_end, pending_wrap, pending_txnid;
    /* Held by a write transaction from begin to settled record (and by a
     * snapshot's plan). Order: db->txn_lock, wmu, LMDB's writer lock,
     * snap_mu, mu. The snapshot copy also takes txn_lock (for reading)
     * inside snap_mu; glibc's default rwlock prefers readers, so a grow
     * waiting for it cannot wedge that against a writer holding it. */
    pthread_mutex_t wmu;
    /* Snapshots: one at a time under snap_mu; epoch counts them. */
    pthread_mutex_t snap_mu;
    _Atomic uint64_t epoch;
    /* The snapshot thread. */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stop, thread_on;
    uint64_t since;    /* records since the last snapshot */
    uint64_t tail_pub; /* tail as of the last commit, for the thread */
    uint64_t cap_pub;  /* cap, for the thread */
    int64_t last_snap; /* CLOCK_MONOTONIC seconds */
    pthread_t thread;
    _Atomic int broken; /* a flush failed: heal with a snapshot first */
    _Atomic int growing; /* the thread is zero-filling past the ring's end */
};

static size_t pad8(size_t n) { return (n + 7) & ~(size_t)7; }

static int64_t mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec;
}

/* ---- small I/O helpers ------------------------------------------------- */

static int pwrite_all(int fd, const void *p, size_t n, uint64_t off)
{
    const uint8_t *b = p;
    while (n) {
        ssize_t w = pwrite(fd, b, n, (off_t)off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return w < 0 ? errno : EIO;
        b += w;
        n -= (size_t)w;
        off += (uint64_t)w;
    }
    return 0;
}

/* 0, or ENODATA when the file ends first. */
static int pread_all(int fd, void *p, size_t n, uint64_t off)
{
    uint8_t *b = p;
    while (n) {
        ssize_t r = pread(fd, b, n, (off_t)off);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return errno;
        if (r == 0) return ENODATA;
        b += r;
        n -= (size_t)r;
        off += (uint64_t)r;
    }
    return 0;
}

/* errno -> TIX code the way LMDB's errors map (EROFS -> TIX_EPERM, ...). */
static int io_err(int e, const char *what)
{
    char label[PATH_MAX + 32];
    snprintf(label, sizeof label, "journal: %s", what);
    return tix__mdb_err(e, label);
}

/* After a failed flush the file's page cache no longer says what is on
 * disk (Linux marks the failed pages clean and reports the error once), so
 * no record written before it can be trusted to be there, and a wiped one
 * may still be. The next write first takes a snapshot that empties the
 * ring (snapshot(held, reset)), then goes on; until one succeeds, every
 * write fails. */
static int broken(struct tix_journal *j, int e, const char *what)
{
    atomic_store(&j->broken, 1);
    return io_err(e, what);
}

static void store_path(const tix_db *db, const char *name, char *out, size_t cap)
{
    snprintf(out, cap, "%s/%s", db->path, name);
}

static void snap_path(const tix_db *db, unsigned file, char *out, size_t cap)
{
    char name[32];
    snprintf(name, sizeof name, SNAP_NAME_FMT, file & 1);
    store_path(db, name, out, cap);
}

/* ---- header slots ------------------------------------------------------ */

static uint64_t header_hash(const struct jr_header *h)
{
    return XXH3_64bits(h, offsetof(struct jr_header, hash));
}

/* Reads slot @p i; 1 when it is valid. */
static int slot_read(int fd, unsigned i, struct jr_header *h)
{
    if (pread_all(fd, h, sizeof *h, (uint64_t)i * JR_SLOT)) return 0;
    return memcmp(h->magic, HDR_MAGIC, 8) == 0 && h->version == HDR_VERSION &&
           header_hash(h) == h->hash;
}

/* The newest valid header, or 0 when there is none (a new journal). */
static int header_load(struct tix_journal *j)
{
    struct jr_header h[2];
    int ok0 = slot_read(j->fd, 0, &h[0]);
    int ok1 = slot_read(j->fd, 1, &h[1]);
    if (!ok0 && !ok1) return 0;
    j->hdr = h[ok0 && ok1 ? (h[1].gen > h[0].gen) : ok1];
    return 1;
}

/* The snapshot file the next header (generation gen + 1) names. */
static unsigned next_snap_file(const struct tix_journal *j)
{
    return (unsigned)((j->gen + 1) & 1);
}

static int header_write(struct tix_journal *j, uint32_t state, uint64_t txnid,
                        uint64_t replay_off)
{
    uint8_t slot[JR_SLOT];
    struct jr_header h;
    memset(slot, 0, sizeof slot);
    memset(&h, 0, sizeof h);
    memcpy(h.magic, HDR_MAGIC, 8);
    h.version = HDR_VERSION;
    h.state = state;
    h.gen = j->gen + 1;
    h.life = j->life;
    h.snap_txnid = txnid;
    h.replay_off = replay_off;
    h.snap_file = next_snap_file(j);
    memcpy(h.boot_id, j->boot, 16);
    h.hash = header_hash(&h);
    memcpy(slot, &h, sizeof h);
    int e = pwrite_all(j->fd, slot, JR_SLOT, (h.gen & 1) * (uint64_t)JR_SLOT);
    if (e) return broken(j, e, "write header");
    if (fdatasync(j->fd) != 0) return broken(j, errno, "flush header");
    j->gen = h.gen;
    return TIX_OK;
}

/* ---- open: lock; after a machine crash put the snapshot back ----------- */

static int lock_journal(struct tix_journal *j, int op)
{
    if (flock(j->fd, op | LOCK_NB) == 0) return TIX_OK;
    if (errno == EWOULDBLOCK)
        return tix__err(TIX_EBUSY,
                        (op == LOCK_EX)
                            ? "store is open in another process; journal "
                              "mode needs it alone"
                            : "store is open in journal mode by another "
                              "process");
    return io_err(errno, "lock");
}

static int copy_fd(int from, int to)
{
    uint8_t *b = malloc(1u << 20);
    if (!b) return ENOMEM;
    int e = 0;
    for (uint64_t off = 0;; ) {
        ssize_t r = pread(from, b, 1u << 20, (off_t)off);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) e = errno;
        if (r <= 0) break;
        if ((e = pwrite_all(to, b, (size_t)r, off))) break;
        off += (uint64_t)r;
    }
    free(b);
    if (!e && fsync(to) != 0) e = errno;
    return e;
}

/* The machine went down with an unflushed LMDB: it may be torn. Replace
 * it with the snapshot (copy, flush, rename over data.mdb); replay then
 * brings it up to the last record. */
static int restore_snapshot(tix_db *db, unsigned file)
{
    char snap[PATH_MAX], tmp[PATH_MAX], data[PATH_MAX];
    snap_path(db, file, snap, sizeof snap);
    store_path(db, TIX__FILE_DATA_RESTORE, tmp, sizeof tmp);
    store_path(db, TIX__FILE_DATA, data, sizeof data);
    int from = open(snap, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (from < 0)
        return tix__err(TIX_ECORRUPT, "journal needs its snapshot but %s: %s",
                        snap, strerror(errno));
    int to = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    int e = to < 0 ? errno : copy_fd(from, to);
    close(from);
    if (to >= 0) close(to);
    if (!e && rename(tmp, data) != 0) e = errno;
    if (!e) e = tix__backup_fsync_dir(db->path);
    if (e) unlink(tmp);
    return e ? io_err(e, "restore the snapshot") : TIX_OK;
}

static int open_readonly(struct tix_journal *j, const char *path)
{
    j->fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (j->fd < 0) return errno == ENOENT ? TIX_OK : io_err(errno, path);
    if (flock(j->fd, LOCK_SH | LOCK_NB) != 0)
        return TIX_OK; /* a journal-mode writer is live: LMDB is current */
    if (header_load(j) && j->hdr.state == ST_ACTIVE)
        return tix__err(TIX_EBUSY, "store needs crash recovery: open it "
                                   "read-write once");
    return TIX_OK;
}

static int open_readwrite(tix_db *db, struct tix_journal *j, const char *path)
{
    j->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (j->fd < 0) return io_err(errno, path);
    int rc = lock_journal(j, j->mode ? LOCK_EX : LOCK_SH);
    /* A restore holds the lock while it swaps the directory: the journal
     * opened just before must not be replayed into the store after. */
    if (rc == TIX_OK) rc = tix__db_same_dir(db);
    if (rc || !header_load(j)) return rc;
    j->gen = j->hdr.gen;
    if (j->hdr.state != ST_ACTIVE) return TIX_OK;
    /* Recovery rewrites LMDB under everyone: be alone. */
    if (!j->mode && (rc = lock_journal(j, LOCK_EX))) return rc;
    /* Same boot: only the process died, the page cache kept every LMDB
     * write and LMDB is consistent. Another boot, or a boot id we could
     * not read (all zero): it may be torn. The snapshot is always right,
     * only slower. */
    static const uint8_t unknown[16];
    int same_boot = memcmp(j->hdr.boot_id, j->boot, 16) == 0 &&
                    memcmp(j->boot, unknown, 16) != 0;
    if (!same_boot && (rc = restore_snapshot(db, j->hdr.snap_file))) return rc;
    j->recover = 1;
    return TIX_OK;
}

static void journal_free(tix_db *db)
{
    struct tix_journal *j = db->jr;
    if (!j) return;
    if (j->fd >= 0) close(j->fd);
    pthread_mutex_destroy(&j->wmu);
    pthread_mutex_destroy(&j->snap_mu);
    pthread_mutex_destroy(&j->mu);
    pthread_cond_destroy(&j->cv);
    free(j->buf);
    free(j);
    db->jr = NULL;
}

static const tix__txn_observer journal_observer;

int tix__journal_open(tix_db *db)
{
    struct tix_journal *j = calloc(1, sizeof *j);
    if (!j) return tix__err(TIX_ENOMEM, "out of memory");
    j->fd = -1;
    j->mode = db->cfg.durability == TIX_SYNC_JOURNAL && !db->readonly;
    tix__os_boot_id(j->boot);
    pthread_mutex_init(&j->wmu, NULL);
    pthread_mutex_init(&j->snap_mu, NULL);
    pthread_mutex_init(&j->mu, NULL);
    pthread_cond_init(&j->cv, NULL);
    db->jr = j;
    char path[PATH_MAX];
    store_path(db, JR_NAME, path, sizeof path);
    int rc = db->readonly ? open_readonly(j, path)
                          : open_readwrite(db, j, path);
    if (rc == TIX_OK && !db->readonly) rc = tix__db_observe(db, &journal_observer);
    if (rc) journal_free(db);
    return rc;
}

/* ---- replay ------------------------------------------------------------ */

static int rec_header_ok(const uint8_t *h, uint64_t life, uint64_t txnid,
                         uint32_t *type, uint64_t *len)
{
    uint32_t magic, t;
    uint64_t l, lf, tx;
    memcpy(&magic, h, 4);
    memcpy(&t, h + 4, 4);
    memcpy(&lf, h + 8, 8);
    memcpy(&tx, h + 16, 8);
    memcpy(&l, h + 24, 8);
    if (magic != REC_MAGIC || lf != life || tx != txnid) return 0;
    if (t != REC_DATA && t != REC_WRAP) return 0;
    *type = t;
    *len = l;
    return 1;
}

static uint64_t rec_hash(const uint8_t *hdr, const uint8_t *payload, size_t len)
{
    XXH3_state_t st;
    XXH3_64bits_reset(&st);
    XXH3_64bits_update(&st, hdr, 32);
    if (len) XXH3_64bits_update(&st, payload, len);
    return XXH3_64bits_digest(&st);
}

static int apply_op(tix_db *db, MDB_txn *txn, uint8_t op, uint8_t table,
                    unsigned flags, MDB_val *k, MDB_val *v)
{
    int rc;
    if (op == OP_PUT) {
        /* Idempotent: the key may already hold this value (a snapshot
         * newer than its txnid, or a replay cut short). */
        rc = mdb_put(txn, db->dbi[table], k, v,
                     flags & ~(unsigned)(MDB_NOOVERWRITE | MDB_APPEND));
    } else if (op == OP_DEL) {
        rc = mdb_del(txn, db->dbi[table], k, NULL);
        if (rc == MDB_NOTFOUND) rc = 0;
    } else {
        return tix__err(TIX_ECORRUPT, "journal: unknown operation %u", op);
    }
    if (rc == MDB_MAP_FULL) return tix__mdb_err(rc, "journal replay");
    return rc ? tix__err(TIX_ECORRUPT, "journal replay: %s", mdb_strerror(rc))
              : TIX_OK;
}

static int apply_ops(tix_db *db, MDB_txn *txn, const uint8_t *p, size_t len)
{
    size_t at = 0;
    while (at < len) {
        if (len - at < 16) return tix__err(TIX_ECORRUPT, "journal: short op");
        uint8_t op = p[at], table = p[at + 1];
        uint32_t flags, klen, vlen;
        memcpy(&flags, p + at + 4, 4);
        memcpy(&klen, p + at + 8, 4);
        memcpy(&vlen, p + at + 12, 4);
        at += 16;
        if (table >= tix__db_table_count() || (uint64_t)klen + vlen > len - at)
            return tix__err(TIX_ECORRUPT, "journal: malformed op");
        MDB_val k = {klen, (void *)(p + at)}, v = {vlen, (void *)(p + at + klen)};
        at += klen + vlen;
        int rc = apply_op(db, txn, op, table, flags, &k, &v);
        if (rc) return rc;
    }
    return TIX_OK;
}

/* Reads the record for @p txnid at *off (following a wrap); 0 at the end
 * of the journal, 1 with *payload (malloc'ed) and *len, or a TIX error. */
static int read_record(struct tix_journal *j, uint64_t *off, uint64_t txnid,
                       uint8_t **payload, uint64_t *len)
{
    for (int hops = 0; hops < 2; hops++) {
        if (*off + REC_HDR > j->cap) *off = DATA_START;
        uint8_t h[REC_HDR];
        uint32_t type;
        uint64_t hash;
        if (pread_all(j->fd, h, REC_HDR, *off)) return 0;
        if (!rec_header_ok(h, j->hdr.life, txnid, &type, len)) return 0;
        memcpy(&hash, h + 32, 8);
        if (type == REC_WRAP) {
            if (rec_hash(h, NULL, 0) != hash) return 0;
            *off = DATA_START;
            continue;
        }
        if (*len > j->cap - *off - REC_HDR) return 0;
        uint8_t *p = malloc(*len ? *len : 1);
        if (!p) return tix__err(TIX_ENOMEM, "out of memory");
        if (pread_all(j->fd, p, *len, *off + REC_HDR) ||
            rec_hash(h, p, *len) != hash) {
            free(p);
            return 0;
        }
        *payload = p;
        *off += REC_HDR + pad8(*len);
        return 1;
    }
    return 0;
}

static int replay_fn(tix_db *db, MDB_txn *txn, void *arg)
{
    struct tix_journal *j = arg;
    uint64_t off = j->hdr.replay_off, txnid = j->hdr.snap_txnid + 1;
    if (off < DATA_START || off > j->cap) return TIX_OK;
    for (;; txnid++) {
        uint8_t *p = NULL;
        uint64_t len = 0;
        int got = read_record(j, &off, txnid, &p, &len);
        if (got <= 0) return got;
        int rc = apply_ops(db, txn, p, len);
        free(p);
        if (rc) return rc;
    }
}

static int replay(tix_db *db, struct tix_journal *j)
{
    struct stat st;
    if (fstat(j->fd, &st) != 0) return io_err(errno, "stat");
    j->cap = (uint64_t)st.st_size;
    int rc = tix__db_write(db, replay_fn, j);
    if (rc == TIX_OK) {
        int mrc = mdb_env_sync(db->env, 1);
        if (mrc) rc = tix__mdb_err(mrc, "flush after journal replay");
    }
    return rc;
}

/* ---- snapshots --------------------------------------------------------- */

/* A consistent copy of LMDB (a read transaction's), made durable in the
 * snapshot file the durable header does not name. */
static int snapshot_copy(tix_db *db, unsigned file)
{
    char snap[PATH_MAX];
    snap_path(db, file, snap, sizeof snap);
    int fd = open(snap, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) return io_err(errno, "create the snapshot");
    int e = tix__backup_copy_store(db, fd); /* MDB_MAP_RESIZED: retried next time */
    if (!e && fsync(fd) != 0) e = errno;
    close(fd);
    if (!e) e = tix__backup_fsync_dir(db->path); /* the file may be new */
    return e ? io_err(e, "write the snapshot") : TIX_OK;
}

/* Under LMDB's write lock (held = the caller's write transaction, or NULL
 * to take one): the last committed txnid, and where its successor's record
 * goes (reset: the ring is emptied). */
struct snap_plan {
    uint64_t txnid, replay_off, epoch;
};

static void plan_locked(struct tix_journal *j, MDB_txn *w, int reset,
                        struct snap_plan *p)
{
    p->txnid = mdb_txn_id(w) - 1;
    p->epoch = atomic_load(&j->epoch);
    p->replay_off = reset ? DATA_START : j->tail;
}

static int plan(tix_db *db, struct tix_journal *j, MDB_txn *held, int reset,
                struct snap_plan *p)
{
    if (held) {
        plan_locked(j, held, reset, p);
        return TIX_OK;
    }
    MDB_txn *w;
    pthread_rwlock_rdlock(&db->txn_lock);
    pthread_mutex_lock(&j->wmu);
    int mrc = mdb_txn_begin(db->env, NULL, 0, &w);
    if (mrc == 0) {
        plan_locked(j, w, reset, p);
        mdb_txn_abort(w);
    }
    pthread_mutex_unlock(&j->wmu);
    pthread_rwlock_unlock(&db->txn_lock);
    return mrc ? tix__mdb_err(mrc, "journal snapshot") : TIX_OK;
}

/* Copy LMDB, then record durably that replay starts after it. The copy is
 * taken after the plan, so it holds at least plan.txnid (replay is
 * idempotent over what it holds beyond). A snapshot not under the caller's
 * own write lock (held = NULL) is dropped when another one finished since
 * its plan: that one is newer. */
static int snapshot(tix_db *db, MDB_txn *held, int reset)
{
    struct tix_journal *j = db->jr;
    /* Only a snapshot that empties the ring heals a broken journal: one
     * that keeps its records could start replay at a wiped record that
     * did reach the disk. */
    if (atomic_load(&j->broken) && !reset)
        return tix__err(TIX_EIO, "journal: a flush failed; the next write "
                                 "takes a snapshot first");
    struct snap_plan p = {0, 0, 0};
    int rc = plan(db, j, held, reset, &p);
    if (rc) return rc;
    pthread_mutex_lock(&j->snap_mu);
    if (held || atomic_load(&j->epoch) == p.epoch) {
        rc = snapshot_copy(db, next_snap_file(j));
        if (rc == TIX_OK) rc = header_write(j, ST_ACTIVE, p.txnid, p.replay_off);
        if (rc == TIX_OK) {
            pthread_mutex_lock(&j->mu);
            j->live = p.replay_off;
            if (reset) j->tail_pub = p.replay_off;
            j->since = 0;
            j->last_snap = mono_s();
            pthread_mutex_unlock(&j->mu);
            if (reset) {
                j->tail = p.replay_off;
                j->last_txnid = p.txnid;
                atomic_store(&j->broken, 0);
            }
            atomic_fetch_add(&j->epoch, 1);
        }
    }
    pthread_mutex_unlock(&j->snap_mu);
    return rc;
}

/* Under mu. */
static uint64_t live_bytes(const struct tix_journal *j)
{
    uint64_t tail = j->tail_pub;
    return tail >= j->live ? tail - j->live
                           : (j->cap_pub - j->live) + (tail - DATA_START);
}

/* Under mu; @p store_bytes: LMDB's used size. */
static int snapshot_due(const struct tix_journal *j, uint64_t store_bytes)
{
    uint64_t want = store_bytes > tune_snap_bytes ? store_bytes : tune_snap_bytes;
    if (want > j->cap_pub / 2) want = j->cap_pub / 2;
    return j->since > 0 && (live_bytes(j) >= want ||
                            mono_s() - j->last_snap >= SNAP_INTERVAL_S);
}

static uint64_t store_bytes(tix_db *db)
{
    MDB_envinfo info;
    MDB_stat st;
    pthread_rwlock_rdlock(&db->txn_lock); /* both read LMDB's meta pages */
    int rc = mdb_env_info(db->env, &info) || mdb_env_stat(db->env, &st);
    pthread_rwlock_unlock(&db->txn_lock);
    return rc ? 0 : (uint64_t)(info.me_last_pgno + 1) * st.ms_psize;
}

/* Zero-fills [from, to) of the journal and flushes it: unused space past
 * the ring's end, so no lock is needed. */
static int zero_fill(int fd, uint64_t from, uint64_t to)
{
    size_t chunk = 1u << 20;
    uint8_t *zero = calloc(1, chunk);
    if (!zero) return ENOMEM;
    int e = 0;
    for (uint64_t at = from; at < to && !e; at += chunk) {
        size_t n = to - at < chunk ? (size_t)(to - at) : chunk;
        e = pwrite_all(fd, zero, n, at);
    }
    free(zero);
    if (!e && fsync(fd) != 0) e = errno;
    return e;
}

/* Grows the ring by a step once it is a quarter full: the space is filled
 * outside any lock, then taken in only while the live records do not wrap
 * (so replay, which reads up to the file's end, never meets the new space
 * in the middle of the sequence). */
static void ring_grow(struct tix_journal *j)
{
    pthread_mutex_lock(&j->mu);
    uint64_t cap = j->cap_pub, used = live_bytes(j);
    pthread_mutex_unlock(&j->mu);
    if (cap >= tune_ring_max || used < cap / 4) return;
    uint64_t next = cap + JR_GROW_STEP > tune_ring_max ? tune_ring_max
                                                       : cap + JR_GROW_STEP;
    /* make_room, the other grower, waits while this runs (it holds the
     * write lock, which this needs only afterwards). */
    atomic_store(&j->growing, 1);
    int e = zero_fill(j->fd, cap, next);
    atomic_store(&j->growing, 0);
    if (e) return; /* retried next round */
    pthread_mutex_lock(&j->wmu);
    pthread_mutex_lock(&j->mu);
    if (j->cap == cap && j->tail >= j->live) j->cap = j->cap_pub = next;
    pthread_mutex_unlock(&j->mu);
    pthread_mutex_unlock(&j->wmu);
}

static void *snapshotter_main(void *arg)
{
    tix_db *db = arg;
    struct tix_journal *j = db->jr;
    pthread_mutex_lock(&j->mu);
    while (!j->stop) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 1;
        pthread_cond_timedwait(&j->cv, &j->mu, &until);
        if (j->stop || atomic_load(&j->broken)) continue;
        pthread_mutex_unlock(&j->mu);
        ring_grow(j);
        uint64_t size = store_bytes(db);
        pthread_mutex_lock(&j->mu);
        int due = snapshot_due(j, size);
        pthread_mutex_unlock(&j->mu);
        if (due) (void)snapshot(db, NULL, 0); /* a failure is retried */
        pthread_mutex_lock(&j->mu);
    }
    pthread_mutex_unlock(&j->mu);
    return NULL;
}

/* ---- start and close --------------------------------------------------- */

/* Zero-fill the ring once: overwriting written blocks flushes faster than
 * filling fallocated (unwritten) extents, which need metadata updates. */
static int ring_prepare(struct tix_journal *j, uint64_t cap)
{
    struct stat st;
    if (fstat(j->fd, &st) != 0) return io_err(errno, "stat");
    if ((uint64_t)st.st_size >= cap) {
        j->cap = (uint64_t)st.st_size;
        pthread_mutex_lock(&j->mu);
        j->cap_pub = j->cap;
        pthread_mutex_unlock(&j->mu);
        return TIX_OK;
    }
    int e = zero_fill(j->fd, (uint64_t)st.st_size, cap);
    if (e) return io_err(e, "prepare");
    j->cap = cap;
    pthread_mutex_lock(&j->mu);
    j->cap_pub = cap;
    pthread_mutex_unlock(&j->mu);
    return TIX_OK;
}

/* Outside journal mode, after a recovery: LMDB is flushed, the journal
 * is marked clean and the snapshot is no longer needed. */
static int mark_clean(tix_db *db, struct tix_journal *j)
{
    int mrc = mdb_env_sync(db->env, 1);
    if (mrc) return tix__mdb_err(mrc, "journal: flush LMDB");
    int rc = header_write(j, ST_CLEAN, 0, 0);
    for (unsigned f = 0; rc == TIX_OK && f < 2; f++) {
        char snap[PATH_MAX];
        snap_path(db, f, snap, sizeof snap);
        unlink(snap);
    }
    return rc;
}

int tix__journal_start(tix_db *db)
{
    struct tix_journal *j = db->jr;
    if (!j || db->readonly) return TIX_OK;
    int rc = TIX_OK;
    if (j->recover && (rc = replay(db, j))) return rc;
    if (!j->mode) {
        if (j->recover) rc = mark_clean(db, j);
        if (rc == TIX_OK && flock(j->fd, LOCK_SH | LOCK_NB) != 0)
            rc = io_err(errno, "lock");
        return rc;
    }
    if ((rc = tix__random_bytes(&j->life, sizeof j->life))) return rc;
    if ((rc = ring_prepare(j, tune_ring_bytes))) return rc;
    /* The journal may be new: make its name durable too. */
    int e = tix__backup_fsync_dir(db->path);
    if (e) return io_err(e, "flush the store directory");
    if ((rc = snapshot(db, NULL, 1))) return rc;
    if (pthread_create(&j->thread, NULL, snapshotter_main, db) != 0)
        return tix__err(TIX_ENOMEM, "cannot start the snapshot thread");
    j->thread_on = 1;
    j->started = 1;
    return TIX_OK;
}

void tix__journal_close(tix_db *db)
{
    struct tix_journal *j = db->jr;
    if (!j) return;
    if (j->thread_on) {
        pthread_mutex_lock(&j->mu);
        j->stop = 1;
        pthread_cond_signal(&j->cv);
        pthread_mutex_unlock(&j->mu);
        pthread_join(j->thread, NULL);
    }
    /* A failure leaves the header ACTIVE: the next open replays. */
    if (j->started) (void)mark_clean(db, j);
    journal_free(db);
}

int tix__journal_sync(tix_db *db)
{
    struct tix_journal *j = db->jr;
    if (!j || !j->started) return TIX_OK;
    return snapshot(db, NULL, 0);
}

/* ---- the write path ---------------------------------------------------- */

/* Writers are serialised from begin to settled record (lib/store/journal.h). */
static void journal_lock(tix_db *db)
{
    if (db->jr) pthread_mutex_lock(&db->jr->wmu);
}

static void journal_unlock(tix_db *db)
{
    if (db->jr) pthread_mutex_unlock(&db->jr->wmu);
}

static void journal_txn_begin(tix_db *db)
{
    struct tix_journal *j = db->jr;
    if (!j || !j->started) return;
    j->len = REC_HDR; /* the header is filled in at precommit */
    j->capturing = 1;
    j->pending = 0;
}

static int buf_reserve(struct tix_journal *j, size_t more)
{
    if (j->len + more <= j->bufcap) return 0;
    size_t cap = j->bufcap ? j->bufcap : 4096;
    while (cap < j->len + more) cap *= 2;
    uint8_t *b = realloc(j->buf, cap);
    if (!b) return ENOMEM;
    j->buf = b;
    j->bufcap = cap;
    return 0;
}

/* The store's change hook (tix__txn_observer.change): logs one change in
 * the transaction's redo record. */
static int capture(tix_db *db, int op, int table, unsigned flags,
                   const MDB_val *k, const MDB_val *v, size_t *mark)
{
    struct tix_journal *j = db->jr;
    *mark = j ? j->len : 0;
    if (!j || !j->capturing) return 0;
    size_t vlen = v ? v->mv_size : 0;
    if (buf_reserve(j, 16 + k->mv_size + vlen)) return ENOMEM;
    uint8_t *p = j->buf + j->len;
    uint32_t f = flags, kl = (uint32_t)k->mv_size, vl = (uint32_t)vlen;
    p[0] = (uint8_t)op;
    p[1] = (uint8_t)table;
    p[2] = p[3] = 0;
    memcpy(p + 4, &f, 4);
    memcpy(p + 8, &kl, 4);
    memcpy(p + 12, &vl, 4);
    memcpy(p + 16, k->mv_data, kl);
    if (vl) memcpy(p + 16 + kl, v->mv_data, vl);
    j->len += 16 + kl + vl;
    return 0;
}

/* The change is logged before the LMDB call and dropped if it fails: a
 * value read from the map may move once the put runs. */
static void capture_undo(tix_db *db, size_t mark)
{
    if (db->jr && db->jr->capturing) db->jr->len = mark;
}

/* A batch level or a write inside a batch starts (tix__txn_observer
 * .savepoint): capture_undo(mark) drops what is logged from here on. */
static void capture_mark(tix_db *db, size_t *mark)
{
    *mark = db->jr ? db->jr->len : 0;
}

/* Where a record of @p need bytes goes: its offset, and in *wrap where the
 * wrap marker goes (0: none). 0 when the ring has no room for it. */
static uint64_t place(struct tix_journal *j, uint64_t need, uint64_t *wrap)
{
    pthread_mutex_lock(&j->mu);
    uint64_t live = j->live;
    pthread_mutex_unlock(&j->mu);
    *wrap = 0;
    /* A record always leaves room for a wrap marker before the ring's end:
     * replay must find one, whatever size the file has grown to. */
    if (j->tail >= live) {
        if (j->tail + need + REC_HDR <= j->cap) return j->tail;
        if (DATA_START + need <= live) {
            *wrap = j->tail;
            return DATA_START;
        }
        return 0;
    }
    return j->tail + need <= live ? j->tail : 0;
}

static void rec_header_fill(struct tix_journal *j, uint8_t *h, uint32_t type,
                            uint64_t txnid, uint64_t len, const uint8_t *payload)
{
    uint32_t magic = REC_MAGIC;
    memcpy(h, &magic, 4);
    memcpy(h + 4, &type, 4);
    memcpy(h + 8, &j->life, 8);
    memcpy(h + 16, &txnid, 8);
    memcpy(h + 24, &len, 8);
    uint64_t hash = rec_hash(h, payload, len);
    memcpy(h + 32, &hash, 8);
}

/* No room in the ring: snapshot under our write lock (emptying the ring;
 * writers wait meanwhile, so the ring is sized for this to be rare), and
 * grow the file if the record alone does not fit. */
static int make_room(tix_db *db, struct tix_journal *j, MDB_txn *txn,
                     uint64_t need)
{
    int rc = snapshot(db, txn, 1);
    if (rc || DATA_START + need + REC_HDR <= j->cap) return rc;
    while (atomic_load(&j->growing)) { /* see ring_grow */
        struct timespec ms = {0, 1000000};
        nanosleep(&ms, NULL);
    }
    uint64_t cap = (DATA_START + need + REC_HDR + (1u << 20)) &
                   ~(uint64_t)((1u << 20) - 1);
    return ring_prepare(j, cap);
}

static int write_record(struct tix_journal *j, uint64_t txnid, uint64_t off,
                        uint64_t wrap)
{
    size_t len = j->len - REC_HDR;
    size_t total = REC_HDR + pad8(len);
    if (buf_reserve(j, total - j->len)) return tix__err(TIX_ENOMEM, "out of memory");
    memset(j->buf + j->len, 0, total - j->len);
    rec_header_fill(j, j->buf, REC_DATA, txnid, len, j->buf + REC_HDR);
    int e = 0;
    if (wrap) {
        uint8_t w[REC_HDR];
        rec_header_fill(j, w, REC_WRAP, txnid, 0, NULL);
        e = pwrite_all(j->fd, w, REC_HDR, wrap);
    }
    if (!e) e = pwrite_all(j->fd, j->buf, total, off);
    j->pending = 1; /* from here a failure must wipe what may have landed */
    j->pending_off = off;
    j->pending_end = off + total;
    j->pending_wrap = wrap;
    j->pending_txnid = txnid;
    if (e) return io_err(e, "append");
    if (fdatasync(j->fd) != 0) return broken(j, errno, "flush");
    return TIX_OK;
}

static int journal_precommit(tix_db *db, MDB_txn *txn)
{
    struct tix_journal *j = db->jr;
    if (!j || !j->started) return TIX_OK;
    j->capturing = 0;
    /* Nothing changed: LMDB will not even use up the txnid. */
    if (j->len == REC_HDR) return TIX_OK;
    uint64_t txnid = mdb_txn_id(txn);
    int rc = TIX_OK;
    /* A failed flush, or a transaction that committed without a record
     * (none should: it breaks the sequence replay follows): snapshot past
     * it first. */
    if (atomic_load(&j->broken) || txnid != j->last_txnid + 1)
        rc = snapshot(db, txn, 1);
    uint64_t need = REC_HDR + pad8(j->len - REC_HDR), wrap = 0, off = 0;
    if (rc == TIX_OK && DATA_START + need + REC_HDR > j->cap)
        rc = make_room(db, j, txn, need);
    if (rc == TIX_OK && !(off = place(j, need, &wrap))) {
        rc = make_room(db, j, txn, need);
        if (rc == TIX_OK) off = place(j, need, &wrap);
    }
    return rc ? rc : write_record(j, txnid, off, wrap);
}

static int journal_postcommit(tix_db *db, int committed)
{
    struct tix_journal *j = db->jr;
    if (!j || !j->started) return TIX_OK;
    j->capturing = 0;
    if (!j->pending) return TIX_OK;
    j->pending = 0;
    if (committed) {
        j->tail = j->pending_end;
        j->last_txnid = j->pending_txnid;
        pthread_mutex_lock(&j->mu);
        j->since++;
        j->tail_pub = j->tail;
        pthread_mutex_unlock(&j->mu);
        return TIX_OK;
    }
    /* The transaction did not commit, but its record may be on disk and
     * would be replayed after a crash: wipe it. */
    uint8_t zero[REC_HDR] = {0};
    int e = pwrite_all(j->fd, zero, REC_HDR, j->pending_off);
    if (!e && j->pending_wrap)
        e = pwrite_all(j->fd, zero, REC_HDR, j->pending_wrap);
    if (!e && fdatasync(j->fd) != 0) e = errno;
    return e ? broken(j, e, "wipe an uncommitted record") : TIX_OK;
}

int tix__journal_pending(const char *store_dir)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/" JR_NAME, store_dir);
    if (access(path, F_OK) != 0) return 0; /* and leave no error detail */
    int active = 0;
    uint64_t txnid, off;
    return tix__journal_test_state(store_dir, &active, &txnid, &off) == TIX_OK &&
           active;
}

/* ---- test hooks -------------------------------------------------------- */

int tix__journal_test_forget_boot(const char *store_dir)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/" JR_NAME, store_dir);
    int fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0) return io_err(errno, path);
    struct tix_journal j;
    memset(&j, 0, sizeof j);
    j.fd = fd;
    int rc = TIX_ENOTFOUND;
    if (header_load(&j)) {
        struct jr_header h = j.hdr;
        memset(h.boot_id, 0xee, sizeof h.boot_id);
        h.hash = header_hash(&h);
        int e = pwrite_all(fd, &h, sizeof h, (h.gen & 1) * (uint64_t)JR_SLOT);
        rc = e ? io_err(e, "rewrite header") : TIX_OK;
    }
    close(fd);
    return rc;
}

int tix__journal_test_state(const char *store_dir, int *active,
                            uint64_t *snap_txnid, uint64_t *replay_off)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/" JR_NAME, store_dir);
    struct tix_journal j;
    memset(&j, 0, sizeof j);
    j.fd = open(path, O_RDONLY | O_CLOEXEC);
    if (j.fd < 0) return io_err(errno, path);
    int found = header_load(&j);
    close(j.fd);
    if (!found) return TIX_ENOTFOUND;
    *active = j.hdr.state == ST_ACTIVE;
    *snap_txnid = j.hdr.snap_txnid;
    *replay_off = j.hdr.replay_off;
    return TIX_OK;
}

/* The journal's hooks on every write transaction of the store. */
static const tix__txn_observer journal_observer = {
    .enter = journal_lock,
    .leave = journal_unlock,
    .begin = journal_txn_begin,
    .change = capture,
    .undo = capture_undo,
    .savepoint = capture_mark,
    .precommit = journal_precommit,
    .postcommit = journal_postcommit,
};
