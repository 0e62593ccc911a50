/* Store lifecycle (open/close), LMDB tables, map growth and the small
 * transaction helpers every table module uses. */
#include "db.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "files.h"
#include "random.h"

#define STORE_FORMAT 1
#define STORE_KEY "store"

/* The tables' names: the store's own here, the others handed in by the
 * layers above (tix__db_tables). */
static const char *const store_names[] = {
    [TIX_T_META] = "meta",
    [TIX_T_REGIONS_BY_END] = "regions_by_end",
    [TIX_T_REGIONS_FREE] = "regions_free",
};
#define N_STORE_NAMES ((int)(sizeof store_names / sizeof *store_names))
static const char *const *table_names;
static int n_tables = N_STORE_NAMES;

void tix__db_tables(const char *const *names, int count)
{
    table_names = names;
    n_tables = count > TIX__TABLES_MAX ? TIX__TABLES_MAX : count;
}

int tix__db_table_count(void) { return n_tables; }

const char *tix__db_table_name(int t)
{
    if (t < 0 || t >= n_tables) return NULL;
    if (t < N_STORE_NAMES && store_names[t]) return store_names[t];
    return table_names ? table_names[t] : NULL;
}

/* ---- process-wide registry: LMDB forbids opening one env twice in a
 * process (its locks are per process), so a second open is TIX_EBUSY. */
static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static tix_db *registry;

static int registry_add(tix_db *db)
{
    int rc = TIX_OK;
    pthread_mutex_lock(&registry_lock);
    for (tix_db *o = registry; o; o = o->next_open)
        if (o->dev == db->dev && o->ino == db->ino) {
            rc = tix__err(TIX_EBUSY, "store %s is already open in this process",
                          db->path);
            break;
        }
    if (rc == TIX_OK) {
        db->next_open = registry;
        registry = db;
    }
    pthread_mutex_unlock(&registry_lock);
    return rc;
}

int tix__db_open_here(dev_t dev, ino_t ino)
{
    int found = 0;
    pthread_mutex_lock(&registry_lock);
    for (tix_db *o = registry; o && !found; o = o->next_open)
        found = o->dev == dev && o->ino == ino;
    pthread_mutex_unlock(&registry_lock);
    return found;
}

static void registry_remove(tix_db *db)
{
    pthread_mutex_lock(&registry_lock);
    for (tix_db **p = &registry; *p; p = &(*p)->next_open)
        if (*p == db) {
            *p = db->next_open;
            break;
        }
    pthread_mutex_unlock(&registry_lock);
}

const char *tix_version(void) { return TIX_VERSION_STRING; }

static int64_t system_clock(void *ctx)
{
    (void)ctx;
    struct timespec ts;
    /* The store clock has whole seconds, so the coarse clock (one tick
     * behind at most, about 3x cheaper) is exact enough: it is read on
     * every hold. */
    clock_gettime(CLOCK_REALTIME_COARSE, &ts);
    return (int64_t)ts.tv_sec;
}

void tix_config_init(tix_config *cfg)
{
    if (!cfg) return;
    memset(cfg, 0, sizeof *cfg);
    cfg->map_size = (size_t)64 << 20;
    cfg->map_size_max = 0;
    cfg->max_readers = 512;
    cfg->durability = TIX_SYNC_JOURNAL;
    cfg->hold_ttl_default = 600;
    cfg->hold_ttl_max = 3600;
    cfg->hold_max_seats = 10;
    cfg->confirm_lease = 30;
    cfg->show_buffer = 900;
    cfg->reclaim_after = 86400;
    cfg->seatmap_reserve = (size_t)1 << 30;
    cfg->clock = NULL;
    cfg->clock_ctx = NULL;
    cfg->flags = 0;
    cfg->review_text_max = 2000;
    cfg->search_min_chars = 3;
}

static int config_check(const tix_config *c)
{
    if (c->map_size < ((size_t)256 << 10))
        return tix__err(TIX_EINVAL, "map_size %zu is below 256 KiB", c->map_size);
    if (c->map_size_max && c->map_size_max < c->map_size)
        return tix__err(TIX_EINVAL, "map_size_max is below map_size");
    if (c->max_readers < 1 || c->max_readers > 65536)
        return tix__err(TIX_EINVAL, "max_readers %u not in 1..65536",
                        c->max_readers);
    if ((unsigned)c->durability > TIX_SYNC_JOURNAL)
        return tix__err(TIX_EINVAL, "unknown durability mode %d",
                        (int)c->durability);
    if (c->hold_ttl_max < 1 || c->hold_ttl_max > 86400)
        return tix__err(TIX_EINVAL, "hold_ttl_max %u not in 1..86400",
                        c->hold_ttl_max);
    if (c->hold_ttl_default < 1 || c->hold_ttl_default > c->hold_ttl_max)
        return tix__err(TIX_EINVAL, "hold_ttl_default %u not in 1..%u",
                        c->hold_ttl_default, c->hold_ttl_max);
    if (c->hold_max_seats < 1 || c->hold_max_seats > 256)
        return tix__err(TIX_EINVAL, "hold_max_seats %u not in 1..256",
                        c->hold_max_seats);
    if (c->confirm_lease < 1 || c->confirm_lease > 3600)
        return tix__err(TIX_EINVAL, "confirm_lease %u not in 1..3600",
                        c->confirm_lease);
    if (c->show_buffer > 86400)
        return tix__err(TIX_EINVAL, "show_buffer %u above 86400", c->show_buffer);
    if (c->reclaim_after < 3600 || c->reclaim_after > 366u * 86400)
        return tix__err(TIX_EINVAL, "reclaim_after %u not in 3600..31622400",
                        c->reclaim_after);
    if (c->seatmap_reserve < ((size_t)1 << 20))
        return tix__err(TIX_EINVAL, "seatmap_reserve below 1 MiB");
    if (c->review_text_max < 1 || c->review_text_max > 65536)
        return tix__err(TIX_EINVAL, "review_text_max %u not in 1..65536",
                        c->review_text_max);
    if (c->search_min_chars < 1 || c->search_min_chars > 32)
        return tix__err(TIX_EINVAL, "search_min_chars %u not in 1..32",
                        c->search_min_chars);
    if (c->fee_per_seat_minor < 0 || c->fee_per_seat_minor > 1000000000000LL)
        return tix__err(TIX_EINVAL, "fee_per_seat_minor %lld not in 0..10^12",
                        (long long)c->fee_per_seat_minor);
    if (c->flags & ~(TIX_OPEN_READONLY | TIX_OPEN_NOCREATE))
        return tix__err(TIX_EINVAL, "unknown open flags 0x%x", c->flags);
    return TIX_OK;
}

/* Only a directory that is new, empty or a store may be opened: a failed
 * open (no store, NOCREATE, read-only, a directory of something else) must
 * leave no file behind, so it is refused here, before the journal and LMDB
 * create theirs. */
static int prepare_dir(const char *path, const tix_config *c)
{
    int kind;
    int rc = tix__store_dir_kind(path, &kind);
    if (rc || kind == TIX__DIR_STORE) return rc;
    if (c->flags & (TIX_OPEN_NOCREATE | TIX_OPEN_READONLY))
        return tix__err(TIX_ENOTFOUND, "no store at %s", path);
    if (kind == TIX__DIR_FOREIGN)
        return tix__err(TIX_EINVAL, "%s holds files but no store: a store is "
                                    "created only in a new or empty directory",
                        path);
    if (kind == TIX__DIR_ABSENT && mkdir(path, 0700) != 0 && errno != EEXIST)
        return tix__mdb_err(errno, path);
    return TIX_OK;
}

int tix__db_same_dir(const tix_db *db)
{
    struct stat st;
    if (stat(db->path, &st) == 0 && st.st_dev == db->dev && st.st_ino == db->ino)
        return TIX_OK;
    return tix__err(TIX_EBUSY, "store %s was replaced while it was being "
                               "opened (a restore ran): open it again",
                    db->path);
}

/* A read-only open must create nothing, yet LMDB creates lock.mdb when it
 * is missing (a backup, a store never opened for writing). Without it LMDB
 * runs with MDB_NOLOCK and registers no reader, so a writer arriving later
 * could reuse the pages being read. Such a reader therefore holds an OFD
 * read lock on data.mdb, taken before it looks for lock.mdb, and every
 * read-write open tests for that lock after LMDB made lock.mdb: whichever
 * comes second sees the other. */
#define GUARD_LOCK(type) \
    {.l_type = (type), .l_whence = SEEK_SET, .l_start = 0, .l_len = 1}

static int nolock_guard(tix_db *db, unsigned *flags)
{
    char f[PATH_MAX];
    snprintf(f, sizeof f, "%s/" TIX__FILE_DATA, db->path);
    int fd = open(f, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) return tix__mdb_err(errno, f);
    struct flock fl = GUARD_LOCK(F_RDLCK);
    if (fcntl(fd, F_OFD_SETLK, &fl) != 0) {
        int e = errno;
        close(fd);
        return tix__mdb_err(e, "read lock on data.mdb");
    }
    snprintf(f, sizeof f, "%s/" TIX__FILE_LOCK, db->path);
    struct stat st;
    if (lstat(f, &st) == 0 || errno != ENOENT) {
        close(fd);
        return TIX_OK; /* LMDB registers this reader */
    }
    db->nolock_fd = fd;
    *flags |= MDB_NOLOCK;
    return TIX_OK;
}

int tix__db_nolock_reader(const char *data_path, int fd)
{
    int own = fd < 0;
    if (own && (!data_path ||
                (fd = open(data_path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0))
        return 0;
    struct flock fl = GUARD_LOCK(F_WRLCK);
    int live = fcntl(fd, F_OFD_GETLK, &fl) == 0 && fl.l_type != F_UNLCK;
    if (own) close(fd);
    return live;
}

static int open_env(tix_db *db)
{
    const tix_config *c = &db->cfg;
    int rc = mdb_env_create(&db->env);
    if (rc) return tix__mdb_err(rc, "mdb_env_create");
    mdb_env_set_maxdbs(db->env, 64);
    mdb_env_set_maxreaders(db->env, c->max_readers);
    mdb_env_set_mapsize(db->env, c->map_size);
    unsigned flags = MDB_NOTLS;
    if (c->durability == TIX_SYNC_NOMETA) flags |= MDB_NOMETASYNC;
    /* Journal mode: the journal makes commits durable; LMDB is copied to
     * snapshots, never flushed while open (lib/store/journal.h). */
    if (c->durability == TIX_SYNC_NONE || c->durability == TIX_SYNC_JOURNAL)
        flags |= MDB_NOSYNC;
    if (db->readonly) {
        flags |= MDB_RDONLY;
        if ((rc = nolock_guard(db, &flags))) return rc;
    }
    rc = mdb_env_open(db->env, db->path, flags, 0600);
    if (rc) return tix__mdb_err(rc, db->path);
    int fd = -1;
    mdb_env_get_fd(db->env, &fd);
    if (!db->readonly && tix__db_nolock_reader(NULL, fd))
        return tix__err(TIX_EBUSY, "store %s is open read-only by a process "
                                   "that has no lock.mdb to register in",
                        db->path);
    if ((rc = tix__db_same_dir(db))) return rc;
    int dead = 0;
    mdb_reader_check(db->env, &dead);
    return TIX_OK;
}

/* Loads (or on first open creates) the store record: format version,
 * identity and secret. */
static int store_record(tix_db *db, MDB_txn *txn, int create)
{
    MDB_val k = {strlen(STORE_KEY), STORE_KEY}, v;
    int rc = mdb_get(txn, db->dbi[TIX_T_META], &k, &v);
    if (rc == MDB_NOTFOUND && create) {
        if ((rc = tix__random_bytes(db->identity, sizeof db->identity))) return rc;
        if ((rc = tix__random_bytes(db->secret, sizeof db->secret))) return rc;
        tix_enc e;
        tix__enc_init(&e, TIX_REC_STORE, 1);
        tix__enc_u32(&e, STORE_FORMAT);
        tix__enc_bytes(&e, db->identity, sizeof db->identity);
        tix__enc_bytes(&e, db->secret, sizeof db->secret);
        rc = tix__enc_finish(&e);
        if (rc == TIX_OK)
            rc = tix__db_put(db, txn, TIX_T_META, STORE_KEY, strlen(STORE_KEY),
                          e.buf, e.len, 0, "store record");
        tix__enc_free(&e);
        return rc;
    }
    if (rc == MDB_NOTFOUND)
        return tix__err(TIX_ECORRUPT, "%s has no libtix store record", db->path);
    if (rc) return tix__mdb_err(rc, "store record");
    tix_dec d;
    if ((rc = tix__dec_init(&d, v.mv_data, v.mv_size, TIX_REC_STORE, 1)))
        return rc;
    uint32_t format = tix__dec_u32(&d);
    const uint8_t *id = tix__dec_bytes(&d, sizeof db->identity);
    const uint8_t *sec = tix__dec_bytes(&d, sizeof db->secret);
    if ((rc = tix__dec_finish(&d))) return rc;
    if (format > STORE_FORMAT)
        return tix__err(TIX_EVERSION, "store format %u is newer than %u",
                        format, STORE_FORMAT);
    memcpy(db->identity, id, sizeof db->identity);
    memcpy(db->secret, sec, sizeof db->secret);
    return TIX_OK;
}

static int open_tables(tix_db *db)
{
    MDB_txn *txn;
    int rc = mdb_txn_begin(db->env, NULL, db->readonly ? MDB_RDONLY : 0, &txn);
    /* Another process grew the map between our mdb_env_open and now: take
     * its size (no transaction of ours is open yet) and begin again. */
    for (int tries = 0; rc == MDB_MAP_RESIZED && tries < 8; tries++) {
        mdb_env_set_mapsize(db->env, 0);
        rc = mdb_txn_begin(db->env, NULL, db->readonly ? MDB_RDONLY : 0, &txn);
    }
    if (rc) return tix__mdb_err(rc, "open tables");
    for (int t = 0; t < n_tables && rc == 0; t++) {
        const char *name = tix__db_table_name(t);
        if (!name) continue; /* a number no layer uses */
        rc = mdb_dbi_open(txn, name, db->readonly ? 0 : MDB_CREATE,
                          &db->dbi[t]);
        if (rc) rc = tix__mdb_err(rc, name);
    }
    if (rc == 0) rc = store_record(db, txn, !db->readonly);
    if (rc == 0) {
        int mrc = mdb_txn_commit(txn);
        if (mrc) rc = tix__mdb_err(mrc, "open tables");
    } else {
        mdb_txn_abort(txn);
    }
    return rc;
}

int tix__db_new(const char *path, const tix_config *cfg, tix_db **out)
{
    *out = NULL;
    if (!path || !*path) return tix__err(TIX_EINVAL, "path is empty");
    if (strlen(path) > PATH_MAX - 32)
        return tix__err(TIX_ETOOLONG, "path longer than %d bytes", PATH_MAX - 32);
    tix_config c;
    if (cfg) c = *cfg;
    else tix_config_init(&c);
    int rc = config_check(&c);
    if (rc) return rc;
    if ((rc = prepare_dir(path, &c))) return rc;

    tix_db *db = calloc(1, sizeof *db);
    if (!db || !(db->path = strdup(path))) {
        free(db);
        return tix__err(TIX_ENOMEM, "out of memory");
    }
    db->cfg = c;
    db->readonly = (c.flags & TIX_OPEN_READONLY) != 0;
    db->nolock_fd = -1;
    pthread_rwlock_init(&db->txn_lock, NULL);
    struct stat st;
    if (stat(path, &st) != 0) rc = tix__mdb_err(errno, path);
    db->dev = st.st_dev;
    db->ino = st.st_ino;
    if (rc == TIX_OK) rc = registry_add(db);
    if (rc) {
        pthread_rwlock_destroy(&db->txn_lock);
        free(db->path);
        free(db);
        return rc;
    }
    *out = db;
    return TIX_OK;
}

int tix__db_env_open(tix_db *db)
{
    int rc = open_env(db);
    if (rc == TIX_OK) rc = open_tables(db);
    return rc;
}

void tix__db_env_close(tix_db *db)
{
    if (db->env) mdb_env_close(db->env);
    db->env = NULL;
    if (db->nolock_fd >= 0) close(db->nolock_fd);
    db->nolock_fd = -1;
}

int tix__db_env_sync(tix_db *db)
{
    int rc = mdb_env_sync(db->env, 1);
    return rc ? tix__mdb_err(rc, "sync") : TIX_OK;
}

void tix__db_free(tix_db *db)
{
    registry_remove(db);
    pthread_rwlock_destroy(&db->txn_lock);
    free(db->path);
    free(db);
}

const char *tix_db_path(const tix_db *db) { return db ? db->path : NULL; }

int64_t tix_db_now(const tix_db *db)
{
    if (db && db->cfg.clock) return db->cfg.clock(db->cfg.clock_ctx);
    return system_clock(NULL);
}

/* ---- map growth ------------------------------------------------------ */

/* Another process grew the map: adopt its size. Needs no txn active. */
static void adopt_map_size(tix_db *db)
{
    pthread_rwlock_wrlock(&db->txn_lock);
    mdb_env_set_mapsize(db->env, 0);
    pthread_rwlock_unlock(&db->txn_lock);
}

/* Whether a mapping of @p bytes fits in the address space now. LMDB's
 * mdb_env_set_mapsize unmaps the old map before it maps the new size, and
 * when that mmap fails the environment is left with no map at all: the
 * next transaction crashed (issue 8, found by tests/store/test_hostile.c with
 * RLIMIT_AS). So grow only when the new size fits beside the old map. */
static int map_fits(size_t bytes)
{
    void *p = mmap(NULL, bytes, PROT_NONE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) return 0;
    munmap(p, bytes);
    return 1;
}

static int grow_map(tix_db *db)
{
    int rc = TIX_OK;
    pthread_rwlock_wrlock(&db->txn_lock);
    MDB_envinfo info;
    mdb_env_info(db->env, &info);
    size_t cur = info.me_mapsize, max = db->cfg.map_size_max;
    size_t next = cur * 2;
    if (max && next > max) next = max;
    if (next <= cur) {
        rc = tix__err(TIX_EFULL, "store is full (map size %zu, limit %zu)",
                      cur, max);
    } else if (!map_fits(next) || mdb_env_set_mapsize(db->env, next) != 0) {
        rc = tix__err(TIX_EFULL, "cannot grow map to %zu bytes", next);
    }
    pthread_rwlock_unlock(&db->txn_lock);
    return rc;
}

/* ---- batches: the calling thread's, found without locks ---------------- */

#define BATCH_DEPTH_MAX 32

/* One thread's batch on one store. */
typedef struct batch {
    tix_db *db;
    struct batch *next; /* the same thread's batches on other stores */
    int depth;          /* levels open; 1 = only the outermost */
    int map_full;       /* a write inside ran out of map: grow at the end */
    MDB_txn *level[BATCH_DEPTH_MAX]; /* level[0]: the root transaction */
    /* Each nested level's observer marks, taken when it began. */
    size_t marks[BATCH_DEPTH_MAX][TIX__OBSERVERS_MAX];
    MDB_txn *top; /* innermost open: the last level's, or a joined write's */
} batch;

/* Only the owning thread ever reads or writes its list, so a lookup is a
 * thread-local load (the hot paths make one: tix__db_batch_refuse). */
static _Thread_local batch *tl_batches;

static batch *batch_of(const tix_db *db)
{
    for (batch *b = tl_batches; b; b = b->next)
        if (b->db == db) return b;
    return NULL;
}

static int batch_lends(const batch *b, const MDB_txn *txn)
{
    if (txn == b->top) return 1;
    for (int i = 0; i < b->depth; i++)
        if (txn == b->level[i]) return 1;
    return 0;
}

int tix__db_read_begin(tix_db *db, MDB_txn **txn)
{
    batch *b = batch_of(db);
    if (b) {
        *txn = b->top;
        return TIX_OK;
    }
    for (int attempt = 0;; attempt++) {
        pthread_rwlock_rdlock(&db->txn_lock);
        int rc = mdb_txn_begin(db->env, NULL, MDB_RDONLY, txn);
        if (rc == 0) return TIX_OK;
        pthread_rwlock_unlock(&db->txn_lock);
        if (rc == MDB_MAP_RESIZED && attempt < 8) {
            adopt_map_size(db);
            continue;
        }
        return tix__mdb_err(rc, "begin read transaction");
    }
}

void tix__db_read_end(tix_db *db, MDB_txn *txn)
{
    batch *b = batch_of(db);
    if (b && batch_lends(b, txn)) return;
    mdb_txn_abort(txn);
    pthread_rwlock_unlock(&db->txn_lock);
}

int tix__db_observe(tix_db *db, const tix__txn_observer *o)
{
    if (db->n_obs == TIX__OBSERVERS_MAX)
        return tix__err(TIX_ELIMIT, "more than %d transaction observers",
                        TIX__OBSERVERS_MAX);
    db->obs[db->n_obs++] = o;
    return TIX_OK;
}

#define EACH_OBS(db, o) \
    for (const tix__txn_observer *const *o = (db)->obs; o < (db)->obs + (db)->n_obs; o++)

static void obs_enter(tix_db *db)
{
    EACH_OBS(db, o) if ((*o)->enter) (*o)->enter(db);
}

static void obs_leave(tix_db *db)
{
    for (int i = db->n_obs; i-- > 0;)
        if (db->obs[i]->leave) db->obs[i]->leave(db);
}

static int obs_begin(tix_db *db, MDB_txn *txn)
{
    int rc = TIX_OK;
    EACH_OBS(db, o) if (rc == TIX_OK && (*o)->begin) rc = (*o)->begin(db, txn);
    return rc;
}

static int obs_precommit(tix_db *db, MDB_txn *txn)
{
    int rc = TIX_OK;
    EACH_OBS(db, o) if (rc == TIX_OK && (*o)->precommit) rc = (*o)->precommit(db, txn);
    return rc;
}

/* Every observer hears the outcome, even after one failed. */
static int obs_postcommit(tix_db *db, int committed)
{
    int rc = TIX_OK;
    EACH_OBS(db, o) if ((*o)->postcommit) {
        int orc = (*o)->postcommit(db, committed);
        if (rc == TIX_OK) rc = orc;
    }
    return rc;
}

static void obs_committed(tix_db *db)
{
    EACH_OBS(db, o) if ((*o)->committed) (*o)->committed(db);
}

/* Tells every observer of a change; undoes what they logged on failure. */
static int obs_change(tix_db *db, int op, int table, unsigned flags,
                      const MDB_val *k, const MDB_val *v,
                      size_t marks[TIX__OBSERVERS_MAX])
{
    for (int i = 0; i < db->n_obs; i++) {
        const tix__txn_observer *o = db->obs[i];
        int rc = o->change ? o->change(db, op, table, flags, k, v, &marks[i]) : 0;
        if (rc) {
            while (i-- > 0)
                if (db->obs[i]->undo) db->obs[i]->undo(db, marks[i]);
            return rc;
        }
    }
    return 0;
}

static void obs_undo(tix_db *db, const size_t marks[TIX__OBSERVERS_MAX])
{
    for (int i = db->n_obs; i-- > 0;)
        if (db->obs[i]->undo) db->obs[i]->undo(db, marks[i]);
}

static void obs_savepoint(tix_db *db, size_t marks[TIX__OBSERVERS_MAX])
{
    for (int i = 0; i < db->n_obs; i++) {
        marks[i] = 0;
        if (db->obs[i]->savepoint) db->obs[i]->savepoint(db, &marks[i]);
    }
}

int tix__db_raw_put(tix_db *db, MDB_txn *txn, int table, MDB_val *k, MDB_val *v,
                  unsigned flags)
{
    size_t marks[TIX__OBSERVERS_MAX];
    int rc = obs_change(db, TIX__OP_PUT, table, flags, k, v, marks);
    if (rc) return rc;
    if ((rc = mdb_put(txn, db->dbi[table], k, v, flags))) obs_undo(db, marks);
    return rc;
}

int tix__db_raw_del(tix_db *db, MDB_txn *txn, int table, MDB_val *k)
{
    size_t marks[TIX__OBSERVERS_MAX];
    int rc = obs_change(db, TIX__OP_DEL, table, 0, k, NULL, marks);
    if (rc) return rc;
    if ((rc = mdb_del(txn, db->dbi[table], k, NULL))) obs_undo(db, marks);
    return rc;
}

int tix__db_raw_cursor_del(tix_db *db, MDB_cursor *cur, int table)
{
    size_t marks[TIX__OBSERVERS_MAX];
    int rc = 0;
    if (db->n_obs) { /* observers are told the key */
        MDB_val k, v;
        rc = mdb_cursor_get(cur, &k, &v, MDB_GET_CURRENT);
        if (rc == 0) rc = obs_change(db, TIX__OP_DEL, table, 0, &k, NULL, marks);
        if (rc) return rc;
    }
    if ((rc = mdb_cursor_del(cur, 0)) && db->n_obs) obs_undo(db, marks);
    return rc;
}

/* Begins a root write transaction: the txn lock for reading, the
 * observers' enter and begin. Undone by write_end. */
static int write_begin(tix_db *db, MDB_txn **txn)
{
    for (int attempt = 0;; attempt++) {
        pthread_rwlock_rdlock(&db->txn_lock);
        obs_enter(db);
        int rc = mdb_txn_begin(db->env, NULL, 0, txn);
        if (rc == 0) {
            tix__err_map_full_clear();
            if ((rc = obs_begin(db, *txn)) == TIX_OK) return TIX_OK;
            mdb_txn_abort(*txn);
            (void)obs_postcommit(db, 0);
            obs_leave(db);
            pthread_rwlock_unlock(&db->txn_lock);
            return rc;
        }
        obs_leave(db);
        pthread_rwlock_unlock(&db->txn_lock);
        if (rc == MDB_MAP_RESIZED && attempt < 8) {
            adopt_map_size(db);
            continue;
        }
        return tix__mdb_err(rc, "begin write transaction");
    }
}

/* Commits (when @p rc is TIX_OK: the observers' precommit first) or
 * aborts a root write transaction (any other @p rc, returned as is), and
 * ends it; returns the outcome. */
static int write_end(tix_db *db, MDB_txn *txn, int rc)
{
    if (rc == TIX_OK) rc = obs_precommit(db, txn);
    int committed = 0;
    if (rc == TIX_OK) {
        int mrc = mdb_txn_commit(txn);
        if (mrc) rc = tix__mdb_err(mrc, "commit");
        committed = mrc == 0;
    } else {
        mdb_txn_abort(txn);
    }
    int orc = obs_postcommit(db, committed);
    if (rc == TIX_OK) rc = orc;
    obs_leave(db);
    pthread_rwlock_unlock(&db->txn_lock);
    if (rc == TIX_OK) obs_committed(db);
    return rc;
}

static int write_alone(tix_db *db, tix_write_fn fn, void *arg)
{
    for (int attempt = 0;; attempt++) {
        MDB_txn *txn;
        int rc = write_begin(db, &txn);
        if (rc) return rc;
        rc = write_end(db, txn, fn(db, txn, arg));
        /* Grow only when LMDB's map is what is full: a full disk (ENOSPC,
         * also TIX_EFULL) used to double the map on every retry until the
         * mmap failed (issue 8, found by tests/store/test_hostile.c). */
        if (rc == TIX_EFULL && tix__err_map_full_seen() && attempt < 32) {
            if (grow_map(db) == TIX_OK) continue;
            return TIX_EFULL;
        }
        return rc;
    }
}

int tix__db_write(tix_db *db, tix_write_fn fn, void *arg)
{
    if (db->readonly) return tix__err(TIX_EPERM, "store is open read-only");
    int rc = tix__db_batch_refuse(db, "this write (only catalog writes join a "
                                   "batch)");
    return rc ? rc : write_alone(db, fn, arg);
}

/* ---- batches ------------------------------------------------------------ */

/* Rolls back every batch the exiting thread left open: otherwise LMDB's
 * write lock would stay taken and every other writer would wait forever. */
static pthread_key_t batch_key;
static pthread_once_t batch_key_once = PTHREAD_ONCE_INIT;
static int batch_end(batch *b, int commit);

static void batch_thread_exit(void *unused)
{
    (void)unused;
    while (tl_batches) batch_end(tl_batches, 0);
}

static void batch_key_init(void)
{
    pthread_key_create(&batch_key, batch_thread_exit);
}

int tix__db_batch_refuse(tix_db *db, const char *what)
{
    if (!tl_batches || !batch_of(db)) return TIX_OK;
    return tix__err(TIX_ESTATE, "%s cannot run while this thread has a batch "
                    "open (tix_db_begin): commit or roll it back first", what);
}

/* A write that joins a batch: a nested transaction of the innermost one. */
static int batch_write(batch *b, tix_write_fn fn, void *arg)
{
    tix_db *db = b->db;
    size_t marks[TIX__OBSERVERS_MAX];
    obs_savepoint(db, marks);
    MDB_txn *parent = b->top, *txn;
    int mrc = mdb_txn_begin(db->env, parent, 0, &txn);
    if (mrc) return tix__mdb_err(mrc, "begin a write inside the batch");
    b->top = txn;
    tix__err_map_full_clear();
    int rc = fn(db, txn, arg);
    b->top = parent;
    if (rc == TIX_OK) {
        mrc = mdb_txn_commit(txn); /* into the parent; aborts on failure */
        if (mrc) rc = tix__mdb_err(mrc, "write inside the batch");
    } else {
        mdb_txn_abort(txn);
    }
    if (rc == TIX_OK) return TIX_OK;
    obs_undo(db, marks);
    if (rc == TIX_EFULL && tix__err_map_full_seen()) {
        /* LMDB cannot grow the map under an open transaction. */
        b->map_full = 1;
        char msg[400];
        snprintf(msg, sizeof msg, "%s", tix_errmsg());
        rc = tix__err(TIX_EFULL, "%s; the map cannot grow while a batch is "
                      "open: roll the batch back (that grows it) and run it "
                      "again", msg);
    }
    return rc;
}

int tix__db_write_join(tix_db *db, tix_write_fn fn, void *arg)
{
    if (db->readonly) return tix__err(TIX_EPERM, "store is open read-only");
    batch *b = tl_batches ? batch_of(db) : NULL;
    return b ? batch_write(b, fn, arg) : write_alone(db, fn, arg);
}

static void batch_unlink(batch *b)
{
    for (batch **p = &tl_batches; *p; p = &(*p)->next)
        if (*p == b) {
            *p = b->next;
            break;
        }
}

/* Ends the outermost level: commits or rolls back the root transaction,
 * then grows the map if a write inside found it full. The batch is gone
 * whatever the outcome. */
static int batch_end(batch *b, int commit)
{
    tix_db *db = b->db;
    batch_unlink(b);
    int full = b->map_full;
    /* Aborting the root aborts the levels still open under it. */
    enum { ROLLBACK = 1 }; /* no TIX_E* code: those are negative */
    int rc = write_end(db, b->level[0], commit ? TIX_OK : ROLLBACK);
    if (rc == ROLLBACK) rc = TIX_OK; /* rolled back, as asked */
    if (rc == TIX_EFULL && tix__err_map_full_seen()) full = 1;
    free(b);
    if (full) {
        char msg[512];
        snprintf(msg, sizeof msg, "%s", tix_errmsg());
        grow_map(db); /* best effort: the next attempt fits or fails again */
        if (rc) tix__err(rc, "%s", msg);
    }
    return rc;
}

int tix_db_begin(tix_db *db)
{
    if (!db) return tix__err(TIX_EINVAL, "db is NULL");
    if (db->readonly) return tix__err(TIX_EPERM, "store is open read-only");
    batch *b = batch_of(db);
    if (b) { /* a nested level */
        if (b->depth == BATCH_DEPTH_MAX)
            return tix__err(TIX_ELIMIT, "batches nest at most %d deep",
                            BATCH_DEPTH_MAX);
        MDB_txn *txn;
        obs_savepoint(db, b->marks[b->depth]);
        int mrc = mdb_txn_begin(db->env, b->top, 0, &txn);
        if (mrc) return tix__mdb_err(mrc, "begin a nested batch");
        b->level[b->depth++] = txn;
        b->top = txn;
        return TIX_OK;
    }
    pthread_once(&batch_key_once, batch_key_init);
    if (!(b = calloc(1, sizeof *b))) return tix__err(TIX_ENOMEM, "out of memory");
    int rc = write_begin(db, &b->level[0]);
    if (rc) {
        free(b);
        return rc;
    }
    b->db = db;
    b->depth = 1;
    b->top = b->level[0];
    b->next = tl_batches;
    tl_batches = b;
    pthread_setspecific(batch_key, b); /* any non-NULL: runs the destructor */
    return TIX_OK;
}

int tix_db_commit(tix_db *db)
{
    if (!db) return tix__err(TIX_EINVAL, "db is NULL");
    batch *b = batch_of(db);
    if (!b) return tix__err(TIX_ESTATE, "no batch is open on this thread");
    if (b->depth == 1) return batch_end(b, 1);
    MDB_txn *txn = b->level[--b->depth];
    b->top = b->level[b->depth - 1];
    int mrc = mdb_txn_commit(txn); /* into the level above */
    if (mrc == 0) return TIX_OK;
    obs_undo(db, b->marks[b->depth]);
    return tix__mdb_err(mrc, "commit a nested batch (its changes are "
                        "dropped; the batch above stays open)");
}

int tix_db_rollback(tix_db *db)
{
    if (!db) return tix__err(TIX_EINVAL, "db is NULL");
    batch *b = batch_of(db);
    if (!b) return tix__err(TIX_ESTATE, "no batch is open on this thread");
    if (b->depth == 1) return batch_end(b, 0);
    MDB_txn *txn = b->level[--b->depth];
    b->top = b->level[b->depth - 1];
    mdb_txn_abort(txn);
    obs_undo(db, b->marks[b->depth]);
    return TIX_OK;
}

void tix__db_batch_abandon(tix_db *db)
{
    batch *b = batch_of(db);
    if (b) batch_end(b, 0);
}

/* ---- record helpers -------------------------------------------------- */

int tix__db_next_id(tix_db *db, MDB_txn *txn, int table, tix_id *out)
{
    uint8_t key[4] = {'s', 'e', 'q', (uint8_t)table};
    MDB_val k = {sizeof key, key}, v;
    uint64_t next = 1;
    int rc = mdb_get(txn, db->dbi[TIX_T_META], &k, &v);
    if (rc == 0 && v.mv_size == 8) next = tix__be64_get(v.mv_data) + 1;
    else if (rc == 0) return tix__err(TIX_ECORRUPT, "id counter is malformed");
    else if (rc != MDB_NOTFOUND) return tix__mdb_err(rc, "id counter");
    uint8_t buf[8];
    tix__be64_put(buf, next);
    v.mv_size = 8;
    v.mv_data = buf;
    rc = tix__db_raw_put(db, txn, TIX_T_META, &k, &v, 0);
    if (rc) return tix__mdb_err(rc, "id counter");
    *out = next;
    return TIX_OK;
}

int tix__db_get(tix_db *db, MDB_txn *txn, int table, const void *key,
             size_t klen, MDB_val *val, const char *what)
{
    MDB_val k = {klen, (void *)key};
    int rc = mdb_get(txn, db->dbi[table], &k, val);
    if (rc == MDB_NOTFOUND) return tix__err(TIX_ENOTFOUND, "%s not found", what);
    return rc ? tix__mdb_err(rc, what) : TIX_OK;
}

int tix__db_get_id(tix_db *db, MDB_txn *txn, int table, tix_id id, MDB_val *val,
                const char *what)
{
    uint8_t key[8];
    tix__be64_put(key, id);
    MDB_val k = {8, key};
    int rc = mdb_get(txn, db->dbi[table], &k, val);
    if (rc == MDB_NOTFOUND)
        return tix__err(TIX_ENOTFOUND, "%s %llu not found", what,
                        (unsigned long long)id);
    return rc ? tix__mdb_err(rc, what) : TIX_OK;
}

int tix__db_put(tix_db *db, MDB_txn *txn, int table, const void *key,
             size_t klen, const void *val, size_t vlen, unsigned flags,
             const char *what)
{
    MDB_val k = {klen, (void *)key}, v = {vlen, (void *)val};
    int rc = tix__db_raw_put(db, txn, table, &k, &v, flags);
    if (rc == MDB_KEYEXIST) return tix__err(TIX_EEXISTS, "%s already exists", what);
    return rc ? tix__mdb_err(rc, what) : TIX_OK;
}

int tix__db_put_id(tix_db *db, MDB_txn *txn, int table, tix_id id,
                const tix_enc *rec, const char *what)
{
    uint8_t key[8];
    tix__be64_put(key, id);
    return tix__db_put(db, txn, table, key, 8, rec->buf, rec->len, 0, what);
}

int tix__db_del(tix_db *db, MDB_txn *txn, int table, const void *key,
             size_t klen, const char *what)
{
    MDB_val k = {klen, (void *)key};
    int rc = tix__db_raw_del(db, txn, table, &k);
    if (rc == MDB_NOTFOUND) return tix__err(TIX_ENOTFOUND, "%s not found", what);
    return rc ? tix__mdb_err(rc, what) : TIX_OK;
}

int tix__db_index_ids(tix_db *db, MDB_txn *txn, int table, const void *prefix,
                   size_t plen, tix_id **ids, size_t *n)
{
    *ids = NULL;
    *n = 0;
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, db->dbi[table], &cur);
    if (rc) return tix__mdb_err(rc, "index cursor");
    size_t cap = 0;
    MDB_val k = {plen, (void *)prefix}, v;
    rc = mdb_cursor_get(cur, &k, &v, plen ? MDB_SET_RANGE : MDB_FIRST);
    while (rc == 0 && k.mv_size >= plen && memcmp(k.mv_data, prefix, plen) == 0) {
        const uint8_t *idp = v.mv_size == 8 ? v.mv_data
                             : k.mv_size >= 8 ? (const uint8_t *)k.mv_data + k.mv_size - 8
                                              : NULL;
        if (!idp) { rc = -1; break; }
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            tix_id *p = realloc(*ids, cap * sizeof *p);
            if (!p) { rc = ENOMEM; break; }
            *ids = p;
        }
        (*ids)[(*n)++] = tix__be64_get(idp);
        rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }
    mdb_cursor_close(cur);
    if (rc == MDB_NOTFOUND || rc == 0) return TIX_OK;
    free(*ids);
    *ids = NULL;
    *n = 0;
    if (rc == -1) return tix__err(TIX_ECORRUPT, "index entry is malformed");
    return tix__mdb_err(rc, "index scan");
}

int tix__db_load_one(tix_db *db, int table, tix_id id, size_t size,
                  tix_decode_fn decode, void **out, const char *what)
{
    TIX__ARG(out);
    *out = NULL;
    TIX__ARG(db);
    MDB_txn *txn;
    int rc = tix__db_read_begin(db, &txn);
    if (rc) return rc;
    MDB_val v;
    rc = tix__db_get_id(db, txn, table, id, &v, what);
    tix_bump b = {0};
    if (rc == TIX_OK) rc = tix__bump_init(&b, tix__bump_bound(size, v.mv_size));
    if (rc == TIX_OK) {
        void *item = tix__bump_alloc(&b, size);
        rc = decode(&v, item, &b);
        if (rc) free(b.base);
        else *out = item;
    }
    tix__db_read_end(db, txn);
    return rc;
}

int tix__db_list_build(tix_db *db, MDB_txn *txn, int table, const tix_id *ids,
                    size_t n, size_t item_size, tix_decode_fn decode,
                    void **out)
{
    /* Pass 1 sizes the block, pass 2 decodes into it; both in one txn so
     * the records cannot change in between. */
    size_t total = sizeof(size_t) + 8 + n * item_size;
    for (size_t i = 0; i < n; i++) {
        MDB_val v;
        int rc = tix__db_get_id(db, txn, table, ids[i], &v, "record");
        if (rc) return rc == TIX_ENOTFOUND ? tix__err(TIX_ECORRUPT,
                            "index names missing record %llu",
                            (unsigned long long)ids[i]) : rc;
        total += tix__bump_bound(0, v.mv_size);
    }
    tix_bump b;
    int rc = tix__bump_init(&b, total);
    if (rc) return rc;
    size_t *count = tix__bump_alloc(&b, sizeof(size_t) + n * item_size);
    *count = n;
    char *items = (char *)(count + 1);
    for (size_t i = 0; i < n && rc == 0; i++) {
        MDB_val v;
        rc = tix__db_get_id(db, txn, table, ids[i], &v, "record");
        if (rc == 0) rc = decode(&v, items + i * item_size, &b);
    }
    if (rc) {
        free(b.base);
        return rc;
    }
    *out = count;
    return TIX_OK;
}

int tix__db_list_by_index(tix_db *db, int index, const void *prefix,
                       size_t plen, int table, size_t item_size,
                       tix_decode_fn decode, void **out)
{
    TIX__ARG(out);
    *out = NULL;
    TIX__ARG(db);
    MDB_txn *txn;
    int rc = tix__db_read_begin(db, &txn);
    if (rc) return rc;
    tix_id *ids;
    size_t n;
    rc = tix__db_index_ids(db, txn, index, prefix, plen, &ids, &n);
    if (rc == 0) {
        rc = tix__db_list_build(db, txn, table, ids, n, item_size, decode, out);
        free(ids);
    }
    tix__db_read_end(db, txn);
    return rc;
}
