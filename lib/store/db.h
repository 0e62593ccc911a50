/* The store handle, its LMDB tables and transaction helpers. */
#ifndef TIX_LIB_DB_H
#define TIX_LIB_DB_H

#include <lmdb.h>
#include <pthread.h>
#include <sys/types.h>

#include "codec.h"
#include "tix.h"

/* The tables the store layer owns. The others belong to the layers above
 * and are listed in lib/schema/tables.h, whose names are handed to the
 * store before any store opens (tix__db_tables). Numbers are stable: the
 * journal's records name tables by number. */
enum tix_store_table {
    TIX_T_META = 0,            /* "format", "identity", "secret", "seq"+t */
    TIX_T_REGIONS_BY_END = 26, /* show end, show id -> seat_base, words */
    TIX_T_REGIONS_FREE = 27    /* words(be64), seat_base -> "" */
};
#define TIX__TABLES_MAX 64

/* Names of the tables numbered 0..@p count-1, NULL for the store's own
 * (process-wide; lib/api/open.c, before any store opens). */
void tix__db_tables(const char *const *names, int count);

/* The number of tables, and the name of table @p t. */
int tix__db_table_count(void);
const char *tix__db_table_name(int t);

/* Seat-engine state hangs off the store; defined by the engine modules. */
struct tix_engine;

/* ---- transaction observers ----------------------------------------------
 * Layers above the store watch its write transactions without the store
 * calling up into them, the way SQLite's pager is handed the btree's
 * callbacks: lib/store/journal.c logs every change and makes the batch durable
 * before LMDB commits, lib/notify/outbox.c wakes its waiters after; replication
 * will ship the same records. Hooks run in registration order and may be
 * NULL. They are registered while the store opens, before any write. */
enum { TIX__OP_PUT = 1, TIX__OP_DEL = 2 };
typedef struct tix__txn_observer {
    void (*enter)(tix_db *db);            /* before a write txn begins */
    void (*leave)(tix_db *db);            /* after it ended, either way */
    /* An attempt starts: @p txn is open and holds LMDB's write lock (of
     * every process). A non-zero return (a TIX code) ends it unmade. */
    int (*begin)(tix_db *db, MDB_txn *txn);
    /* A change about to be made: a non-zero return (an LMDB/errno code)
     * refuses it. @p mark is set first; undo(mark) forgets the change when
     * LMDB then fails to make it. */
    int (*change)(tix_db *db, int op, int table, unsigned flags,
                  const MDB_val *k, const MDB_val *v, size_t *mark);
    void (*undo)(tix_db *db, size_t mark);
    /* A batch level or a write inside a batch (tix_db_begin) starts:
     * @p mark is set so that undo(mark) later forgets every change made
     * from here on, when that part of the batch is rolled back. */
    void (*savepoint)(tix_db *db, size_t *mark);
    int (*precommit)(tix_db *db, MDB_txn *txn); /* non-OK aborts */
    int (*postcommit)(tix_db *db, int committed);
    void (*committed)(tix_db *db);        /* after leave, on success */
} tix__txn_observer;
#define TIX__OBSERVERS_MAX 4
/* TIX_ELIMIT when TIX__OBSERVERS_MAX are registered. */
int tix__db_observe(tix_db *db, const tix__txn_observer *o);

struct tix_db {
    MDB_env *env;
    MDB_dbi dbi[TIX__TABLES_MAX];
    tix_config cfg;
    char *path;
    dev_t dev;
    ino_t ino;
    int readonly;
    int nolock_fd; /* read-only without lock.mdb: data.mdb, OFD-locked
                      (lib/store/db.c, nolock_guard); else -1 */
    /* Every transaction holds this for reading; growing the map (which
     * LMDB allows only with no transaction active in the process) takes
     * it for writing. */
    pthread_rwlock_t txn_lock;
    uint8_t identity[16]; /* random, fixed at creation: names this LMDB */
    uint8_t secret[32];   /* random, fixed at creation: keys hold tags */
    struct tix_engine *engine;
    struct tix_journal *jr; /* lib/store/journal.c; NULL on a read-only open
                               of a store that never had one */
    struct tix_repl *repl;  /* lib/repl/repl.c; NULL when not replicated */
    /* Outbox waiters (lib/notify/outbox.c): outbox_gen is bumped and outbox_cv
     * (CLOCK_MONOTONIC) broadcast after every commit that appended events. */
    pthread_mutex_t outbox_mu;
    pthread_cond_t outbox_cv;
    uint64_t outbox_gen;
    struct tix__tz_cache *tz; /* zone files read (lib/base/tz.c); opened
                                 and closed by lib/api/open.c */
    struct tix_db *next_open; /* registry of open stores in this process */
    const tix__txn_observer *obs[TIX__OBSERVERS_MAX];
    int n_obs;
};

/* ---- the store handle's life (lib/api/open.c runs these in its subsystem
 * table, with the layers above in between) ---- */

/* Checks the config, prepares the directory and allocates the handle
 * (registered in the process, so a second open of the store is
 * TIX_EBUSY); LMDB is not opened yet. */
int tix__db_new(const char *path, const tix_config *cfg, tix_db **out);
/* Opens LMDB and its tables; closes it. */
int tix__db_env_open(tix_db *db);
void tix__db_env_close(tix_db *db);
/* Flushes LMDB to disk. */
int tix__db_env_sync(tix_db *db);
/* Frees a handle from tix__db_new (after every subsystem closed). */
void tix__db_free(tix_db *db);
/* TIX_OK while db->path still names the directory tix__db_new found; a
 * restore swaps the directory, and a handle must not mix the files of two
 * (TIX_EBUSY). */
int tix__db_same_dir(const tix_db *db);
/* Whether this process has the store in directory dev/ino open. */
int tix__db_open_here(dev_t dev, ino_t ino);
/* Whether a read-only handle without lock.mdb (so unknown to LMDB) reads
 * the data.mdb at @p data_path, or open as @p fd when fd >= 0. */
int tix__db_nolock_reader(const char *data_path, int fd);

/* Read transactions. Pair every successful begin with tix__db_read_end. On
 * a thread with a batch open on @p db, begin lends the batch's innermost
 * transaction (reads see the batch's writes) and end gives it back. */
int tix__db_read_begin(tix_db *db, MDB_txn **txn);
void tix__db_read_end(tix_db *db, MDB_txn *txn);

/* Runs @p fn inside one write transaction and commits it. If the map is
 * full it aborts, grows the map and runs @p fn again, so @p fn must have no
 * effect outside the transaction until it returns TIX_OK. A non-OK return
 * from @p fn aborts the transaction and is returned as is.
 * While the calling thread has a batch open on @p db (tix_db_begin) it
 * refuses with TIX_ESTATE: only the writes below may join a batch. */
typedef int (*tix_write_fn)(tix_db *db, MDB_txn *txn, void *arg);
int tix__db_write(tix_db *db, tix_write_fn fn, void *arg);

/* ---- batches (tix_db_begin, tix.h "Batches") ----------------------------
 * A batch is one LMDB write transaction that stays open across calls of
 * the thread that began it; each level of a nested batch is a nested
 * LMDB transaction, and so is every write that joins it, so that a write
 * that fails inside leaves the batch as it was. Reads of that thread
 * (tix__db_read_begin) read the batch's innermost transaction: they see its
 * uncommitted writes. Other threads see none of it and wait for LMDB's
 * write lock. */

/* Like tix__db_write, but joins the calling thread's batch of @p db when one
 * is open (@p fn runs in a nested transaction of the batch: a failure
 * undoes what it did and keeps the batch). For the catalog writes, whose
 * only effects are on LMDB (and what the observers log of it): no caller
 * may keep anything of a joined write but its return value before the
 * batch commits. */
int tix__db_write_join(tix_db *db, tix_write_fn fn, void *arg);

/* TIX_ESTATE, with a message naming @p what, when the calling thread has a
 * batch open on @p db; TIX_OK otherwise. For the calls that must not run
 * inside a batch: the seat engine (whose seats.map and caches would keep
 * what a rollback undoes, and whose confirms commit on another thread
 * that waits for the batch's write lock), flushes and copies. */
int tix__db_batch_refuse(tix_db *db, const char *what);

/* At close: rolls back every level of the calling thread's batch of @p db,
 * if it has one. */
void tix__db_batch_abandon(tix_db *db);

/* ---- the store's write primitives ---------------------------------------
 * Every LMDB write goes through these, so that every observer sees it.
 * They return LMDB/errno codes like the calls they wrap. */
int tix__db_raw_put(tix_db *db, MDB_txn *txn, int table, MDB_val *k, MDB_val *v,
                  unsigned flags);
int tix__db_raw_del(tix_db *db, MDB_txn *txn, int table, MDB_val *k);
int tix__db_raw_cursor_del(tix_db *db, MDB_cursor *cur, int table);

/* Allocates the next id of @p table inside a write transaction. */
int tix__db_next_id(tix_db *db, MDB_txn *txn, int table, tix_id *out);

/* Single-record helpers; they record a detail message on failure that
 * names @p what ("venue 7"). */
int tix__db_get(tix_db *db, MDB_txn *txn, int table, const void *key,
             size_t klen, MDB_val *val, const char *what);
int tix__db_get_id(tix_db *db, MDB_txn *txn, int table, tix_id id, MDB_val *val,
                const char *what);
int tix__db_put(tix_db *db, MDB_txn *txn, int table, const void *key,
             size_t klen, const void *val, size_t vlen, unsigned flags,
             const char *what);
int tix__db_put_id(tix_db *db, MDB_txn *txn, int table, tix_id id,
                const tix_enc *rec, const char *what);
int tix__db_del(tix_db *db, MDB_txn *txn, int table, const void *key,
             size_t klen, const char *what);

/* Collects the ids of index entries whose key starts with @p prefix. The
 * id is the value (8 bytes) or, when the value is empty, the last 8 key
 * bytes. *ids is malloc'ed (free it); *n may be 0. */
int tix__db_index_ids(tix_db *db, MDB_txn *txn, int table, const void *prefix,
                   size_t plen, tix_id **ids, size_t *n);

/* Decodes one stored value into an item inside a bump block. */
typedef int (*tix_decode_fn)(const MDB_val *val, void *item, tix_bump *b);

/* Reads record @p id of @p table and decodes it into a fresh block holding
 * a struct of @p size bytes. */
int tix__db_load_one(tix_db *db, int table, tix_id id, size_t size,
                  tix_decode_fn decode, void **out, const char *what);

/* Builds a list block {size_t count; item[n]} from primary records. */
int tix__db_list_build(tix_db *db, MDB_txn *txn, int table, const tix_id *ids,
                    size_t n, size_t item_size, tix_decode_fn decode,
                    void **out);

/* Builds a list block from every index entry with @p prefix. */
int tix__db_list_by_index(tix_db *db, int index, const void *prefix,
                       size_t plen, int table, size_t item_size,
                       tix_decode_fn decode, void **out);

#endif
