/* The redo journal of TIX_SYNC_JOURNAL, shared by every process that has
 * the store open read-write; the design is in journal.h and
 * docs/design.md, "Journal".
 *
 * <store>/journal:
 *   [header slot 0][header slot 1][record ring from DATA_START]
 * A header slot names the last checkpoint: the LMDB txnid C that is
 * durable in data.mdb, the first bytes of LMDB's two meta pages as they
 * were at C, the offset where the record of C+1 starts, the boot it was
 * written in and the ring's "life" nonce. Checkpoints alternate slots, so
 * a torn header write leaves the other one valid; the valid slot with the
 * higher generation wins.
 * A record: 40-byte header {magic, type, life, txnid, len, hash} and len
 * bytes of operations {op, table, flags, klen, vlen, key, value}. The life
 * is drawn afresh whenever the ring restarts at DATA_START, so records of
 * an earlier ring that sit where replay looks never count.
 *
 * <store>/journal.shm: the ring's state (struct shared), mapped by every
 * process, changed only under LMDB's write lock. The first process to open
 * the store builds it; a reboot or the last close makes it stale.
 *
 * Replay is idempotent: an operation is a put or delete of one key, so
 * replaying records over any state between C and the last record gives the
 * last record's state (NOOVERWRITE is dropped and deleting a missing key
 * is not an error). */
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
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#define XXH_STATIC_LINKING_ONLY /* XXH3_state_t on the stack */
#include <xxhash.h>

#include "backup.h"
#include "error.h"
#include "files.h"
#include "os.h"
#include "redo.h"
#include "random.h"

#define JR_SLOT 4096u /* one header slot */
#define DATA_START (2u * JR_SLOT)
#define JR_CAP_START (8ull << 20) /* ring size at creation */
#define JR_CAP_MAX (256ull << 20) /* grown to under load */
#define JR_GROW_STEP (4ull << 20) /* zero-filled under the write lock */
#define REC_HDR 40u
#define REC_MAGIC 0x4352584au /* "JXRC" */
#define HDR_MAGIC "TIXJRNL4"
#define HDR_VERSION 4u
#define SHM_MAGIC "TIXJSHM1"
/* The part of each LMDB meta page kept in a header: LMDB's page header
 * and MDB_meta fill its first 152 bytes. */
#define META_SAVE 256u
#define LMDB_META_MAGIC 0xBEEFC0DEu
#define LMDB_META_MAGIC_AT 16u  /* after the 16-byte page header */
#define LMDB_META_TXNID_AT 144u /* mm_txnid, the last field */

enum { REC_DATA = 1, REC_WRAP = 2 };
enum { ST_ACTIVE = 1, ST_CLEAN = 2 };

/* OFD locks on bytes of `journal` (far past any record: a lock on a byte
 * range does not touch the file). They die with their process. */
enum {
    LK_INIT = 1,      /* write: attaching or detaching (short, waited for) */
    LK_USERS = 2,     /* read: every journal-mode read-write handle */
    LK_OTHER = 3,     /* read: read-write handles in the other modes */
    LK_CKPT = 4,      /* write: a background checkpoint is under way */
    LK_PID_BASE = 16, /* write on LK_PID_BASE + pid: that process lives */
};
#define LK_AT(b) ((off_t)1 << 40 | (off_t)(b))

/* A checkpoint is due when a quarter of the ring is live, or this long
 * after the last one once anything was written: replay after a crash then
 * reads at most that much, and the pages LMDB may not reuse meanwhile stay
 * few. */
#define CKPT_INTERVAL_MS 1000
#define CKPT_POLL_MS 50

static uint64_t tune_ring_bytes = JR_CAP_START;
static uint64_t tune_ring_max = JR_CAP_MAX;
static uint64_t tune_ckpt_bytes = 0; /* 0: a quarter of the ring */

void tix__journal_tune(uint64_t ring_bytes, uint64_t ckpt_bytes)
{
    tune_ring_bytes = ring_bytes ? ring_bytes : JR_CAP_START;
    tune_ring_max = ring_bytes ? ring_bytes : JR_CAP_MAX;
    tune_ckpt_bytes = ckpt_bytes;
}

struct jr_header {
    char magic[8];
    uint32_t version;
    uint32_t state;
    uint64_t gen;
    uint64_t life;
    uint64_t ckpt_txnid; /* data.mdb holds this transaction durably */
    uint64_t replay_off; /* where the record of ckpt_txnid + 1 starts */
    uint32_t psize;      /* LMDB's page size: where meta page 1 sits */
    uint32_t pad;
    uint8_t boot_id[16]; /* boot the store was last written in */
    uint8_t meta[2][META_SAVE]; /* LMDB's meta pages at ckpt_txnid */
    uint64_t hash;              /* XXH3 of the fields above */
};

/* journal.shm. Every field changes under LMDB's write lock; the ones the
 * checkpoint thread reads without it are atomic. */
struct shared {
    char magic[8];
    uint8_t boot_id[16]; /* the boot that built it */
    uint64_t life;
    _Atomic uint64_t cap;  /* records live in [DATA_START, cap) */
    _Atomic uint64_t tail; /* where the next record goes */
    _Atomic uint64_t live; /* the first byte a crash would replay */
    /* The last record written, until a later transaction settles it. */
    _Atomic uint64_t last_txnid;
    uint64_t last_off, last_end, last_wrap;
    _Atomic uint64_t ckpt_txnid; /* the durable checkpoint */
    uint64_t gen;                /* of the header that names it */
    _Atomic int64_t ckpt_ms;     /* CLOCK_MONOTONIC, when it was made */
    /* The process whose read transaction keeps the checkpoint's pages
     * from being reused (0: none, the next writer pins). */
    _Atomic int32_t pin_pid;
    _Atomic int32_t broken; /* a flush failed: reset the ring first */
};

struct tix_journal {
    int fd, shm_fd;
    int mode;    /* journal mode: records are written */
    int started; /* mode, attached */
    int recover; /* a crash left records, and we are alone: replay */
    int alone;   /* no other read-write handle at open */
    struct jr_header hdr; /* the newest valid header read at open */
    uint8_t boot[16];
    uint32_t psize;
    pid_t pid;
    struct shared *sh;
    /* The record of the write transaction in progress; the in-process
     * writer mutex (enter..leave) owns it. */
    pthread_mutex_t wmu;
    uint8_t *buf;
    size_t len, bufcap;
    int capturing;
    uint64_t pending; /* txnid of our record whose commit is unsettled */
    /* Our read transaction pinning a checkpoint (see pin_swap); swapped
     * only under LMDB's write lock, peeked at by the checkpoint thread. */
    _Atomic(MDB_txn *) pin;
    /* One checkpoint of this process at a time (LK_CKPT, an OFD lock,
     * does not keep out our own threads). */
    pthread_mutex_t ckpt_mu;
    /* The checkpoint thread. */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stop, thread_on;
    pthread_t thread;
    _Atomic uint64_t checkpoints;
};

static size_t pad8(size_t n) { return (n + 7) & ~(size_t)7; }

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
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
 * may still be. The next write first makes a checkpoint that restarts the
 * ring; until one succeeds, every write fails. */
static int broken(struct tix_journal *j, int e, const char *what)
{
    if (j->sh) atomic_store(&j->sh->broken, 1);
    return io_err(e, what);
}

static void store_path(const tix_db *db, const char *name, char *out, size_t cap)
{
    snprintf(out, cap, "%s/%s", db->path, name);
}

static int ofd_lock(int fd, short type, int byte, int wait)
{
    struct flock fl = {.l_type = type, .l_whence = SEEK_SET,
                       .l_start = LK_AT(byte), .l_len = 1};
    return fcntl(fd, wait ? F_OFD_SETLKW : F_OFD_SETLK, &fl) == 0 ? 0 : errno;
}

/* Whether another open file holds a lock on @p byte that a write lock
 * would conflict with (our own locks never conflict with us). */
static int ofd_held(int fd, int byte)
{
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET,
                       .l_start = LK_AT(byte), .l_len = 1};
    return fcntl(fd, F_OFD_GETLK, &fl) == 0 && fl.l_type != F_UNLCK;
}

static int pid_alive(const struct tix_journal *j, int32_t pid)
{
    return pid == j->pid || (pid > 0 && ofd_held(j->fd, LK_PID_BASE + pid));
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

/* Whether a slot holds an active header of the journal format before
 * this one (its snapshot files and records are not this version's to
 * replay): the open refuses rather than drop what a crash left there. */
static int old_active(int fd)
{
    for (unsigned i = 0; i < 2; i++) {
        uint8_t h[16];
        uint32_t state;
        if (pread_all(fd, h, sizeof h, (uint64_t)i * JR_SLOT)) continue;
        memcpy(&state, h + 12, 4);
        if (memcmp(h, "TIXJRNL3", 8) == 0 && state == ST_ACTIVE) return 1;
    }
    return 0;
}

/* The newest valid header into @p out, or 0 when there is none. */
static int header_load(int fd, struct jr_header *out)
{
    struct jr_header h[2];
    int ok0 = slot_read(fd, 0, &h[0]);
    int ok1 = slot_read(fd, 1, &h[1]);
    if (!ok0 && !ok1) return 0;
    *out = h[ok0 && ok1 ? (h[1].gen > h[0].gen) : ok1];
    return 1;
}

/* What a checkpoint records: filled under LMDB's write lock. */
struct ckpt {
    uint64_t txnid, replay_off, life;
    uint8_t meta[2][META_SAVE];
};

/* Writes header generation @p gen and flushes it. */
static int header_write(struct tix_journal *j, uint64_t gen, uint32_t state,
                        const struct ckpt *c)
{
    struct jr_header h;
    memset(&h, 0, sizeof h);
    memcpy(h.magic, HDR_MAGIC, 8);
    h.version = HDR_VERSION;
    h.state = state;
    h.gen = gen;
    h.psize = j->psize;
    memcpy(h.boot_id, j->boot, 16);
    if (c) {
        h.life = c->life;
        h.ckpt_txnid = c->txnid;
        h.replay_off = c->replay_off;
        memcpy(h.meta, c->meta, sizeof h.meta);
    }
    h.hash = header_hash(&h);
    uint8_t local[JR_SLOT];
    memset(local, 0, sizeof local);
    memcpy(local, &h, sizeof h);
    int e = pwrite_all(j->fd, local, JR_SLOT, (gen & 1) * (uint64_t)JR_SLOT);
    if (e) return broken(j, e, "write header");
    if (fdatasync(j->fd) != 0) return broken(j, errno, "flush header");
    j->hdr = h;
    return TIX_OK;
}

/* ---- LMDB's meta pages ------------------------------------------------- */

static uint64_t meta_txnid(const uint8_t *m)
{
    uint32_t magic;
    uint64_t txnid;
    memcpy(&magic, m + LMDB_META_MAGIC_AT, 4);
    memcpy(&txnid, m + LMDB_META_TXNID_AT, 8);
    return magic == LMDB_META_MAGIC ? txnid : 0;
}

/* Under LMDB's write lock, with @p txnid the last committed transaction:
 * reads both meta pages (one of them is txnid's: LMDB wrote it before the
 * commit returned). */
static int meta_read(tix_db *db, struct tix_journal *j, uint64_t txnid,
                     uint8_t meta[2][META_SAVE])
{
    int fd = -1;
    if (mdb_env_get_fd(db->env, &fd) != 0) return io_err(EBADF, "data.mdb");
    for (unsigned i = 0; i < 2; i++) {
        int e = pread_all(fd, meta[i], META_SAVE, (uint64_t)i * j->psize);
        if (e) return io_err(e, "read LMDB's meta pages");
    }
    uint64_t a = meta_txnid(meta[0]), b = meta_txnid(meta[1]);
    if ((a > b ? a : b) != txnid)
        return tix__err(TIX_ECORRUPT, "journal: LMDB's meta pages name "
                                      "transaction %llu, expected %llu",
                        (unsigned long long)(a > b ? a : b),
                        (unsigned long long)txnid);
    return TIX_OK;
}

/* After a power cut data.mdb may hold pages of transactions after the
 * checkpoint, torn or half there, and meta pages naming them. The
 * checkpoint's pages were flushed before its header was, and no writer
 * reused them while it was the newest (a read transaction pinned them):
 * putting its meta pages back makes data.mdb that transaction again. */
static int meta_restore(tix_db *db, const struct jr_header *h)
{
    char data[PATH_MAX];
    store_path(db, TIX__FILE_DATA, data, sizeof data);
    int fd = open(data, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) return io_err(errno, "open data.mdb to restore its meta pages");
    int e = 0;
    for (unsigned i = 0; i < 2 && !e; i++)
        e = pwrite_all(fd, h->meta[i], META_SAVE, (uint64_t)i * h->psize);
    if (!e && fsync(fd) != 0) e = errno;
    close(fd);
    return e ? io_err(e, "restore LMDB's meta pages") : TIX_OK;
}

/* ---- open: lock, find out who else is here ----------------------------- */

static int busy(const char *why) { return tix__err(TIX_EBUSY, "%s", why); }

/* Same boot: only processes died, the page cache kept every LMDB write
 * and data.mdb is whole. Another boot, or one we could not tell (all
 * zero): it may be torn. */
static int same_boot(const struct tix_journal *j)
{
    static const uint8_t unknown[16];
    return memcmp(j->hdr.boot_id, j->boot, 16) == 0 &&
           memcmp(j->boot, unknown, 16) != 0;
}

static int open_readonly(tix_db *db, struct tix_journal *j, const char *path)
{
    (void)db;
    j->fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (j->fd < 0) return errno == ENOENT ? TIX_OK : io_err(errno, path);
    (void)flock(j->fd, LOCK_SH | LOCK_NB); /* a restore sees us */
    if (ofd_held(j->fd, LK_USERS) || ofd_held(j->fd, LK_OTHER))
        return TIX_OK; /* writers are live: LMDB is current */
    /* After a process crash LMDB (in the page cache) holds every
     * acknowledged commit; after a reboot it may be torn. */
    if (header_load(j->fd, &j->hdr) && j->hdr.state == ST_ACTIVE &&
        !same_boot(j))
        return busy("store needs crash recovery: open it read-write once");
    return TIX_OK;
}

static int open_readwrite(tix_db *db, struct tix_journal *j, const char *path)
{
    j->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (j->fd < 0) return io_err(errno, path);
    /* A restore holds the flock exclusively while it swaps the directory:
     * the journal opened just before must not be replayed into the store
     * after. */
    if (flock(j->fd, LOCK_SH | LOCK_NB) != 0)
        return errno == EWOULDBLOCK ? busy("store is being restored")
                                    : io_err(errno, "lock");
    int rc = tix__db_same_dir(db);
    if (rc) return rc;
    /* Held until tix__journal_start is done (or close). */
    int e = ofd_lock(j->fd, F_WRLCK, LK_INIT, 1);
    if (e) return io_err(e, "lock");
    int users = ofd_held(j->fd, LK_USERS), others = ofd_held(j->fd, LK_OTHER);
    if (j->mode && others)
        return busy("store is open read-write by a process in another "
                    "durability mode; journal mode shares it only with "
                    "journal mode");
    if (!j->mode && users)
        return busy("store is open in journal mode by another process: "
                    "open it in journal mode (TIX_SYNC_JOURNAL) too");
    j->alone = !users && !others;
    int found = header_load(j->fd, &j->hdr);
    if (!found && old_active(j->fd))
        return tix__err(TIX_EVERSION, "journal: a crash left records in the "
                        "journal format of an earlier libtix; open the store "
                        "once with that version to replay them");
    if (!found || j->hdr.state != ST_ACTIVE || !j->alone) return TIX_OK;
    j->recover = 1;
    return same_boot(j) ? TIX_OK : meta_restore(db, &j->hdr);
}

static void journal_free(tix_db *db)
{
    struct tix_journal *j = db->jr;
    if (!j) return;
    if (j->sh) munmap(j->sh, sizeof *j->sh);
    if (j->shm_fd >= 0) close(j->shm_fd);
    if (j->fd >= 0) close(j->fd); /* drops every lock of ours */
    pthread_mutex_destroy(&j->wmu);
    pthread_mutex_destroy(&j->ckpt_mu);
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
    j->fd = j->shm_fd = -1;
    j->mode = db->cfg.durability == TIX_SYNC_JOURNAL && !db->readonly;
    j->pid = getpid();
    tix__os_boot_id(j->boot);
    pthread_mutex_init(&j->wmu, NULL);
    pthread_mutex_init(&j->ckpt_mu, NULL);
    pthread_mutex_init(&j->mu, NULL);
    pthread_cond_init(&j->cv, NULL);
    db->jr = j;
    char path[PATH_MAX];
    store_path(db, TIX__FILE_JOURNAL, path, sizeof path);
    int rc = db->readonly ? open_readonly(db, j, path)
                          : open_readwrite(db, j, path);
    if (rc == TIX_OK && !db->readonly) rc = tix__db_observe(db, &journal_observer);
    if (rc) journal_free(db);
    return rc;
}

/* ---- records ----------------------------------------------------------- */

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

static void rec_header_fill(uint64_t life, uint8_t *h, uint32_t type,
                            uint64_t txnid, uint64_t len, const uint8_t *payload)
{
    uint32_t magic = REC_MAGIC;
    memcpy(h, &magic, 4);
    memcpy(h + 4, &type, 4);
    memcpy(h + 8, &life, 8);
    memcpy(h + 16, &txnid, 8);
    memcpy(h + 24, &len, 8);
    uint64_t hash = rec_hash(h, payload, len);
    memcpy(h + 32, &hash, 8);
}

/* Reads the record of @p txnid at *off (following a wrap) of a journal of
 * @p size bytes; 0 at the end of the chain, 1 with *payload (malloc'ed,
 * unless @p payload is NULL) and *off past it, or a TIX error. */
static int read_record(int fd, uint64_t size, uint64_t life, uint64_t *off,
                       uint64_t txnid, uint8_t **payload, uint64_t *len)
{
    for (int hops = 0; hops < 2; hops++) {
        if (*off + REC_HDR > size) *off = DATA_START;
        uint8_t h[REC_HDR];
        uint32_t type;
        uint64_t hash;
        if (pread_all(fd, h, REC_HDR, *off)) return 0;
        if (!rec_header_ok(h, life, txnid, &type, len)) return 0;
        memcpy(&hash, h + 32, 8);
        if (type == REC_WRAP) {
            if (rec_hash(h, NULL, 0) != hash) return 0;
            *off = DATA_START;
            continue;
        }
        if (*len > size - *off - REC_HDR) return 0;
        uint8_t *p = malloc(*len ? *len : 1);
        if (!p) return tix__err(TIX_ENOMEM, "out of memory");
        if (pread_all(fd, p, *len, *off + REC_HDR) ||
            rec_hash(h, p, *len) != hash) {
            free(p);
            return 0;
        }
        if (payload) *payload = p;
        else free(p);
        *off += REC_HDR + pad8(*len);
        return 1;
    }
    return 0;
}

/* ---- recovery (alone, at open) ----------------------------------------- */

/* Replays every record after what LMDB holds: LMDB is at the checkpoint
 * or past it (the page cache survived a process crash), so the records up
 * to its txnid are walked over, and the rest applied. Runs in one write
 * transaction made while the observers are not yet capturing. */
static int replay_fn(tix_db *db, MDB_txn *txn, void *arg)
{
    struct tix_journal *j = arg;
    struct stat st;
    if (fstat(j->fd, &st) != 0) return io_err(errno, "stat");
    uint64_t size = (uint64_t)st.st_size, off = j->hdr.replay_off;
    uint64_t have = mdb_txn_id(txn) - 1, txnid = j->hdr.ckpt_txnid + 1;
    if (have < j->hdr.ckpt_txnid)
        return tix__err(TIX_ECORRUPT, "journal: data.mdb (transaction %llu) "
                                      "is older than the checkpoint (%llu)",
                        (unsigned long long)have,
                        (unsigned long long)j->hdr.ckpt_txnid);
    if (off < DATA_START || off > size) return TIX_OK;
    for (;; txnid++) {
        uint8_t *p = NULL;
        uint64_t len = 0;
        int got = read_record(j->fd, size, j->hdr.life, &off, txnid,
                              txnid > have ? &p : NULL, &len);
        if (got <= 0) return got;
        if (!p) continue;
        int rc = tix__redo_apply(db, txn, p, len, 0, "journal replay");
        free(p);
        if (rc) return rc;
    }
}

static int lmdb_flush(tix_db *db, const char *what)
{
    int mrc = mdb_env_sync(db->env, 1);
    return mrc ? tix__mdb_err(mrc, what) : TIX_OK;
}

static int replay(tix_db *db, struct tix_journal *j)
{
    int rc = lmdb_flush(db, "journal: flush LMDB before replay");
    if (rc == TIX_OK) rc = tix__db_write(db, replay_fn, j);
    if (rc == TIX_OK) rc = lmdb_flush(db, "journal: flush after replay");
    return rc;
}

/* ---- the shared state -------------------------------------------------- */

static int shm_map(tix_db *db, struct tix_journal *j)
{
    char path[PATH_MAX];
    store_path(db, TIX__FILE_JOURNAL_SHM, path, sizeof path);
    j->shm_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (j->shm_fd < 0) return io_err(errno, path);
    struct stat st;
    if (fstat(j->shm_fd, &st) != 0) return io_err(errno, path);
    if ((size_t)st.st_size < sizeof *j->sh &&
        ftruncate(j->shm_fd, (off_t)sizeof *j->sh) != 0)
        return io_err(errno, path);
    void *p = mmap(NULL, sizeof *j->sh, PROT_READ | PROT_WRITE, MAP_SHARED,
                   j->shm_fd, 0);
    if (p == MAP_FAILED) return io_err(errno, "map journal.shm");
    j->sh = p;
    return TIX_OK;
}

/* The other handles built it; it must be of this boot. */
static int shm_check(const struct tix_journal *j)
{
    if (memcmp(j->sh->magic, SHM_MAGIC, 8) != 0 ||
        memcmp(j->sh->boot_id, j->boot, 16) != 0)
        return tix__err(TIX_ECORRUPT, "journal.shm was not built by the "
                                      "processes that have the store open");
    return TIX_OK;
}

/* ---- the ring: size and room ------------------------------------------- */

/* Zero-fills [from, to): overwriting written blocks flushes faster than
 * filling holes or unwritten extents, which need metadata updates. */
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
    return e;
}

static uint64_t ring_used(const struct shared *sh)
{
    uint64_t tail = atomic_load(&sh->tail), live = atomic_load(&sh->live),
             cap = atomic_load(&sh->cap);
    return tail >= live ? tail - live : (cap - live) + (tail - DATA_START);
}

/* Under LMDB's write lock: grows the ring to @p to while the live records
 * do not wrap (replay, which reads up to the file's end, must never meet
 * new space in the middle of the sequence). The zeros reach the disk with
 * the next record's flush. */
static int ring_grow_locked(struct tix_journal *j, uint64_t to)
{
    struct shared *sh = j->sh;
    uint64_t cap = atomic_load(&sh->cap);
    if (to <= cap || atomic_load(&sh->tail) < atomic_load(&sh->live))
        return TIX_OK;
    int e = zero_fill(j->fd, cap, to);
    if (e) return io_err(e, "grow");
    atomic_store(&sh->cap, to);
    return TIX_OK;
}

/* Where a record of @p need bytes goes: its offset, and in *wrap where the
 * wrap marker goes (0: none). 0 when the ring has no room for it. A record
 * always leaves room for a wrap marker before the ring's end: replay must
 * find one, whatever size the file has grown to. */
static uint64_t place(const struct shared *sh, uint64_t need, uint64_t *wrap)
{
    uint64_t tail = atomic_load(&sh->tail), live = atomic_load(&sh->live),
             cap = atomic_load(&sh->cap);
    *wrap = 0;
    if (tail >= live) {
        if (tail + need + REC_HDR <= cap) return tail;
        if (DATA_START + need < live) {
            *wrap = tail;
            return DATA_START;
        }
        return 0;
    }
    return tail + need < live ? tail : 0;
}

/* ---- checkpoints ------------------------------------------------------- */

/* Makes @p r our pin (the read transaction that keeps the checkpoint's
 * pages from reuse) and ends the one it replaces. A reader at txnid P
 * keeps every page freed after P, so any pin at or before the checkpoint
 * protects all of the checkpoint's pages. */
static void pin_swap(struct tix_journal *j, MDB_txn *r)
{
    MDB_txn *old = atomic_exchange(&j->pin, r);
    if (old) mdb_txn_abort(old);
}

static int pin_open(tix_db *db, MDB_txn **r)
{
    int mrc = mdb_txn_begin(db->env, NULL, MDB_RDONLY, r);
    return mrc ? tix__mdb_err(mrc, "journal: pin the checkpoint") : TIX_OK;
}

/* Under LMDB's write lock (@p w): the checkpoint of the last committed
 * transaction, pinned by *r. */
static int ckpt_plan(tix_db *db, struct tix_journal *j, MDB_txn *w, int reset,
                     struct ckpt *c, MDB_txn **r)
{
    c->txnid = mdb_txn_id(w) - 1;
    c->replay_off = reset ? DATA_START : atomic_load(&j->sh->tail);
    c->life = j->sh->life;
    int rc = reset ? tix__random_bytes(&c->life, sizeof c->life) : TIX_OK;
    if (rc == TIX_OK) rc = meta_read(db, j, c->txnid, c->meta);
    if (rc == TIX_OK) rc = pin_open(db, r);
    return rc;
}

/* Under LMDB's write lock, once data.mdb holds @p c durably: names it in
 * the header and makes it the ring's start; we own its pin. */
static int ckpt_publish(struct tix_journal *j, const struct ckpt *c, int reset,
                        MDB_txn *r)
{
    struct shared *sh = j->sh;
    if (!reset && c->txnid <= atomic_load(&sh->ckpt_txnid) &&
        pid_alive(j, atomic_load(&sh->pin_pid))) {
        mdb_txn_abort(r); /* one as new is durable and pinned already */
        return TIX_OK;
    }
    int rc = header_write(j, sh->gen + 1, ST_ACTIVE, c);
    if (rc) {
        mdb_txn_abort(r);
        return rc;
    }
    sh->gen++;
    if (reset) {
        sh->life = c->life;
        atomic_store(&sh->tail, DATA_START);
        atomic_store(&sh->last_txnid, c->txnid);
        atomic_store(&sh->broken, 0);
    }
    atomic_store(&sh->live, c->replay_off);
    atomic_store(&sh->ckpt_txnid, c->txnid);
    atomic_store(&sh->ckpt_ms, mono_ms());
    atomic_store(&sh->pin_pid, j->pid);
    pin_swap(j, r);
    atomic_fetch_add(&j->checkpoints, 1);
    return TIX_OK;
}

/* A checkpoint made entirely under LMDB's write lock (@p w, the caller's):
 * when the ring is full, the pin's owner is gone, or the ring must
 * restart. Writers wait for one data.mdb flush. */
static int ckpt_locked(tix_db *db, struct tix_journal *j, MDB_txn *w, int reset)
{
    struct ckpt c;
    MDB_txn *r = NULL;
    int rc = ckpt_plan(db, j, w, reset, &c, &r);
    if (rc == TIX_OK) rc = lmdb_flush(db, "journal: flush LMDB");
    if (rc == TIX_OK) return ckpt_publish(j, &c, reset, r);
    if (r) mdb_txn_abort(r);
    return rc;
}

/* A transaction of its own holding LMDB's write lock, for the checkpoint
 * thread and close; the order is db->txn_lock, wmu, LMDB's writer lock. */
static int lock_begin(tix_db *db, struct tix_journal *j, MDB_txn **w)
{
    pthread_rwlock_rdlock(&db->txn_lock);
    pthread_mutex_lock(&j->wmu);
    int mrc = mdb_txn_begin(db->env, NULL, 0, w);
    if (mrc == 0) return TIX_OK;
    pthread_mutex_unlock(&j->wmu);
    pthread_rwlock_unlock(&db->txn_lock);
    return tix__mdb_err(mrc, "journal: take the write lock");
}

static void lock_end(tix_db *db, struct tix_journal *j, MDB_txn *w)
{
    mdb_txn_abort(w);
    pthread_mutex_unlock(&j->wmu);
    pthread_rwlock_unlock(&db->txn_lock);
}

static int settle(tix_db *db, struct tix_journal *j, MDB_txn *w);

/* A checkpoint that flushes data.mdb without the write lock: the plan and
 * the header are made under it, the flush between runs beside the
 * writers (the pin keeps the checkpoint's pages as they are). */
static int ckpt_background(tix_db *db, struct tix_journal *j, int wait)
{
    if (wait) pthread_mutex_lock(&j->ckpt_mu);
    else if (pthread_mutex_trylock(&j->ckpt_mu)) return TIX_OK;
    if (ofd_lock(j->fd, F_WRLCK, LK_CKPT, wait)) { /* one at a time */
        pthread_mutex_unlock(&j->ckpt_mu);
        return TIX_OK;
    }
    MDB_txn *w, *r = NULL;
    struct ckpt c;
    int rc = lock_begin(db, j, &w);
    if (rc) goto out;
    int reset = atomic_load(&j->sh->broken);
    if ((rc = settle(db, j, w)) == TIX_OK)
        rc = reset ? ckpt_locked(db, j, w, 1) : ckpt_plan(db, j, w, 0, &c, &r);
    lock_end(db, j, w);
    if (rc || reset) goto out;
    if ((rc = lmdb_flush(db, "journal: flush LMDB")) == TIX_OK &&
        (rc = lock_begin(db, j, &w)) == TIX_OK) {
        rc = ckpt_publish(j, &c, 0, r);
        r = NULL;
        lock_end(db, j, w);
    }
out:
    if (r) mdb_txn_abort(r);
    (void)ofd_lock(j->fd, F_UNLCK, LK_CKPT, 0);
    pthread_mutex_unlock(&j->ckpt_mu);
    return rc;
}

static int ckpt_due(const struct tix_journal *j)
{
    const struct shared *sh = j->sh;
    uint64_t cap = atomic_load(&sh->cap);
    uint64_t want = tune_ckpt_bytes ? tune_ckpt_bytes : (cap - DATA_START) / 4;
    if (atomic_load(&sh->last_txnid) <= atomic_load(&sh->ckpt_txnid))
        return atomic_load(&sh->pin_pid) == 0; /* nothing new, but unpinned */
    return ring_used(sh) >= want ||
           mono_ms() - atomic_load(&sh->ckpt_ms) >= CKPT_INTERVAL_MS;
}

static void grow_maybe(tix_db *db, struct tix_journal *j)
{
    uint64_t cap = atomic_load(&j->sh->cap);
    if (cap >= tune_ring_max || ring_used(j->sh) < (cap - DATA_START) / 4)
        return;
    MDB_txn *w;
    if (lock_begin(db, j, &w)) return;
    uint64_t to = cap + JR_GROW_STEP > tune_ring_max ? tune_ring_max
                                                     : cap + JR_GROW_STEP;
    (void)ring_grow_locked(j, to); /* a failure is retried next round */
    lock_end(db, j, w);
}

/* Starts the writeback of data.mdb's dirty pages without waiting for it.
 * The next checkpoint must write every one of them (the pin keeps them
 * from being reused), so writing them now costs nothing more, and the
 * checkpoint's flush then has little left: measured, the journal's own
 * flushes stopped queueing behind it (16 clients: p99 1.8 ms instead of
 * 6.5-7.5 ms, 18.8-20.9k confirms/s instead of 17.1-17.3k). */
static void trickle(tix_db *db)
{
    int fd = -1;
    if (mdb_env_get_fd(db->env, &fd) == 0)
        (void)sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
}

static void *checkpointer_main(void *arg)
{
    tix_db *db = arg;
    struct tix_journal *j = db->jr;
    pthread_mutex_lock(&j->mu);
    while (!j->stop) {
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_nsec += CKPT_POLL_MS * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&j->cv, &j->mu, &until);
        if (j->stop) break;
        pthread_mutex_unlock(&j->mu);
        /* Another process owns the newest checkpoint: our older pin only
         * keeps LMDB from reusing pages. */
        if (atomic_load(&j->pin) && atomic_load(&j->sh->pin_pid) != j->pid) {
            MDB_txn *w;
            if (lock_begin(db, j, &w) == TIX_OK) {
                if (atomic_load(&j->sh->pin_pid) != j->pid) pin_swap(j, NULL);
                lock_end(db, j, w);
            }
        }
        grow_maybe(db, j);
        trickle(db);
        if (ckpt_due(j)) (void)ckpt_background(db, j, 0); /* retried */
        pthread_mutex_lock(&j->mu);
    }
    pthread_mutex_unlock(&j->mu);
    return NULL;
}

/* ---- start and close --------------------------------------------------- */

static int page_size(tix_db *db, struct tix_journal *j)
{
    MDB_stat st;
    int mrc = mdb_env_stat(db->env, &st);
    if (mrc) return tix__mdb_err(mrc, "journal: LMDB's page size");
    j->psize = st.ms_psize;
    return TIX_OK;
}

/* The first journal-mode handle: a fresh ring after LMDB's last
 * transaction, made durable as the first checkpoint. */
static int shm_build(tix_db *db, struct tix_journal *j)
{
    struct shared *sh = j->sh;
    memset(sh, 0, sizeof *sh);
    struct stat st;
    if (fstat(j->fd, &st) != 0) return io_err(errno, "stat");
    uint64_t cap = (uint64_t)st.st_size;
    if (cap < DATA_START + tune_ring_bytes) {
        int e = zero_fill(j->fd, cap, DATA_START + tune_ring_bytes);
        if (e) return io_err(e, "prepare");
        cap = DATA_START + tune_ring_bytes;
    }
    atomic_store(&sh->cap, cap);
    atomic_store(&sh->tail, DATA_START);
    atomic_store(&sh->live, DATA_START);
    sh->gen = j->hdr.gen;
    memcpy(sh->boot_id, j->boot, 16);
    MDB_txn *w;
    int rc = lock_begin(db, j, &w);
    if (rc) return rc;
    rc = ckpt_locked(db, j, w, 1);
    lock_end(db, j, w);
    if (rc == TIX_OK) memcpy(sh->magic, SHM_MAGIC, 8);
    return rc;
}

/* Data.mdb is flushed and complete: no replay is needed, and the
 * snapshots an earlier version left are not either. */
static int mark_clean(tix_db *db, struct tix_journal *j)
{
    int rc = lmdb_flush(db, "journal: flush LMDB");
    uint64_t gen = (j->sh ? j->sh->gen : j->hdr.gen) + 1;
    if (rc == TIX_OK) rc = header_write(j, gen, ST_CLEAN, NULL);
    if (rc == TIX_OK && j->sh) j->sh->gen = gen;
    for (unsigned f = 0; rc == TIX_OK && f < 2; f++) {
        char name[32], snap[PATH_MAX];
        snprintf(name, sizeof name, TIX__FILE_SNAPSHOT_FMT, f);
        store_path(db, name, snap, sizeof snap);
        unlink(snap);
    }
    return rc;
}

static int attach(tix_db *db, struct tix_journal *j)
{
    int rc = shm_map(db, j);
    if (rc == TIX_OK) rc = j->alone ? shm_build(db, j) : shm_check(j);
    if (rc) return rc;
    /* The ring's file may be new: make its name durable too. */
    int e = tix__backup_fsync_dir(db->path);
    if (e) return io_err(e, "flush the store directory");
    if ((e = ofd_lock(j->fd, F_WRLCK, LK_PID_BASE + j->pid, 0)) ||
        (e = ofd_lock(j->fd, F_RDLCK, LK_USERS, 0)))
        return io_err(e, "lock");
    if (pthread_create(&j->thread, NULL, checkpointer_main, db) != 0)
        return tix__err(TIX_ENOMEM, "cannot start the checkpoint thread");
    j->thread_on = 1;
    j->started = 1;
    return TIX_OK;
}

int tix__journal_start(tix_db *db)
{
    struct tix_journal *j = db->jr;
    if (!j || db->readonly) return TIX_OK;
    int rc = page_size(db, j);
    if (rc == TIX_OK && j->recover) rc = replay(db, j);
    if (rc == TIX_OK && j->mode) rc = attach(db, j);
    if (rc == TIX_OK && !j->mode) {
        if (j->recover) rc = mark_clean(db, j);
        int e = rc ? 0 : ofd_lock(j->fd, F_RDLCK, LK_OTHER, 0);
        if (e) rc = io_err(e, "lock");
    }
    (void)ofd_lock(j->fd, F_UNLCK, LK_INIT, 0);
    return rc;
}

/* Under LMDB's write lock at close: hand the pin over (the next writer
 * checkpoints and pins), and when no other handle remains flush LMDB and
 * mark the journal clean. */
static void detach(tix_db *db, struct tix_journal *j)
{
    MDB_txn *w;
    if (lock_begin(db, j, &w)) return; /* the header stays ACTIVE: replay */
    if (settle(db, j, w) == TIX_OK) {
        if (atomic_load(&j->sh->pin_pid) == j->pid)
            atomic_store(&j->sh->pin_pid, 0);
        if (!ofd_held(j->fd, LK_USERS) && mark_clean(db, j) == TIX_OK)
            memset(j->sh->magic, 0, sizeof j->sh->magic);
    }
    pin_swap(j, NULL);
    lock_end(db, j, w);
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
        j->thread_on = 0;
    }
    if (j->started && db->env) {
        /* Alone-ness is decided while no handle attaches or detaches. */
        (void)ofd_lock(j->fd, F_WRLCK, LK_INIT, 1);
        (void)ofd_lock(j->fd, F_UNLCK, LK_USERS, 0);
        detach(db, j);
        j->started = 0;
    }
    pin_swap(j, NULL);
    journal_free(db);
}

int tix__journal_sync(tix_db *db)
{
    struct tix_journal *j = db->jr;
    if (!j || !j->started) return TIX_OK;
    return ckpt_background(db, j, 1);
}

uint64_t tix__journal_checkpoints(const tix_db *db)
{
    return db->jr ? atomic_load(&db->jr->checkpoints) : 0;
}

/* ---- the write path ---------------------------------------------------- */

static void journal_enter(tix_db *db)
{
    if (db->jr) pthread_mutex_lock(&db->jr->wmu);
}

static void journal_leave(tix_db *db)
{
    if (db->jr) pthread_mutex_unlock(&db->jr->wmu);
}

/* Under LMDB's write lock (@p w): the last record written belongs to a
 * transaction that committed (LMDB's txnid moved past it) or to one that
 * did not (its writer failed or died between flush and commit), which is
 * wiped so that no replay applies it. */
static int settle(tix_db *db, struct tix_journal *j, MDB_txn *w)
{
    (void)db;
    struct shared *sh = j->sh;
    uint64_t txnid = mdb_txn_id(w);
    if (atomic_load(&sh->last_txnid) < txnid) return TIX_OK;
    uint8_t zero[REC_HDR] = {0};
    int e = pwrite_all(j->fd, zero, REC_HDR, sh->last_off);
    if (!e && sh->last_wrap) e = pwrite_all(j->fd, zero, REC_HDR, sh->last_wrap);
    if (!e && fdatasync(j->fd) != 0) e = errno;
    if (e) return broken(j, e, "wipe an uncommitted record");
    atomic_store(&sh->tail, sh->last_off);
    atomic_store(&sh->last_txnid, txnid - 1);
    return TIX_OK;
}

/* Every root write transaction starts here, holding LMDB's write lock. */
static int journal_begin(tix_db *db, MDB_txn *txn)
{
    struct tix_journal *j = db->jr;
    if (!j || !j->started) return TIX_OK;
    j->len = REC_HDR; /* the header is filled in at precommit */
    j->capturing = 1;
    j->pending = 0;
    struct shared *sh = j->sh;
    int rc = settle(db, j, txn);
    if (rc) return rc;
    /* Before this transaction allocates a page: a checkpoint nobody pins
     * (its owner closed or died), a broken ring, or a transaction that
     * committed without a record (the chain replay follows has a gap) is
     * replaced by a new one. */
    int32_t owner = atomic_load(&sh->pin_pid);
    int reset = atomic_load(&sh->broken) ||
                atomic_load(&sh->last_txnid) + 1 != mdb_txn_id(txn);
    if (reset || !pid_alive(j, owner)) rc = ckpt_locked(db, j, txn, reset);
    return rc;
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
    size_t n = tix__redo_size(k, v);
    if (buf_reserve(j, n)) return ENOMEM;
    tix__redo_put(j->buf + j->len, op, table, flags, k, v);
    j->len += n;
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

/* No room in the ring: a checkpoint under our write lock frees it
 * (writers wait meanwhile, so the checkpoint thread keeps this rare), and
 * the ring grows when the record alone does not fit. */
static int make_room(tix_db *db, struct tix_journal *j, MDB_txn *txn,
                     uint64_t need)
{
    int rc = ckpt_locked(db, j, txn, 0);
    uint64_t cap = atomic_load(&j->sh->cap);
    if (rc || DATA_START + need + REC_HDR <= cap) return rc;
    /* Empty the ring so that it may grow (it must not wrap). */
    if ((rc = ckpt_locked(db, j, txn, 1))) return rc;
    uint64_t to = (DATA_START + need + REC_HDR + (1u << 20)) &
                  ~(uint64_t)((1u << 20) - 1);
    return ring_grow_locked(j, to);
}

static int write_record(struct tix_journal *j, uint64_t txnid, uint64_t off,
                        uint64_t wrap)
{
    struct shared *sh = j->sh;
    size_t len = j->len - REC_HDR;
    size_t total = REC_HDR + pad8(len);
    if (buf_reserve(j, total - j->len)) return tix__err(TIX_ENOMEM, "out of memory");
    memset(j->buf + j->len, 0, total - j->len);
    rec_header_fill(sh->life, j->buf, REC_DATA, txnid, len, j->buf + REC_HDR);
    int e = 0;
    if (wrap) {
        uint8_t w[REC_HDR];
        rec_header_fill(sh->life, w, REC_WRAP, txnid, 0, NULL);
        e = pwrite_all(j->fd, w, REC_HDR, wrap);
    }
    /* From here a failure must wipe what may have landed: the record is
     * the last one written until a later transaction settles it. */
    sh->last_off = off;
    sh->last_end = off + total;
    sh->last_wrap = wrap;
    atomic_store(&sh->last_txnid, txnid);
    atomic_store(&sh->tail, off + total);
    j->pending = txnid;
    if (!e) e = pwrite_all(j->fd, j->buf, total, off);
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
    uint64_t need = REC_HDR + pad8(j->len - REC_HDR), wrap = 0, off = 0;
    int rc = TIX_OK;
    if (DATA_START + need + REC_HDR > atomic_load(&j->sh->cap) ||
        !(off = place(j->sh, need, &wrap))) {
        rc = make_room(db, j, txn, need);
        if (rc == TIX_OK && !(off = place(j->sh, need, &wrap)))
            rc = tix__err(TIX_EFULL, "journal: no room for a record of %llu "
                                     "bytes", (unsigned long long)need);
    }
    return rc ? rc : write_record(j, mdb_txn_id(txn), off, wrap);
}

/* A commit that failed after its record was written: the record is wiped
 * under the write lock taken again, so no replay applies it (if that
 * fails too, the next writer's settle does it). */
static int journal_postcommit(tix_db *db, int committed)
{
    struct tix_journal *j = db->jr;
    if (!j || !j->started) return TIX_OK;
    j->capturing = 0;
    uint64_t pending = j->pending;
    j->pending = 0;
    if (!pending || committed) return TIX_OK;
    MDB_txn *w;
    if (mdb_txn_begin(db->env, NULL, 0, &w) != 0) return TIX_OK;
    int rc = settle(db, j, w);
    mdb_txn_abort(w);
    return rc;
}

int tix__journal_pending(const char *store_dir)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/" TIX__FILE_JOURNAL, store_dir);
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
    snprintf(path, sizeof path, "%s/" TIX__FILE_JOURNAL, store_dir);
    int fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0) return io_err(errno, path);
    struct jr_header h;
    int rc = TIX_ENOTFOUND;
    if (header_load(fd, &h)) {
        memset(h.boot_id, 0xee, sizeof h.boot_id);
        h.hash = header_hash(&h);
        int e = pwrite_all(fd, &h, sizeof h, (h.gen & 1) * (uint64_t)JR_SLOT);
        rc = e ? io_err(e, "rewrite header") : TIX_OK;
    }
    close(fd);
    return rc;
}

int tix__journal_test_state(const char *store_dir, int *active,
                            uint64_t *ckpt_txnid, uint64_t *replay_off)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/" TIX__FILE_JOURNAL, store_dir);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return io_err(errno, path);
    struct jr_header h;
    int found = header_load(fd, &h);
    close(fd);
    if (!found) return TIX_ENOTFOUND;
    *active = h.state == ST_ACTIVE;
    *ckpt_txnid = h.ckpt_txnid;
    *replay_off = h.replay_off;
    return TIX_OK;
}

/* The journal's hooks on every write transaction of the store. */
static const tix__txn_observer journal_observer = {
    .enter = journal_enter,
    .leave = journal_leave,
    .begin = journal_begin,
    .change = capture,
    .undo = capture_undo,
    .savepoint = capture_mark,
    .precommit = journal_precommit,
    .postcommit = journal_postcommit,
};
